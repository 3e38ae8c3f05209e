"""The views in SQLite: an SQLiteTrackingRecorder that also holds the view tables."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteTrackingRecorder

from projections.leadership import FileLease, FollowerLease, SoleLease
from projections.recorder import ViewRecorder
from projections.schema import SQLITE, ViewTables


class SQLiteViewRecorder(ViewRecorder, SQLiteTrackingRecorder):
    """View tables and the `tracking` table in one SQLite database (a file, or shared memory)."""

    def __init__(self, datastore: SQLiteDatastore, **kwargs: Any) -> None:
        self.tables = ViewTables(SQLITE)
        super().__init__(datastore, **kwargs)

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *self.tables.create_statements()]

    def _transaction(self, *, commit: bool) -> AbstractContextManager[SQLiteCursor]:
        return self.datastore.transaction(commit=commit)

    def _track(self, cursor: SQLiteCursor, tracking: Tracking) -> None:
        self._insert_tracking(cursor, tracking)

    @property
    def tracking_table(self) -> str:
        return "tracking"

    def close(self) -> None:
        self.datastore.close()

    def follower_lease(self) -> FollowerLease:
        pool = self.datastore.pool
        if pool.is_sqlite_memory_mode:
            return SoleLease()
        return FileLease(Path(pool.db_name.removeprefix("file:").split("?")[0] + ".follower.lock"))

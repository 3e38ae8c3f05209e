"""The views in SQLite: an SQLiteTrackingRecorder that also holds the view tables."""

from __future__ import annotations

import sqlite3
import threading
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
        self._watch: sqlite3.Connection | None = None
        self._watch_lock = threading.Lock()
        self._closed = False
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
        with self._watch_lock:
            self._closed = True
            if self._watch is not None:
                self._watch.close()
                self._watch = None
        self.datastore.close()

    def data_version(self) -> int | None:
        """SQLite's `PRAGMA data_version` on a connection of its own that never writes: it changes
        when any other connection (this process's pool, another process) has committed to the
        file (or the shared in-memory database) since the last call. A few microseconds."""
        with self._watch_lock:
            if self._closed:
                return None
            try:
                if self._watch is None:
                    self._watch = sqlite3.connect(
                        self.datastore.pool.db_name, uri=True, check_same_thread=False, isolation_level=None
                    )
                version: int = self._watch.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                return None
            return version

    def follower_lease(self) -> FollowerLease:
        pool = self.datastore.pool
        if pool.is_sqlite_memory_mode:
            return SoleLease()
        return FileLease(Path(pool.db_name.removeprefix("file:").split("?")[0] + ".follower.lock"))

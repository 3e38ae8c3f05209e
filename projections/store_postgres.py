"""The views in PostgreSQL: a PostgresTrackingRecorder that also holds the view tables.

The tables live in the datastore's schema (``POSTGRES_SCHEMA``, default ``public``), which may
be the ledger's own: their names (``entity_versions``, ``current_entities``, ...) and the
tracking table's (``trustviews_tracking``) do not clash with the ledger's.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed

from projections.leadership import AdvisoryLease, FollowerLease
from projections.recorder import ViewRecorder
from projections.schema import POSTGRES, ViewTables, quote


class PostgresViewRecorder(ViewRecorder, PostgresTrackingRecorder):
    """View tables and the tracking table in one PostgreSQL schema."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.tables = ViewTables(POSTGRES, schema=self.datastore.schema)
        self.sql_create_statements.extend(Composed([SQL(s)]) for s in self.tables.create_statements())

    def _transaction(self, *, commit: bool) -> AbstractContextManager[Cursor[DictRow]]:
        return self.datastore.transaction(commit=commit)

    def _begin_snapshot(self, cursor: Any) -> None:
        # READ COMMITTED (the default) takes a new snapshot per statement: a document and the
        # freshness read after it could describe different blocks.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    def _track(self, cursor: Cursor[DictRow], tracking: Tracking) -> None:
        self._insert_tracking(cursor, tracking)

    @property
    def tracking_table(self) -> str:
        return f"{quote(self.datastore.schema)}.{quote(self.tracking_table_name)}"

    def close(self) -> None:
        self.datastore.close()

    def follower_lease(self) -> FollowerLease:
        kwargs = self.datastore.pool.kwargs
        assert isinstance(kwargs, dict)  # PostgresDatastore gives its pool the connection settings as a dict
        connect = {k: v for k, v in kwargs.items() if k != "row_factory"}
        return AdvisoryLease(connect, self.datastore.schema)

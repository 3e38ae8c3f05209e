"""The view recorder: a TrackingRecorder whose view rows and tracking record commit together."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from eventsourcing.persistence import Tracking, TrackingRecorder

from projections.changes import ViewChange
from projections.leadership import FollowerLease
from projections.schema import ViewTables
from projections.sql import Sql
from projections.writer import ViewWriter


class ViewRecorder(TrackingRecorder, ABC):
    """Holds the three views and their tracking; every batch of row changes and its tracking
    record are written in ONE transaction (so a view never runs ahead of or behind its tracking)."""

    tables: ViewTables

    @abstractmethod
    def _transaction(self, *, commit: bool) -> AbstractContextManager[Any]:
        """A database transaction's raw cursor (committed at the end only if `commit`)."""

    @abstractmethod
    def _track(self, cursor: Any, tracking: Tracking) -> None:
        """Insert `tracking` with `cursor` (raises IntegrityError unless it is a new, higher position)."""

    @property
    @abstractmethod
    def tracking_table(self) -> str:
        """The qualified name of the tracking table."""

    @abstractmethod
    def close(self) -> None:
        """Close the database connections."""

    @abstractmethod
    def follower_lease(self) -> FollowerLease:
        """The lease that makes one process among those over these views their follower."""

    def data_version(self) -> int | None:
        """A number that stays the same between two calls only if nothing was committed to the
        views' database in between, by any connection or process; None when the store cannot tell
        without reading the views (PostgreSQL; or the check failed): then read them."""
        return None

    def record(self, changes: Sequence[ViewChange], tracking: Tracking) -> None:
        """Apply `changes` to the views and record `tracking`, atomically."""
        with self._transaction(commit=True) as cursor:
            ViewWriter(Sql(cursor, self.tables.dialect), self.tables).apply(changes)
            self._track(cursor, tracking)

    def clear(self, upstream: str) -> None:
        """Drop and re-create the view tables and forget `upstream`'s tracking, atomically."""
        with self._transaction(commit=True) as cursor:
            sql = Sql(cursor, self.tables.dialect)
            for statement in self.tables.drop_statements() + self.tables.create_statements():
                sql.execute(statement)
            sql.execute(f"DELETE FROM {self.tracking_table} WHERE application_name = ?", (upstream,))

    @contextmanager
    def writing(self) -> Iterator[Sql]:
        """A committed transaction over the view tables, for rows that are not projected from the
        ledger (the follower's status): no tracking record is written with it."""
        with self._transaction(commit=True) as cursor:
            yield Sql(cursor, self.tables.dialect)

    def _begin_snapshot(self, cursor: Any) -> None:
        """Make the read transaction just opened on `cursor` one snapshot for all its statements
        (SQLite's deferred transaction already is one)."""

    @contextmanager
    def reading(self) -> Iterator[Sql]:
        """A read-only transaction over the views: one consistent snapshot. Opened again in the same
        thread while one is open, it joins that one, so everything a request reads inside
        ``TrustViews.snapshot()`` (a document and its freshness headers) describes one block."""
        local = self._open_reads()
        if getattr(local, "sql", None) is not None:
            yield local.sql
            return
        with self._transaction(commit=False) as cursor:
            self._begin_snapshot(cursor)
            local.sql = Sql(cursor, self.tables.dialect)
            try:
                yield local.sql
            finally:
                local.sql = None

    def in_snapshot(self) -> bool:
        """Whether this thread has a read transaction open (what it reads may predate a commit)."""
        return getattr(self._open_reads(), "sql", None) is not None

    def _open_reads(self) -> threading.local:
        """The read transaction this thread has open, if any (made on first use: eventsourcing's
        recorders have their own __init__)."""
        try:
            return self.__dict__["_reads"]
        except KeyError:
            return self.__dict__.setdefault("_reads", threading.local())

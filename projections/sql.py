"""A thin cursor wrapper so the views' SQL is written once for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.schema import Dialect


class Sql:
    """A DB-API cursor taking `?` placeholders in either dialect and giving rows as dicts."""

    def __init__(self, cursor: Any, dialect: Dialect) -> None:
        self._cursor = cursor
        self._dialect = dialect

    def execute(self, query: str, params: Sequence[Any] = ()) -> None:
        """Run one statement."""
        self._cursor.execute(self._dialect.sql(query), tuple(params))

    def one(self, query: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        """The first row of `query`, or None."""
        self.execute(query, params)
        row = self._cursor.fetchone()
        return dict(row) if row is not None else None

    def all(self, query: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Every row of `query`."""
        self.execute(query, params)
        return [dict(row) for row in self._cursor.fetchall()]

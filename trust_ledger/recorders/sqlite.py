"""SQLite: a batch's events in one executemany.

eventsourcing's SQLiteProcessRecorder inserts one row per statement, to read each one's rowid (the
notification id), then the tracking record. Ours inserts the tracking record, then every event with
one ``executemany``, in the same transaction. From its first write to its commit the transaction
holds the database's write lock, so nothing else inserts in between, and SQLite numbers each new row
one past the largest rowid: the events get consecutive rowids, in order. The first and the last
event's rowids are read back by primary key in the same transaction, and a batch numbered otherwise
is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ProgrammingError, StoredEvent, Tracking
from eventsourcing.sqlite import SQLiteCursor, SQLiteProcessRecorder


class SQLiteLedgerRecorder(SQLiteProcessRecorder):
    """SQLiteProcessRecorder inserting a batch's events with one executemany."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.select_rowid_statement = (
            f"SELECT rowid FROM {self.events_table_name} WHERE originator_id=? AND originator_version=?"
        )

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        rows = [(_text_id(s.originator_id), s.originator_version, s.topic, s.state) for s in stored_events]
        if rows:
            c.executemany(self.insert_events_statement, rows)
        tracking: Tracking | None = kwargs.get("tracking")
        if tracking is not None:
            self._insert_tracking(c, tracking)
        if not rows:
            return []
        first, last = self._rowid(c, rows[0]), self._rowid(c, rows[-1])
        if last - first != len(rows) - 1:
            msg = f"{len(rows)} events inserted together got rowids {first} to {last}"
            raise ProgrammingError(msg)
        return list(range(first, last + 1))

    def _rowid(self, c: SQLiteCursor, row: tuple[Any, ...]) -> int:
        c.execute(self.select_rowid_statement, row[:2])
        return int(c.fetchone()[0])


def _text_id(originator_id: UUID | str) -> str:
    """An originator id as SQLite's recorder stores it (a UUID's hex)."""
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id

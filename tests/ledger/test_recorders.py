"""The ledger's recorders (trust_ledger.recorders) on SQLite and PostgreSQL: a batch's events in one
call, numbered as eventsourcing's own recorders number them, atomically with the tracking record."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.persistence import IntegrityError, ProgrammingError, StoredEvent, Tracking
from eventsourcing.postgres import PostgresProcessRecorder
from eventsourcing.sqlite import SQLiteProcessRecorder

from tests.support.stores import Store, open_store
from trust_ledger.recorders.postgres import PostgresLedgerRecorder
from trust_ledger.recorders.sqlite import SQLiteLedgerRecorder

OURS = {"sqlite": SQLiteLedgerRecorder, "postgres": PostgresLedgerRecorder}


@pytest.fixture(params=["sqlite", "postgres"])
def sql_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    yield from open_store(request.param, tmp_path)


def _events(*aggregates: tuple[uuid.UUID, int], per_aggregate: int = 3) -> list[StoredEvent]:
    """Events of several aggregates interleaved (as a batch of logs touching each in turn), with
    states holding bytes the composite type's text form would escape."""
    return [
        StoredEvent(
            originator_id=originator,
            originator_version=start + n,
            topic="tests.ledger:Thing.Happened",
            state=b'{"n": %d, "quote": "\\"", "raw": "\x00\xff,()"}' % n,
        )
        for n in range(per_aggregate)
        for originator, start in aggregates
    ]


def _rows(recorder: SQLiteProcessRecorder | PostgresProcessRecorder) -> list[tuple[int, object, int, bytes]]:
    return [
        (n.id, n.originator_id, n.originator_version, n.state)
        for n in recorder.select_notifications(start=None, limit=1000)
    ]


def test_the_ledger_records_with_ours(sql_store: Store) -> None:
    recorder = sql_store.open().process_recorder
    assert type(recorder) is OURS[sql_store.backend]


def test_a_batch_is_numbered_in_order_with_its_tracking(sql_store: Store) -> None:
    recorder = sql_store.open().process_recorder
    a, b = uuid.uuid4(), uuid.uuid4()
    first = _events((a, 1), (b, 1))
    second = _events((b, 4), (a, 4), per_aggregate=2)

    first_ids = recorder.insert_events(first, tracking=Tracking("chain-1", 10))
    second_ids = recorder.insert_events(second, tracking=Tracking("chain-1", 20))

    assert first_ids is not None and second_ids is not None
    stored = _rows(recorder)
    assert [row[0] for row in stored] == [*first_ids, *second_ids]
    assert [row[0] for row in stored] == sorted({row[0] for row in stored})
    assert [row[1:] for row in stored] == [
        (e.originator_id, e.originator_version, e.state) for e in first + second
    ]
    assert recorder.max_tracking_id("chain-1") == 20
    assert recorder.max_notification_id() == second_ids[-1]


def test_a_batch_that_fails_leaves_nothing(sql_store: Store) -> None:
    recorder = sql_store.open().process_recorder
    a, b = uuid.uuid4(), uuid.uuid4()
    recorder.insert_events(_events((a, 1)), tracking=Tracking("chain-1", 10))
    before = _rows(recorder)

    with pytest.raises(IntegrityError):  # b's events are new, a's version 3 exists
        recorder.insert_events(_events((b, 1), (a, 3)), tracking=Tracking("chain-1", 20))
    with pytest.raises(IntegrityError):  # the tracking record does not move back
        recorder.insert_events(_events((b, 1)), tracking=Tracking("chain-1", 5))

    assert _rows(recorder) == before
    assert recorder.max_tracking_id("chain-1") == 10


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    yield from open_store("sqlite", tmp_path)


def test_sqlite_refuses_a_batch_it_cannot_number_in_order(sqlite_store: Store) -> None:
    """SQLite numbers a new row one past the largest rowid until that is the largest possible; then it
    picks free rowids at random, and a batch's notification ids would not follow its order."""
    recorder = sqlite_store.open().process_recorder
    assert isinstance(recorder, SQLiteLedgerRecorder)
    with sqlite3.connect(sqlite_store.env["SQLITE_DBNAME"]) as db:
        db.execute(
            f"INSERT INTO {recorder.events_table_name} VALUES (?, 1, 'tests.ledger:Thing.Happened', x'')",
            (uuid.uuid4().hex,),
        )
        db.execute(f"UPDATE {recorder.events_table_name} SET rowid = 9223372036854775807")
    before = _rows(recorder)

    with pytest.raises(ProgrammingError, match="got rowids"):
        recorder.insert_events(_events((uuid.uuid4(), 1), per_aggregate=50), tracking=Tracking("chain-1", 1))

    assert _rows(recorder) == before
    assert recorder.max_tracking_id("chain-1") is None

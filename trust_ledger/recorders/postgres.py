"""PostgreSQL: a batch's events as four binary arrays.

eventsourcing's PostgresProcessRecorder sends a batch as one array of its composite type
``stored_event_uuid``, which psycopg (pure Python here) writes out as escaped text, field by field,
and the server parses back: two thirds of a batch's insert. Ours sends the ids, versions, topics and
states as four arrays in binary, to the same ``INSERT ... SELECT FROM unnest(...) RETURNING
notification_id``, after the same tracking insert, ``LOCK TABLE ... IN EXCLUSIVE MODE`` and
``NOTIFY``, in the same pipelined transaction (``PostgresApplicationRecorder.insert_events``), and
reads the notification ids back as one array rather than a row each. The ids ascend in the batch's
order: the rows are inserted in the order of the arrays, each drawing the next value of the table's
sequence, and the lock keeps every other writer out until the commit. With
``POSTGRES_ENABLE_DB_FUNCTIONS`` set eventsourcing's stored function is used, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import ProcessRecorder, ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresFactory, PostgresProcessRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier


class PostgresLedgerRecorder(PostgresProcessRecorder):
    """PostgresProcessRecorder inserting a batch's events from four binary arrays."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.insert_events_statement = SQL(
            "WITH inserted AS ("
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id) "
            "SELECT array_agg(notification_id ORDER BY notification_id) AS notification_ids FROM inserted"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            id_type=Identifier(self.datastore.originator_id_type),
        )

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(
            self.insert_events_statement,
            (
                [s.originator_id for s in stored_events],
                [s.originator_version for s in stored_events],
                [s.topic for s in stored_events],
                [s.state for s in stored_events],
            ),
        )

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> Sequence[int] | None:
        row = curs.fetchone()
        ids = row["notification_ids"] if row is not None else None
        if ids is None or len(ids) != len(stored_events):
            msg = f"{len(stored_events)} events inserted, notification ids returned: {ids}"
            raise ProgrammingError(msg)
        return list(ids)


def postgres_ledger_recorder(factory: PostgresFactory) -> ProcessRecorder:
    """A PostgresLedgerRecorder on the factory's tables, as `PostgresFactory.process_recorder` builds
    its own (tables named after the application, created unless CREATE_TABLE says not)."""
    prefix = factory.env.name.lower()
    recorder = PostgresLedgerRecorder(
        datastore=factory.datastore,
        events_table_name=f"{prefix or 'stored'}_events",
        tracking_table_name=f"{prefix or 'notification'}_tracking",
    )
    if factory.env_create_table():
        recorder.create_table()
    return recorder

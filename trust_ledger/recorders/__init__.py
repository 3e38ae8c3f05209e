"""The ledger's process recorders: eventsourcing 9.5's, with a batch's events inserted in one call.

Same tables, same rows, same notification ids in the same order, the tracking record in the same
transaction; only how the rows reach the database differs (`sqlite`, `postgres`: each says how). That
was a third of a catch-up into PostgreSQL and a tenth of one into SQLite (bench/README.md, ingest).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import ProcessRecorder
from eventsourcing.sqlite import SQLiteFactory

from trust_ledger.recorders.sqlite import SQLiteLedgerRecorder


def ledger_recorder(factory: Any) -> ProcessRecorder:
    """The ledger's process recorder from an eventsourcing InfrastructureFactory: ours on SQLite and
    PostgreSQL (built, and its tables created, as the factory builds its own), the factory's own
    on any other persistence (POPO)."""
    if isinstance(factory, SQLiteFactory):
        recorder = SQLiteLedgerRecorder(datastore=factory.datastore)
        if factory.env_create_table():
            recorder.create_table()
        return recorder
    if type(factory).__module__ == "eventsourcing.postgres":
        from trust_ledger.recorders.postgres import postgres_ledger_recorder  # psycopg: only here

        return postgres_ledger_recorder(factory)
    return factory.process_recorder()

"""Replicas started at the same moment on one PostgreSQL all come up (issue 19): the ledger's, the
views' and the issuer records' tables are created once, the creators taking turns
(trust_ledger/table_creation.py). Before, two processes building recorders on a fresh schema at the
same instant collided in the catalogue ("tuple concurrently updated", a unique violation in pg_type)
and the loser exited."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.stores import postgres_schema, schema_rows

PROCESSES = 6
OPEN_ALL = """
import sys
from api.issuer.records import IssuanceRecords
from projections.env import open_views
from trust_ledger.store import open_ledger

print("ready", flush=True)
sys.stdin.readline()  # every process starts creating when the test says go, all at once
open_ledger()
open_views()
IssuanceRecords(env={"PERSISTENCE_MODULE": "eventsourcing.postgres"})
print("up")
"""


def test_processes_starting_together_on_a_fresh_schema_all_come_up() -> None:
    for _ in range(3):  # three fresh schemas: the race is a matter of microseconds
        with postgres_schema("creating") as env:
            processes = [
                subprocess.Popen(
                    [sys.executable, "-c", OPEN_ALL],
                    env={**os.environ, **env},
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(PROCESSES)
            ]
            for process in processes:  # each has imported what it needs
                assert process.stdout is not None and process.stdout.readline().strip() == "ready"
            for process in processes:
                assert process.stdin is not None
                process.stdin.write("go\n")
                process.stdin.flush()
            outcomes = [process.communicate(timeout=120) for process in processes]
            failed = [err.strip().splitlines()[-1] for out, err in outcomes if out.strip() != "up"]
            assert failed == [], failed
            tables = {
                row[0]
                for row in schema_rows(
                    env, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
            }
            assert {"trustledger_events", "trustviews_tracking", "issuancerecords_events"} <= tables, tables

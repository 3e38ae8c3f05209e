"""Event stores for tests: the same ledger cases run on POPO, SQLite and PostgreSQL.

PostgreSQL is a real server (scripts/postgres-up starts it); each test gets its own schema.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import ProcessRecorder

from trust_ledger.ledger import TrustLedger
from trust_ledger.settings import read_settings


@dataclass
class Store:
    """One event store on one backend; `open()` gives a TrustLedger on it (a new one each call)."""

    backend: str
    env: dict[str, str]
    opened: list[TrustLedger] = field(default_factory=list)
    _popo_recorder: ProcessRecorder | None = None

    def open(self) -> TrustLedger:
        if self.backend == "popo" and self._popo_recorder is not None:
            ledger: TrustLedger = _popo_ledger_on(self._popo_recorder, self.env)
        else:
            ledger = TrustLedger(env=self.env)
        if self.backend == "popo":
            self._popo_recorder = ledger.process_recorder
        self.opened.append(ledger)
        return ledger

    def close(self) -> None:
        for ledger in self.opened:
            ledger.close()


def _popo_ledger_on(recorder: ProcessRecorder, env: dict[str, str]) -> TrustLedger:
    """A second TrustLedger on the same in-memory store (POPO memory lives in its recorder)."""

    class ReopenedTrustLedger(TrustLedger):
        name = "TrustLedger"

        def construct_recorder(self) -> ProcessRecorder:
            return recorder

    return ReopenedTrustLedger(env=env)


POSTGRES_CONNECTION = ("HOST", "PORT", "USER", "PASSWORD", "DBNAME")


def _pg_settings() -> dict[str, str]:
    """The tests' PostgreSQL (TRUST_LEDGER_PG_*, trust_ledger.settings) as psycopg's keywords."""
    env = read_settings().test_postgres_env("public")
    return {name.lower(): env[f"POSTGRES_{name}"] for name in POSTGRES_CONNECTION}


def _pg_connect() -> psycopg.Connection[Any]:
    settings = _pg_settings()
    try:
        return psycopg.connect(**settings, connect_timeout=5, autocommit=True)
    except psycopg.OperationalError as error:
        where = f"{settings['user']}@{settings['host']}:{settings['port']}/{settings['dbname']}"
        pytest.fail(
            f"PostgreSQL is unreachable at {where}: {error}\n"
            "Run `scripts/postgres-up` (as root) to start it and create the trust_ledger role and database, "
            "or set TRUST_LEDGER_PG_HOST/PORT/USER/PASSWORD/DBNAME.",
            pytrace=False,
        )


BACKENDS = ["popo", "sqlite", "postgres"]


@contextlib.contextmanager
def postgres_schema(prefix: str) -> Iterator[dict[str, str]]:
    """A fresh schema on the test PostgreSQL, as eventsourcing settings; dropped afterwards, with
    the issuer's sealing-key schema beside it (`<schema>_keys`) if one was made."""
    schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
    with _pg_connect() as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield read_settings().test_postgres_env(schema)
    finally:
        with _pg_connect() as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}_keys" CASCADE')


def schema_rows(env: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    """The rows `sql` reads in the schema of `env` (a `postgres_schema`)."""
    with _pg_connect() as conn:
        conn.execute(f'SET search_path TO "{env["POSTGRES_SCHEMA"]}"')
        return conn.execute(sql).fetchall()


def open_store(backend: str, tmp_path: Path) -> Iterator[Store]:
    """An empty event store on `backend`, removed afterwards."""
    if backend == "popo":
        yield from _with_store(Store("popo", {"PERSISTENCE_MODULE": "eventsourcing.popo"}))
    elif backend == "sqlite":
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "ledger.sqlite")}
        yield from _with_store(Store("sqlite", env))
    else:
        with postgres_schema("test") as env:
            yield from _with_store(Store("postgres", env))


def _with_store(store: Store) -> Iterator[Store]:
    try:
        yield store
    finally:
        store.close()

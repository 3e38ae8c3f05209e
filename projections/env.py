"""Open the views from the same environment as the ledger (trust_ledger.store.ledger_env).

The views are eventsourcing infrastructure named ``TrustViews``: every setting may be given
with the ``TRUSTVIEWS_`` prefix to differ from the ledger's. Without one:

- PostgreSQL ledger (``PERSISTENCE_MODULE=eventsourcing.postgres``): the views use the same
  ``POSTGRES_*`` settings, so the same database and schema (tracking table ``trustviews_tracking``);
- SQLite ledger: the views go to a file beside the ledger's (``ledger.sqlite`` ->
  ``ledger-views.sqlite``), one database file per application as eventsourcing does;
- POPO (in-memory) ledger: the views go to a fresh in-memory SQLite database.

Settings prefixed ``TRUSTLEDGER_`` count as unprefixed ones when those are absent.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, IntegrityError
from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteConnectionPool, SQLiteFactory
from eventsourcing.utils import Environment

from projections.recorder import ViewRecorder
from projections.store_postgres import PostgresViewRecorder
from projections.store_sqlite import SQLiteViewRecorder
from projections.views import SqlTrustViews
from trust_ledger.settings import read_settings
from trust_ledger.table_creation import creating_tables

VIEWS_NAME = "TrustViews"
"""The views' infrastructure name: the prefix of their own settings."""

POPO, SQLITE, POSTGRES = "eventsourcing.popo", "eventsourcing.sqlite", "eventsourcing.postgres"
_LEDGER_PREFIX = "TRUSTLEDGER_"
_OWN_PREFIX = VIEWS_NAME.upper() + "_"


def views_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The views' eventsourcing settings, from the process environment's (trust_ledger.settings)
    overlaid with `env`."""
    merged = {**read_settings().eventsourcing_env(), **(env or {})}
    settings = {k.removeprefix(_LEDGER_PREFIX): v for k, v in merged.items() if k.startswith(_LEDGER_PREFIX)}
    settings.update({k: v for k, v in merged.items() if not k.startswith(_LEDGER_PREFIX)})
    module = settings.get(_OWN_PREFIX + "PERSISTENCE_MODULE") or settings.get("PERSISTENCE_MODULE") or POPO
    if module == POSTGRES:
        return {**settings, _OWN_PREFIX + "PERSISTENCE_MODULE": POSTGRES}
    if module not in (POPO, SQLITE):
        raise ValueError(f"the views cannot be stored with {module!r}: use {SQLITE} or {POSTGRES}")
    dbname = settings.get(_OWN_PREFIX + "SQLITE_DBNAME") or _beside(
        settings.get("SQLITE_DBNAME") if module == SQLITE else None
    )
    return {**settings, _OWN_PREFIX + "PERSISTENCE_MODULE": SQLITE, _OWN_PREFIX + "SQLITE_DBNAME": dbname}


def _beside(ledger_dbname: str | None) -> str:
    """A views database file beside the ledger's, or a fresh shared in-memory database."""
    if not ledger_dbname or SQLiteConnectionPool.detect_memory_mode(ledger_dbname):
        return f"file:trustviews-{uuid.uuid4().hex}?mode=memory&cache=shared"
    path = Path(ledger_dbname)
    return str(path.with_name(f"{path.stem}-views{path.suffix or '.sqlite'}"))


def open_view_recorder(env: Mapping[str, str] | None = None) -> ViewRecorder:
    """The view recorder (tables created if missing) on the store `env` chooses (see module doc)."""
    settings = Environment(VIEWS_NAME, views_env(env))
    factory: Any = InfrastructureFactory.construct(settings)
    if isinstance(factory, SQLiteFactory):
        recorder_class: type[ViewRecorder] = SQLiteViewRecorder
    elif isinstance(factory, PostgresFactory):
        recorder_class = PostgresViewRecorder
    else:  # pragma: no cover - views_env only chooses the two above
        raise ValueError(f"no view recorder for {type(factory).__name__}")
    try:
        with creating_tables(factory):
            return factory.tracking_recorder(recorder_class)
    except IntegrityError:  # another SQLite process created the tables at the same moment: they exist now
        return factory.tracking_recorder(recorder_class)


def open_views(env: Mapping[str, str] | None = None, **options: Any) -> SqlTrustViews:
    """TrustViews over the views `env` chooses; `.recorder` is what a Projector writes to."""
    return SqlTrustViews(open_view_recorder(env), **options)

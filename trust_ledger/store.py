"""Open the ledger on the persistence the environment chooses (SQLite under var/ by default)."""

from __future__ import annotations

from pathlib import Path

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError

from trust_ledger.ledger import TrustLedger
from trust_ledger.settings import read_settings


def ledger_env(var: Path | None = None) -> dict[str, str]:
    """eventsourcing settings: the environment's if it names a PERSISTENCE_MODULE (eventsourcing
    reads those itself), else SQLite in var/."""
    settings = read_settings()
    if settings.chooses_store():
        return {}
    directory = var or settings.var_dir
    directory.mkdir(parents=True, exist_ok=True)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(directory / "ledger.sqlite"),
        "SQLITE_LOCK_TIMEOUT": "30",
    }


def open_ledger(var: Path | None = None) -> TrustLedger:
    """The TrustLedger on the configured store.

    Two processes opening a new store at once (a follower and a resolver, say) race to
    create its tables; eventsourcing 9.5 then raises IntegrityError in the loser, whose
    tables the winner has just made, so opening again succeeds.
    """
    env = ledger_env(var)
    try:
        return TrustLedger(env=env)
    except IntegrityError:
        return TrustLedger(env=env)


STORE_UNAVAILABLE = (OperationalError, InterfaceError)
"""What eventsourcing raises when the database does not answer (restarting, connection lost)."""

STORE_RETRY_AFTER_SECONDS = 1
"""What every API tells a client in Retry-After when it answers 503 for a store outage."""


def first_line(error: BaseException) -> str:
    """The first line of an error's message (database errors run to several), or its type's name."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

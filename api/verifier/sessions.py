"""Presentation sessions: one per DWVP-01-101 transaction, answered at most once.

In the verifier's state database (trust_ledger.state_db): SQLite under the var directory, or the
ledger's PostgreSQL shared by every replica, so a restart keeps open requests and results and a
request opened on one replica is answered and read on any other. ``answer`` is a conditional
UPDATE: of two responses racing for one request (or a replay), exactly one wins, also across
processes and replicas sharing the database; so are ``mark_fetched`` (the request object is
served once) and ``record_wallet_error`` (a wallet's error response is an event of the open
session, not its answer; its row is locked while the event is added). Sessions carry the
verifier's DID (``owner``): verifiers sharing a database never see each other's transactions.
A same-device session (opened with a ``redirect_uri``) keeps the SHA-256 digest of each response
code it handed out, never the code. A session (with its result, personal data
included) is deleted ``retention`` seconds after it was answered, or after it expired
unanswered, by a purge that runs every ``PURGE_EVERY`` seconds in the background
(``start_purging``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError, PersistenceError

from trust_ledger.state_db import SQLiteState, StateDatabase

log = logging.getLogger(__name__)

PURGE_EVERY = 60.0
"""Seconds between two purges of sessions past their retention."""

MAX_WALLET_ERRORS = 10
"""Error responses kept per session; later ones are answered and logged, not stored."""

TABLE = "presentation_sessions"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS {table} (
    owner TEXT NOT NULL DEFAULT '',
    transaction_id TEXT NOT NULL,
    template_ref TEXT NOT NULL,
    request_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL UNIQUE,
    nonce TEXT NOT NULL,
    callback INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    answered_at INTEGER,
    result TEXT,
    redirect_uri TEXT,
    fetched_at INTEGER,
    response_code TEXT,
    wallet_errors TEXT,
    PRIMARY KEY (owner, transaction_id)
)
"""

_ADDED_COLUMNS = {  # columns later versions added: ALTER TABLE on a file an older version created
    "owner": "TEXT NOT NULL DEFAULT ''",  # rows from before: readable by the var directory's verifier
    "redirect_uri": "TEXT",
    "fetched_at": "INTEGER",
    "response_code": "TEXT",
    "wallet_errors": "TEXT",
}


def new_response_code() -> str:
    """A fresh response code (OID4VP 1.0 §8.2): 256 random bits, base64url."""
    return secrets.token_urlsafe(32)


def response_code_digest(code: str) -> str:
    """What the store keeps of a response code: its SHA-256, hex."""
    return hashlib.sha256(code.encode()).hexdigest()


def same_code(code: str, digest: str | None) -> bool:
    """Whether ``code`` is the one whose digest was stored (constant-time)."""
    return digest is not None and hmac.compare_digest(response_code_digest(code), digest)


@dataclass(frozen=True)
class Session:
    """An open or answered presentation request."""

    transaction_id: str
    template_ref: str
    request_id: str
    state: str
    nonce: str
    callback: bool
    created_at: int
    expires_at: int
    answered_at: int | None
    result: dict[str, Any] | None
    redirect_uri: str | None = None
    """Same-device flow: where the wallet sends the user agent back, with a response code."""
    fetched_at: int | None = None
    """When the request object was first served."""
    response_code: str | None = None
    """Digest of the response code handed out with the answer (same-device flow)."""
    wallet_errors: tuple[dict[str, Any], ...] = ()
    """Error responses received while open: ``{at, responseCode (digest or None), result}``."""

    @property
    def same_device(self) -> bool:
        return self.redirect_uri is not None


class DuplicateTransaction(Exception):
    """The caller reused a transactionId (DWVP-01-101 requires a fresh one)."""


class SessionStore:
    """Sessions of one verifier (``owner``, its DID) in a state database (a SQLite file when given a
    path); safe to share between threads, processes and replicas."""

    def __init__(self, database: StateDatabase | Path, retention: int = 3600, *, owner: str = ""):
        self._owned = not isinstance(database, StateDatabase)
        # nonces, states and presentations: a SQLite file is 0600 (and so its -wal / -shm) in 0700
        self.db = database if isinstance(database, StateDatabase) else SQLiteState(database)
        self.retention = retention
        self.owner = owner
        self._table = self.db.table(TABLE)
        self.db.create([_SCHEMA.format(table=self._table)])
        self._migrate()
        self._stop = threading.Event()
        self._purger: threading.Thread | None = None

    def _migrate(self) -> None:
        """Add the columns a table made by an older version lacks (only SQLite files are that old)."""
        if self.db.dialect != "sqlite":
            return
        have = {row["name"] for row in self.db.all(f"PRAGMA table_info({self._table})")}
        for name, kind in _ADDED_COLUMNS.items():
            if name in have:
                continue
            try:
                self.db.run(f"ALTER TABLE {self._table} ADD COLUMN {name} {kind}")
            except PersistenceError as error:  # another process added it first
                if "duplicate column" not in str(error):
                    raise

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction of the state database: what the thread runs in it (here, or in another
        store on the same database, such as the callback queue) commits together or not at all."""
        with self.db.transaction():
            yield

    def start_purging(self, clock: Callable[[], int], every: float = PURGE_EVERY) -> None:
        """Purge now, then every `every` seconds in a background thread, until ``close``."""

        def run() -> None:
            while True:
                try:
                    self.purge(clock())
                except PersistenceError as error:  # a busy file, a database restarting: next round
                    log.warning("purging expired sessions failed: %s", error)
                if self._stop.wait(every):
                    return

        self._purger = threading.Thread(target=run, name="verifier-session-purge", daemon=True)
        self._purger.start()

    def purge(self, now: int) -> int:
        """Delete this verifier's sessions answered, or expired unanswered, more than ``retention``
        seconds before `now`; returns how many."""
        return self.db.run(
            f"DELETE FROM {self._table} WHERE owner IN (?, '') AND COALESCE(answered_at, expires_at) <= ?",
            (self.owner, now - self.retention),
        )

    def count(self) -> int:
        """How many sessions of this verifier the store holds."""
        return int(
            self.db.value(f"SELECT COUNT(*) AS n FROM {self._table} WHERE owner IN (?, '')", (self.owner,))
        )

    def close(self) -> None:
        self._stop.set()
        if self._purger is not None:
            self._purger.join(5)
        if self._owned:
            self.db.close()

    def open(self, session: Session) -> None:
        """Record a new request; ``DuplicateTransaction`` if its transaction id was used before."""
        try:
            self.db.run(
                f"INSERT INTO {self._table} (owner, transaction_id, template_ref, request_id, state, "
                "nonce, callback, created_at, expires_at, redirect_uri) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.owner,
                    session.transaction_id,
                    session.template_ref,
                    session.request_id,
                    session.state,
                    session.nonce,
                    int(session.callback),
                    session.created_at,
                    session.expires_at,
                    session.redirect_uri,
                ),
            )
        except IntegrityError:
            raise DuplicateTransaction(session.transaction_id) from None

    def by_transaction(self, transaction_id: str) -> Session | None:
        return self._one("transaction_id", transaction_id)

    def by_request(self, request_id: str) -> Session | None:
        return self._one("request_id", request_id)

    def by_state(self, state: str) -> Session | None:
        return self._one("state", state)

    def mark_fetched(self, request_id: str, now: int, *, single: bool) -> bool:
        """Record that the request object of an open, unexpired request is served now; False if it
        is answered or expired, or (``single``) was served before: of racing fetches one wins."""
        once = " AND fetched_at IS NULL" if single else ""
        changed = self.db.run(
            f"UPDATE {self._table} SET fetched_at = COALESCE(fetched_at, ?) "
            f"WHERE request_id = ? AND owner IN (?, '') AND answered_at IS NULL AND expires_at > ?{once}",
            (now, request_id, self.owner, now),
        )
        return changed == 1

    def answer(self, state: str, now: int, result: dict[str, Any], response_code: str | None = None) -> bool:
        """Store the result of the first presentation for an open, unexpired request (and the
        digest of the response code handed out with it); False otherwise."""
        changed = self.db.run(
            f"UPDATE {self._table} SET answered_at = ?, result = ?, response_code = ? "
            "WHERE state = ? AND owner IN (?, '') AND answered_at IS NULL AND expires_at > ?",
            (now, json.dumps(result, ensure_ascii=False), response_code, state, self.owner, now),
        )
        return changed == 1

    def record_wallet_error(self, state: str, now: int, event: dict[str, Any]) -> bool:
        """Append a wallet's error response to an open, unexpired request, which stays open (the
        holder can still present); False if it is answered or expired, or already holds
        ``MAX_WALLET_ERRORS`` of them."""
        open_session = "WHERE state = ? AND owner IN (?, '') AND answered_at IS NULL AND expires_at > ?"
        with self.db.transaction():  # the row stays locked until the event is added (FOR UPDATE)
            row = self.db.one(
                f"SELECT wallet_errors FROM {self._table} {open_session}{self.db.for_update}",
                (state, self.owner, now),
            )
            if row is None:
                return False
            errors = json.loads(row["wallet_errors"]) if row["wallet_errors"] else []
            if len(errors) >= MAX_WALLET_ERRORS:
                return False
            self.db.run(
                f"UPDATE {self._table} SET wallet_errors = ? WHERE state = ? AND owner IN (?, '')",
                (json.dumps([*errors, event], ensure_ascii=False), state, self.owner),
            )
        return True

    def _one(self, column: str, value: str) -> Session | None:
        row = self.db.one(
            f"SELECT * FROM {self._table} WHERE {column} = ? AND owner IN (?, '')", (value, self.owner)
        )
        if row is None:
            return None
        return Session(
            transaction_id=row["transaction_id"],
            template_ref=row["template_ref"],
            request_id=row["request_id"],
            state=row["state"],
            nonce=row["nonce"],
            callback=bool(row["callback"]),
            created_at=row["created_at"],
            expires_at=row["expires_at"],
            answered_at=row["answered_at"],
            result=json.loads(row["result"]) if row["result"] else None,
            redirect_uri=row["redirect_uri"],
            fetched_at=row["fetched_at"],
            response_code=row["response_code"],
            wallet_errors=tuple(json.loads(row["wallet_errors"])) if row["wallet_errors"] else (),
        )

"""Presentation sessions: one per DWVP-01-101 transaction, answered at most once.

SQLite under the var directory, so a restart keeps open requests and results. ``answer`` is a
conditional UPDATE: of two responses racing for one request (or a replay), exactly one wins,
also across processes sharing the file; so are ``mark_fetched`` (the request object is served
once) and ``record_wallet_error`` (a wallet's error response is an event of the open session, not
its answer). A same-device session (opened with a ``redirect_uri``) keeps the SHA-256 digest of
each response code it handed out, never the code. A session (with its result, personal data
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
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trust_ledger.paths import private_file

log = logging.getLogger(__name__)

PURGE_EVERY = 60.0
"""Seconds between two purges of sessions past their retention."""

MAX_WALLET_ERRORS = 10
"""Error responses kept per session; later ones are answered and logged, not stored."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS presentation_sessions (
    transaction_id TEXT PRIMARY KEY,
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
    wallet_errors TEXT
)
"""

_ADDED_COLUMNS = {  # columns later versions added: ALTER TABLE on a file an older version created
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
    """Sessions in one SQLite file; safe to share between threads."""

    def __init__(self, path: Path, retention: int = 3600):
        private_file(path)  # nonces, states and presentations: 0600 (and so its -wal / -shm) in 0700
        self.retention = retention
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._migrate()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._purger: threading.Thread | None = None

    def _migrate(self) -> None:
        have = {row["name"] for row in self._db.execute("PRAGMA table_info(presentation_sessions)")}
        for name, kind in _ADDED_COLUMNS.items():
            if name in have:
                continue
            try:
                self._db.execute(f"ALTER TABLE presentation_sessions ADD COLUMN {name} {kind}")
            except sqlite3.OperationalError as error:  # another process added it first
                if "duplicate column" not in str(error):
                    raise

    def start_purging(self, clock: Callable[[], int], every: float = PURGE_EVERY) -> None:
        """Purge now, then every `every` seconds in a background thread, until ``close``."""

        def run() -> None:
            while True:
                try:
                    self.purge(clock())
                except sqlite3.Error as error:  # a busy file: the next round catches up
                    log.warning("purging expired sessions failed: %s", error)
                if self._stop.wait(every):
                    return

        self._purger = threading.Thread(target=run, name="verifier-session-purge", daemon=True)
        self._purger.start()

    def purge(self, now: int) -> int:
        """Delete the sessions answered, or expired unanswered, more than ``retention`` seconds
        before `now`; returns how many."""
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM presentation_sessions WHERE COALESCE(answered_at, expires_at) <= ?",
                (now - self.retention,),
            )
        return cursor.rowcount

    def count(self) -> int:
        """How many sessions the store holds."""
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM presentation_sessions").fetchone()[0]

    def close(self) -> None:
        self._stop.set()
        if self._purger is not None:
            self._purger.join(5)
        with self._lock:
            self._db.close()

    def open(self, session: Session) -> None:
        """Record a new request; ``DuplicateTransaction`` if its transaction id was used before."""
        try:
            with self._lock:
                self._db.execute(
                    "INSERT INTO presentation_sessions (transaction_id, template_ref, request_id, state, "
                    "nonce, callback, created_at, expires_at, redirect_uri) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
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
        except sqlite3.IntegrityError:
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
        with self._lock:
            cursor = self._db.execute(
                "UPDATE presentation_sessions SET fetched_at = COALESCE(fetched_at, ?) "
                f"WHERE request_id = ? AND answered_at IS NULL AND expires_at > ?{once}",
                (now, request_id, now),
            )
        return cursor.rowcount == 1

    def answer(self, state: str, now: int, result: dict[str, Any], response_code: str | None = None) -> bool:
        """Store the result of the first presentation for an open, unexpired request (and the
        digest of the response code handed out with it); False otherwise."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE presentation_sessions SET answered_at = ?, result = ?, response_code = ? "
                "WHERE state = ? AND answered_at IS NULL AND expires_at > ?",
                (now, json.dumps(result, ensure_ascii=False), response_code, state, now),
            )
        return cursor.rowcount == 1

    def record_wallet_error(self, state: str, now: int, event: dict[str, Any]) -> bool:
        """Append a wallet's error response to an open, unexpired request, which stays open (the
        holder can still present); False if it is answered or expired, or already holds
        ``MAX_WALLET_ERRORS`` of them."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE presentation_sessions "
                "SET wallet_errors = json_insert(COALESCE(wallet_errors, '[]'), '$[#]', json(?)) "
                "WHERE state = ? AND answered_at IS NULL AND expires_at > ? "
                "AND json_array_length(COALESCE(wallet_errors, '[]')) < ?",
                (json.dumps(event, ensure_ascii=False), state, now, MAX_WALLET_ERRORS),
            )
        return cursor.rowcount == 1

    def _one(self, column: str, value: str) -> Session | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT * FROM presentation_sessions WHERE {column} = ?", (value,)
            ).fetchone()
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

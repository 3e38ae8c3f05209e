"""c_nonce values: unpredictable, short-lived, single use, kept in the issuer's state database.

Single use is the database's: ``consume`` is one ``DELETE ... WHERE nonce = ? AND expires_at > now``,
and only the request whose DELETE removed the row may use the nonce. Two requests racing with one
nonce, in one process or on two replicas sharing the database, get one row between them. Only a
SHA-256 of each nonce is stored. Expired nonces are deleted when new ones are issued.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from trust_ledger.state_db import StateDatabase

TABLE = "issuer_nonces"


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


class NonceStore:
    """Issues c_nonces and consumes each at most once before it expires."""

    def __init__(self, ttl: int, clock: Callable[[], int], database: StateDatabase):
        self.ttl = ttl
        self.clock = clock
        self.db = database
        self._table = database.table(TABLE)
        database.create(
            [
                f"CREATE TABLE IF NOT EXISTS {self._table} "
                "(nonce_hash TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)",
                f"CREATE INDEX IF NOT EXISTS issuer_nonces_expiry ON {self._table} (expires_at)",
            ]
        )

    def issue(self) -> str:
        nonce = secrets.token_urlsafe(24)
        now = self.clock()
        self.db.run(f"DELETE FROM {self._table} WHERE expires_at <= ?", (now,))
        self.db.run(
            f"INSERT INTO {self._table} (nonce_hash, expires_at) VALUES (?, ?)",
            (_digest(nonce), now + self.ttl),
        )
        return nonce

    def consume(self, nonce: str) -> bool:
        """True once for a live nonce; False if unknown, expired or already used (here or on
        another replica)."""
        if not isinstance(nonce, str):
            return False
        removed = self.db.run(
            f"DELETE FROM {self._table} WHERE nonce_hash = ? AND expires_at > ?",
            (_digest(nonce), self.clock()),
        )
        return removed == 1

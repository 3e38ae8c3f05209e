"""A token bucket per client address, for the unauthenticated DWVP-02-101 (static QR) route.

Each address holds up to ``burst`` tokens, refilled at ``rate`` per second; a request takes one.
The buckets are rows of the verifier's state database (trust_ledger.state_db), so every replica
and worker behind a proxy takes from the same bucket: N replicas do not multiply the allowance by
N. A take is one transaction that locks the address's row (PostgreSQL `FOR UPDATE`; SQLite's write
lock), so concurrent requests from one address on several replicas each see the others' takes.
Time is the wall clock (replicas share it; a monotonic clock is per process). A bucket idle long
enough to be full again is the same as none and is deleted, which bounds the table by the
addresses seen within ``burst / rate`` seconds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from trust_ledger.state_db import SQLiteState, StateDatabase

TABLE = "verifier_rate_buckets"
PURGE_EVERY = 256
"""Takes between two deletions of full (idle) buckets."""


class TokenBuckets:
    """Per-key token buckets; ``take`` answers 0 when allowed, else the seconds to wait. Without a
    database, the buckets are in an in-memory SQLite database of this process."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        database: StateDatabase | None = None,
        scope: str = "",
        clock: Callable[[], float] = time.time,
    ):
        self.rate = rate
        self.burst = burst
        self.scope = scope  # the verifier's DID: verifiers sharing a database keep their own buckets
        self.clock = clock
        self.db = database or SQLiteState(":memory:")
        self._table = self.db.table(TABLE)
        self.db.create(
            [
                f"CREATE TABLE IF NOT EXISTS {self._table} (scope TEXT NOT NULL, client TEXT NOT NULL, "
                "tokens REAL NOT NULL, updated REAL NOT NULL, PRIMARY KEY (scope, client))",
                f"CREATE INDEX IF NOT EXISTS verifier_rate_buckets_updated ON {self._table} (scope, updated)",
            ]
        )
        self._takes = 0

    def take(self, key: str) -> int:
        """Take a token for `key`: 0 if there was one, else whole seconds until there is."""
        now = self.clock()
        with self.db.transaction():
            self.db.run(
                f"INSERT INTO {self._table} (scope, client, tokens, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (scope, client) DO NOTHING",
                (self.scope, key, float(self.burst), now),
            )
            where = "WHERE scope = ? AND client = ?"
            row = self.db.one(
                f"SELECT tokens, updated FROM {self._table} {where}{self.db.for_update}", (self.scope, key)
            )
            assert row is not None  # inserted above, or there already
            tokens = min(float(self.burst), row["tokens"] + max(0.0, now - row["updated"]) * self.rate)
            wait = 0 if tokens >= 1 else max(1, math.ceil((1 - tokens) / self.rate))
            self.db.run(
                f"UPDATE {self._table} SET tokens = ?, updated = ? WHERE scope = ? AND client = ?",
                (tokens - 1 if wait == 0 else tokens, max(now, row["updated"]), self.scope, key),
            )
        self._takes += 1
        if self._takes % PURGE_EVERY == 0:
            self.purge(now)
        return wait

    def purge(self, now: float) -> int:
        """Delete this verifier's buckets that are full again (as good as absent); how many."""
        return self.db.run(
            f"DELETE FROM {self._table} WHERE scope = ? AND updated < ?",
            (self.scope, now - self.burst / self.rate if self.rate else now),
        )

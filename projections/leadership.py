"""Which of several serving processes follows the chain: one leader, the others hot standbys.

Every serving process over one store (replicas behind a proxy, `serve --workers N`) reads the
shared views; exactly one of them should follow the chain and project. The lease decides which:

- PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a connection held for the
  process's life, keyed by the views' schema. When the leader dies, even by SIGKILL, its
  connection closes and the server releases the lock: a standby's next try wins it.
- SQLite: an exclusive `flock` on a file beside the views' database; the kernel releases it when
  the process dies.
- In-memory views: one process by definition, so the lease is always held.

The lease is about work, not correctness: ingestion and projection are exactly-once by the
store's tracking records, so two processes following for a moment (a leader whose database
connection dropped and a standby that took over) record every log once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Any, Protocol

import psycopg

log = logging.getLogger("projections.leadership")


class FollowerLease(Protocol):
    """The right to follow the chain and write the views, held by at most one process."""

    def try_acquire(self) -> bool:
        """Take the lease if nobody holds it; True if this process holds it now."""

    def held(self) -> bool:
        """Whether this process still holds the lease (False once its hold on it is lost)."""

    def release(self) -> None:
        """Give the lease up (a standby's next try takes it)."""


class SoleLease:
    """The lease of views only this process can reach (in-memory): always held."""

    def try_acquire(self) -> bool:
        return True

    def held(self) -> bool:
        return True

    def release(self) -> None:
        return None


class FileLease:
    """An exclusive flock on `path`: one holder among the processes of this machine."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


class AdvisoryLease:
    """A PostgreSQL session advisory lock on its own connection (never the pool's: a pooled
    connection goes back to the pool, and the lock with it)."""

    def __init__(self, connect: dict[str, Any], schema: str) -> None:
        self._connect = connect
        self.key = lease_key(schema)
        self._connection: psycopg.Connection[Any] | None = None

    def try_acquire(self) -> bool:
        if self.held():
            return True
        self.release()
        try:
            connection = psycopg.connect(
                **self._connect,
                autocommit=True,
                connect_timeout=5,
                # a leader cut off by the network must notice before a standby holds the lock
                # long: TCP keepalives end the session within ~20 s on both sides.
                keepalives=1,
                keepalives_idle=10,
                keepalives_interval=5,
                keepalives_count=2,
            )
        except psycopg.OperationalError as error:
            log.warning("cannot reach PostgreSQL to take the follower lease: %s", str(error).strip())
            return False
        row = connection.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        if row is None or not row[0]:
            connection.close()
            return False
        self._connection = connection
        return True

    def held(self) -> bool:
        connection = self._connection
        if connection is None or connection.closed:
            return False
        try:  # a session lock lasts as long as its session: the session answering is the lock held
            connection.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                self._connection.close()  # the session ends: PostgreSQL releases its advisory locks
            self._connection = None


def lease_key(schema: str) -> int:
    """The advisory lock key of the follower of the views in `schema` (a signed 64-bit integer),
    so processes over different schemas of one database never wait on each other."""
    digest = hashlib.blake2b(f"trust-ledger follower {schema}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)

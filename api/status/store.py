"""SQLite persistence for status index allocation: the issuer's lists and every index handed out.

The primary key (list, index) is what finally guarantees that no index is handed out twice,
even by two processes sharing the file; every change runs in a `BEGIN IMMEDIATE`
transaction, so a crash leaves either all of a credential's allocations or none.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS status_lists (
    row_id INTEGER PRIMARY KEY,
    issuer_did TEXT NOT NULL,
    credential_type TEXT NOT NULL,
    purpose TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    size INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'open', 'full', 'failed')),
    list_id INTEGER UNIQUE,
    uri TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (issuer_did, credential_type, purpose, sequence)
);
CREATE TABLE IF NOT EXISTS status_allocations (
    list_row INTEGER NOT NULL REFERENCES status_lists (row_id),
    idx INTEGER NOT NULL,
    credential_id TEXT,
    allocated_at INTEGER NOT NULL,
    PRIMARY KEY (list_row, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS status_allocations_by_credential
    ON status_allocations (credential_id) WHERE credential_id IS NOT NULL;
"""


@dataclass(frozen=True)
class ListRecord:
    """One of the issuer's status lists as the store knows it."""

    row_id: int
    issuer_did: str
    credential_type: str
    purpose: str
    sequence: int
    size: int
    state: str  # pending (being created on chain), open, full, failed
    list_id: int | None
    uri: str | None
    created_at: int


class AllocationStore:
    """The lists and allocations in one SQLite file (WAL, synchronous=FULL).

    One connection, serialised by a lock, so the store may be shared by threads; other
    processes may open the same file (SQLite's write lock orders them).
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)  # idempotent: a crash half-way is finished on the next open

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """An immediate (write-locked) transaction: committed on success, rolled back on error."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _all(self, sql: str, args: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _one(self, sql: str, args: tuple[object, ...] = ()) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def _value(self, sql: str, args: tuple[object, ...] = ()) -> Any:
        """The one value of an aggregate query (COUNT, MAX), which always answers one row."""
        row = self._one(sql, args)
        if row is None:
            raise LookupError(f"no row for an aggregate query: {sql}")
        return row[0]

    def _run(self, sql: str, args: tuple[object, ...] = ()) -> int | None:
        with self._lock:
            return self._db.execute(sql, args).lastrowid

    # ------------------------------------------------------------ lists

    def open_lists(self, issuer_did: str, credential_type: str, purpose: str) -> list[ListRecord]:
        """The open lists for a key, newest (highest sequence) first."""
        rows = self._all(
            "SELECT * FROM status_lists WHERE issuer_did = ? AND credential_type = ? AND purpose = ? "
            "AND state = 'open' ORDER BY sequence DESC",
            (issuer_did, credential_type, purpose),
        )
        return [_record(row) for row in rows]

    def lists(self, issuer_did: str, credential_type: str, purpose: str | None = None) -> list[ListRecord]:
        """Every list for an issuer and credential type (optionally one purpose), by purpose and age."""
        sql = "SELECT * FROM status_lists WHERE issuer_did = ? AND credential_type = ?"
        args: tuple[str, ...] = (issuer_did, credential_type)
        if purpose is not None:
            sql, args = sql + " AND purpose = ?", (*args, purpose)
        return [_record(row) for row in self._all(sql + " ORDER BY purpose, sequence", args)]

    def pending_lists(self, issuer_did: str, credential_type: str, purpose: str) -> list[ListRecord]:
        """The lists for a key whose creation on chain is under way (or was, by a process that died)."""
        rows = self._all(
            "SELECT * FROM status_lists WHERE issuer_did = ? AND credential_type = ? AND purpose = ? "
            "AND state = 'pending' ORDER BY sequence",
            (issuer_did, credential_type, purpose),
        )
        return [_record(row) for row in rows]

    def reserve_list(self, issuer_did: str, credential_type: str, purpose: str, size: int) -> ListRecord:
        """A new 'pending' list with the next sequence number (never reused, even if creation fails).

        Call inside a transaction.
        """
        last = self._value(
            "SELECT COALESCE(MAX(sequence), 0) FROM status_lists "
            "WHERE issuer_did = ? AND credential_type = ? AND purpose = ?",
            (issuer_did, credential_type, purpose),
        )
        row_id = self._run(
            "INSERT INTO status_lists (issuer_did, credential_type, purpose, sequence, size, state, "
            "created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)",
            (issuer_did, credential_type, purpose, last + 1, size, int(time.time())),
        )
        return self.list_by_row(row_id)

    def set_state(
        self, row_id: int, state: str, *, list_id: int | None = None, uri: str | None = None
    ) -> None:
        """Move a list to `state`; `list_id` and `uri` are recorded when it opens."""
        if state == "open":
            self._run(
                "UPDATE status_lists SET state = 'open', list_id = ?, uri = ? WHERE row_id = ?",
                (list_id, uri, row_id),
            )
        else:
            self._run("UPDATE status_lists SET state = ? WHERE row_id = ?", (state, row_id))

    def list_by_row(self, row_id: int | None) -> ListRecord:
        """The list stored under `row_id`."""
        row = self._one("SELECT * FROM status_lists WHERE row_id = ?", (row_id,))
        if row is None:
            raise KeyError(f"no status list row {row_id}")
        return _record(row)

    # ------------------------------------------------------------ allocations

    def count(self, row_id: int) -> int:
        """How many indices of the list have been handed out."""
        return int(self._value("SELECT COUNT(*) FROM status_allocations WHERE list_row = ?", (row_id,)))

    def is_allocated(self, row_id: int, index: int) -> bool:
        """Whether `index` of the list has been handed out."""
        sql = "SELECT 1 FROM status_allocations WHERE list_row = ? AND idx = ?"
        return self._one(sql, (row_id, index)) is not None

    def allocated(self, row_id: int) -> set[int]:
        """Every index of the list handed out so far."""
        return {
            row[0] for row in self._all("SELECT idx FROM status_allocations WHERE list_row = ?", (row_id,))
        }

    def add(self, row_id: int, index: int, credential_id: str | None) -> None:
        """Record that `index` of the list is handed out (IntegrityError if it already was).

        Call inside a transaction, with the credential's other allocations.
        """
        self._run(
            "INSERT INTO status_allocations (list_row, idx, credential_id, allocated_at) VALUES (?, ?, ?, ?)",
            (row_id, index, credential_id, int(time.time())),
        )

    def of_credential(self, credential_id: str) -> list[tuple[ListRecord, int]]:
        """The (list, index) pairs allocated to a credential id."""
        rows = self._all(
            "SELECT list_row, idx FROM status_allocations WHERE credential_id = ? ORDER BY list_row",
            (credential_id,),
        )
        return [(self.list_by_row(row["list_row"]), row["idx"]) for row in rows]


def _record(row: sqlite3.Row) -> ListRecord:
    return ListRecord(
        row_id=row["row_id"],
        issuer_did=row["issuer_did"],
        credential_type=row["credential_type"],
        purpose=row["purpose"],
        sequence=row["sequence"],
        size=row["size"],
        state=row["state"],
        list_id=row["list_id"],
        uri=row["uri"],
        created_at=row["created_at"],
    )

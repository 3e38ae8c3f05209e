"""Persistence for status index allocation: the issuer's lists and every index handed out.

A state database (trust_ledger.state_db): a SQLite file by default, the ledger's PostgreSQL schema
when the ledger is there, shared by every replica of the issuer. The primary key (list, index) is
what finally guarantees that no index is handed out twice, by any number of threads, processes or
replicas; every change runs in one transaction (SQLite: `BEGIN IMMEDIATE`, the file's write lock;
PostgreSQL: the current lists' rows are read `FOR UPDATE`, so allocators of one list take turns and
each sees the indices the one before committed), so a crash leaves either all of a credential's
allocations or none. Two allocators reserving the same new list sequence meet the unique
(issuer, type, purpose, sequence) key: one wins, the other waits for its list.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trust_ledger.state_db import SQLiteState, StateDatabase

LISTS, ALLOCATIONS = "status_lists", "status_allocations"


def schema(db: StateDatabase) -> list[str]:
    """The tables, written for SQLite (the state database translates them for PostgreSQL)."""
    lists, allocations = db.table(LISTS), db.table(ALLOCATIONS)
    return [
        f"""CREATE TABLE IF NOT EXISTS {lists} (
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
)""",
        f"""CREATE TABLE IF NOT EXISTS {allocations} (
    list_row INTEGER NOT NULL REFERENCES {lists} (row_id),
    idx INTEGER NOT NULL,
    credential_id TEXT,
    allocated_at INTEGER NOT NULL,
    PRIMARY KEY (list_row, idx)
) WITHOUT ROWID""",
        f"CREATE INDEX IF NOT EXISTS status_allocations_by_credential "
        f"ON {allocations} (credential_id) WHERE credential_id IS NOT NULL",
    ]


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
    """The lists and allocations in a state database (a SQLite file when given a path).

    Safe to share between threads; other processes or replicas may use the same database.
    """

    def __init__(self, database: StateDatabase | str | Path):
        self._owned = not isinstance(database, StateDatabase)
        self.db = SQLiteState(Path(database)) if not isinstance(database, StateDatabase) else database
        self.path = str(getattr(self.db, "path", ""))
        self.db.create(schema(self.db))  # idempotent: a crash half-way is finished on the next open
        self._lists, self._allocations = self.db.table(LISTS), self.db.table(ALLOCATIONS)

    def close(self) -> None:
        """Close the database if this store opened it."""
        if self._owned:
            self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction: committed on success, rolled back on error."""
        with self.db.transaction():
            yield

    def _all(self, sql: str, args: tuple[object, ...] = ()) -> list[dict[str, Any]]:
        return self.db.all(sql, args)

    def _one(self, sql: str, args: tuple[object, ...] = ()) -> dict[str, Any] | None:
        return self.db.one(sql, args)

    # ------------------------------------------------------------ lists

    def open_lists(self, issuer_did: str, credential_type: str, purpose: str) -> list[ListRecord]:
        """The open lists for a key, newest (highest sequence) first; inside a transaction on
        PostgreSQL their rows stay locked until it ends (allocators of one list take turns)."""
        rows = self._all(
            f"SELECT * FROM {self._lists} WHERE issuer_did = ? AND credential_type = ? AND purpose = ? "
            f"AND state = 'open' ORDER BY sequence DESC{self.db.for_update}",
            (issuer_did, credential_type, purpose),
        )
        return [_record(row) for row in rows]

    def lists(self, issuer_did: str, credential_type: str, purpose: str | None = None) -> list[ListRecord]:
        """Every list for an issuer and credential type (optionally one purpose), by purpose and age."""
        sql = f"SELECT * FROM {self._lists} WHERE issuer_did = ? AND credential_type = ?"
        args: tuple[str, ...] = (issuer_did, credential_type)
        if purpose is not None:
            sql, args = sql + " AND purpose = ?", (*args, purpose)
        return [_record(row) for row in self._all(sql + " ORDER BY purpose, sequence", args)]

    def pending_lists(self, issuer_did: str, credential_type: str, purpose: str) -> list[ListRecord]:
        """The lists for a key whose creation on chain is under way (or was, by a process that died)."""
        rows = self._all(
            f"SELECT * FROM {self._lists} WHERE issuer_did = ? AND credential_type = ? AND purpose = ? "
            "AND state = 'pending' ORDER BY sequence",
            (issuer_did, credential_type, purpose),
        )
        return [_record(row) for row in rows]

    def reserve_list(
        self, issuer_did: str, credential_type: str, purpose: str, size: int
    ) -> ListRecord | None:
        """A new 'pending' list with the next sequence number (never reused, even if creation fails),
        or None if the key has an open or pending list by now, or another allocator reserved that
        sequence at the same moment.

        One statement, so one snapshot decides (PostgreSQL's READ COMMITTED gives each statement its
        own): two allocators reserving at once either meet each other's row or the unique key.
        Call inside a transaction.
        """
        key, keyed = (
            "issuer_did = ? AND credential_type = ? AND purpose = ?",
            (issuer_did, credential_type, purpose),
        )
        row = self._one(
            f"INSERT INTO {self._lists} (issuer_did, credential_type, purpose, sequence, size, state, "
            f"created_at) SELECT ?, ?, ?, (SELECT COALESCE(MAX(sequence), 0) + 1 FROM {self._lists} "
            f"WHERE {key}), ?, 'pending', ? WHERE NOT EXISTS (SELECT 1 FROM {self._lists} WHERE {key} "
            "AND state IN ('open', 'pending')) "
            "ON CONFLICT (issuer_did, credential_type, purpose, sequence) DO NOTHING RETURNING row_id",
            (*keyed, *keyed, size, int(time.time()), *keyed),
        )
        return None if row is None else self.list_by_row(row["row_id"])

    def set_state(
        self, row_id: int, state: str, *, list_id: int | None = None, uri: str | None = None
    ) -> None:
        """Move a list to `state`; `list_id` and `uri` are recorded when it opens."""
        if state == "open":
            self.db.run(
                f"UPDATE {self._lists} SET state = 'open', list_id = ?, uri = ? WHERE row_id = ?",
                (list_id, uri, row_id),
            )
        else:
            self.db.run(f"UPDATE {self._lists} SET state = ? WHERE row_id = ?", (state, row_id))

    def list_by_row(self, row_id: int | None) -> ListRecord:
        """The list stored under `row_id`."""
        row = self._one(f"SELECT * FROM {self._lists} WHERE row_id = ?", (row_id,))
        if row is None:
            raise KeyError(f"no status list row {row_id}")
        return _record(row)

    # ------------------------------------------------------------ allocations

    def count(self, row_id: int) -> int:
        """How many indices of the list have been handed out."""
        sql = f"SELECT COUNT(*) AS n FROM {self._allocations} WHERE list_row = ?"
        return int(self.db.value(sql, (row_id,)))

    def is_allocated(self, row_id: int, index: int) -> bool:
        """Whether `index` of the list has been handed out."""
        sql = f"SELECT 1 AS found FROM {self._allocations} WHERE list_row = ? AND idx = ?"
        return self._one(sql, (row_id, index)) is not None

    def allocated(self, row_id: int) -> set[int]:
        """Every index of the list handed out so far."""
        return {
            row["idx"]
            for row in self._all(f"SELECT idx FROM {self._allocations} WHERE list_row = ?", (row_id,))
        }

    def add(self, row_id: int, index: int, credential_id: str | None) -> None:
        """Record that `index` of the list is handed out (IntegrityError if it already was).

        Call inside a transaction, with the credential's other allocations.
        """
        self.db.run(
            f"INSERT INTO {self._allocations} (list_row, idx, credential_id, allocated_at) "
            "VALUES (?, ?, ?, ?)",
            (row_id, index, credential_id, int(time.time())),
        )

    def of_credential(self, credential_id: str) -> list[tuple[ListRecord, int]]:
        """The (list, index) pairs allocated to a credential id."""
        rows = self._all(
            f"SELECT list_row, idx FROM {self._allocations} WHERE credential_id = ? ORDER BY list_row",
            (credential_id,),
        )
        return [(self.list_by_row(row["list_row"]), row["idx"]) for row in rows]


def _record(row: dict[str, Any]) -> ListRecord:
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

"""What every issuer use case needs, built once per process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from eventsourcing.persistence import IntegrityError

from api.credentials.keys import SigningKey
from api.issuer.config import IssuerConfig
from api.issuer.nonces import NonceStore
from api.issuer.records import Issuance, IssuanceIndex, IssuanceRecords
from api.issuer.sealing import KeyShredder
from api.issuer.status import StatusService
from projections.api import TrustViews

T = TypeVar("T")

UPDATE_TRIES = 64
"""Optimistic-concurrency retries of one update: each round at least one racer wins, so this is
only reached by more concurrent writers of one record than the server has threads."""


@dataclass
class IssuerContext:
    """Configuration, keys, records and services of one issuer; `clock` gives unix seconds.

    There is no process-wide lock: records are changed with `update` (optimistic concurrency in
    the event store), status indices are allocated in database transactions (api/status/store.py).
    """

    config: IssuerConfig
    key: SigningKey
    records: IssuanceRecords
    index: IssuanceIndex
    shredder: KeyShredder
    nonces: NonceStore
    status: StatusService
    views: TrustViews
    clock: Callable[[], int]

    def save(self, issuance: Issuance) -> None:
        """Record the aggregate's new events and bring the index up to them."""
        self.records.save(issuance)
        self.index.refresh()

    def lookup(self, table: dict[str, str], key: str) -> Issuance | None:
        """The issuance `table` (an index map) points at for `key`, or None."""
        self.index.refresh()
        transaction_id = table.get(key)
        return None if transaction_id is None else self.records.get(transaction_id)

    def update(self, transaction_id: str, change: Callable[[Issuance], T]) -> T:
        """Apply `change` to the current issuance and save it; if another request saved the same
        issuance in between, read it again and re-apply `change` (which may then refuse by
        raising: nothing is saved). Returns what `change` returned."""
        for attempt in range(UPDATE_TRIES):
            issuance = self.records.get(transaction_id)
            if issuance is None:
                raise KeyError(transaction_id)
            outcome = change(issuance)
            try:
                self.save(issuance)
            except IntegrityError:
                if attempt == UPDATE_TRIES - 1:
                    raise
                continue
            return outcome
        raise AssertionError("unreachable")

"""What every issuer use case needs, built once per process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from api.credentials.keys import SigningKey
from api.issuer.config import IssuerConfig
from api.issuer.nonces import NonceStore
from api.issuer.records import Issuance, IssuanceIndex, IssuanceRecords
from api.issuer.sealing import KeyShredder
from api.issuer.status import StatusService
from projections.api import TrustViews


@dataclass
class IssuerContext:
    """Configuration, keys, records and services of one issuer; `clock` gives unix seconds."""

    config: IssuerConfig
    key: SigningKey
    records: IssuanceRecords
    index: IssuanceIndex
    shredder: KeyShredder
    nonces: NonceStore
    status: StatusService
    views: TrustViews
    clock: Callable[[], int]
    lock: threading.RLock = field(default_factory=threading.RLock)

    def save(self, issuance: Issuance) -> None:
        """Record the aggregate's new events and bring the index up to them."""
        self.records.save(issuance)
        self.index.refresh()

    def lookup(self, table: dict[str, str], key: str) -> Issuance | None:
        """The issuance `table` (an index map) points at for `key`, or None."""
        self.index.refresh()
        transaction_id = table.get(key)
        return None if transaction_id is None else self.records.get(transaction_id)

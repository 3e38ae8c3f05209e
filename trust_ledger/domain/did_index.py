"""The DidIndex aggregate: finds an entity by its DID (one per DID, recorded with the registration)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from trust_ledger.domain.ids import did_index_id
from trust_ledger.domain.provenance import ChainEvent


class DidIndex(Aggregate):
    """Points a DID at the Entity aggregate that holds it; DIDs are unique in a registry."""

    class Event(ChainEvent, Aggregate.Event):
        """Base class of DidIndex events: all carry `provenance` and `by`."""

    @staticmethod
    def create_id(did: str) -> UUID:
        return did_index_id(did)

    @event("Created")
    def __init__(self, did: str, entity_id: str, node: str, by: str, provenance: dict[str, Any]) -> None:
        self.did = did
        self.entity_id = entity_id
        self.node = node
        self.chain_id: int = provenance["chain_id"]
        self.contract: str = provenance["contract"]

"""The DidIndex aggregate: finds an entity by its DID (one per DID, recorded with the registration)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from trust_ledger.domain.errors import DomainError
from trust_ledger.domain.ids import did_index_id
from trust_ledger.domain.provenance import ChainEvent


class DidIndex(Aggregate):
    """Points a DID at the Entity aggregate that holds it; DIDs are unique in a registry at any time,
    and a DID an ancestor released may be registered again by another node (issue 14 item 4)."""

    class Event(ChainEvent, Aggregate.Event):
        """Base class of DidIndex events: all carry `provenance` and `by`."""

    @staticmethod
    def create_id(did: str) -> UUID:
        return did_index_id(did)

    @event("Created")
    def __init__(self, did: str, entity_id: str, node: str, by: str, provenance: dict[str, Any]) -> None:
        self.did = did
        self.entity_id: str | None = entity_id
        self.node: str | None = node
        self.chain_id: int = provenance["chain_id"]
        self.contract: str = provenance["contract"]

    @property
    def held(self) -> bool:
        """Whether an entity holds the DID now (False once an ancestor released it)."""
        return self.entity_id is not None

    def release(self, by: str, provenance: dict[str, Any]) -> None:
        """The holder's ancestor released the DID (TrustRegistry.releaseDid)."""
        if not self.held:
            raise DomainError(f"DID {self.did} is not held by any entity")
        self._release(by=by, provenance=provenance)

    def reassign(self, entity_id: str, node: str, by: str, provenance: dict[str, Any]) -> None:
        """A released DID registered again, by node `node`."""
        if self.held:
            raise DomainError(f"DID {self.did} is already held by node {self.node}")
        self._reassign(entity_id=entity_id, node=node, by=by, provenance=provenance)

    @event("Released")
    def _release(self, by: str, provenance: dict[str, Any]) -> None:
        self.entity_id = None
        self.node = None

    @event("Reassigned")
    def _reassign(self, entity_id: str, node: str, by: str, provenance: dict[str, Any]) -> None:
        self.entity_id = entity_id
        self.node = node

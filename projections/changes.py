"""What the projector asks the views to record: one plain change per relevant ledger event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EntityChanged:
    """An Entity event and the entity's whole state right after it."""

    event: str  # the event class name, e.g. "Registered", "KeyAdded"
    version: int
    state: dict[str, Any]  # Entity.as_dict() at `version`
    provenance: dict[str, Any]
    by: str


@dataclass(frozen=True)
class StatusListChanged:
    """A StatusList event and the list's exact bitstring right after it."""

    version: int
    list_id: int
    owner_node: str
    purpose: str
    size: int
    uri: str
    bitstring: bytes
    provenance: dict[str, Any]
    by: str


@dataclass(frozen=True)
class CursorAdvanced:
    """The ledger's chain cursor moved: every log up to this block is in the ledger."""

    block_number: int
    block_hash: str


ViewChange = EntityChanged | StatusListChanged | CursorAdvanced

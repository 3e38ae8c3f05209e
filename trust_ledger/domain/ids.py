"""Deterministic aggregate ids (uuid5), so any replica derives the same id from chain data."""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID, uuid5

NAMESPACE = UUID("8f3b1f9e-5d0c-5a57-9c1e-6a2b7f1d2c40")
"""Namespace of every trust-ledger aggregate id; never change it (ids are stored)."""

ROOT_NODE = "0x" + "00" * 32
"""Node id of the trust anchor (bytes32(0))."""


@lru_cache(maxsize=65_536)
def entity_id(chain_id: int, contract: str, node: str) -> UUID:
    """Id of the Entity aggregate of `node` in the TrustRegistry at `contract` (remembered: the
    ledger asks for one or two per log it applies, and a uuid5 was a sixth of applying one)."""
    return uuid5(NAMESPACE, f"entity:{chain_id}:{contract.lower()}:{node.lower()}")


@lru_cache(maxsize=65_536)
def status_list_id(chain_id: int, contract: str, list_id: int) -> UUID:
    """Id of the StatusList aggregate of `list_id` in the StatusRegistry at `contract` (remembered,
    as entity ids are)."""
    return uuid5(NAMESPACE, f"status-list:{chain_id}:{contract.lower()}:{list_id}")


def did_index_id(did: str) -> UUID:
    """Id of the DidIndex aggregate of `did` (DIDs are compared exactly, case-sensitively)."""
    return uuid5(NAMESPACE, f"did:{did}")


CURSOR_ID = uuid5(NAMESPACE, "chain-cursor")
"""Id of the single ChainCursor aggregate of a ledger."""

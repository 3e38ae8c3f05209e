"""A decoded contract event with its chain provenance: the ledger's only input."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ChainLog:
    """One log emitted by one of our contracts, decoded and normalised.

    `args` holds JSON-friendly values only: bytes32 and bytes as 0x-prefixed lowercase
    hex strings, addresses as checksummed strings, integers and enums as ints, strings
    as str (through trust_ledger.domain.text: plain text as is, any other bytes in their
    opaque form), booleans as bool, `RoleGrant[]` as a list of ``{"target": str, "names":
    [str]}`` and `uint256[]` as a list of ints.
    """

    chain_id: int
    contract: str  # checksummed address of the emitting contract
    block_number: int
    block_hash: str
    block_time: int  # unix seconds
    tx_hash: str
    log_index: int
    event: str  # the Solidity event name, e.g. "EntityRegistered"
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def position(self) -> int:
        """A strictly increasing position for (block, log index), for tracking records."""
        return self.block_number * 1_000_000 + self.log_index

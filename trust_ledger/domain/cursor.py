"""The ChainCursor aggregate: how far the ledger has followed its chain, and which contracts."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from trust_ledger.domain.errors import DomainError
from trust_ledger.domain.ids import CURSOR_ID

END_OF_BLOCK = 999_999
"""Log-index part of the tracking position meaning "the whole block is ingested"."""


@dataclass(frozen=True)
class ChainPosition:
    """A block the follower has scanned completely (every log of ours in it is ingested)."""

    chain_id: int
    block_number: int
    block_hash: str

    @property
    def position(self) -> int:
        """Tracking position of the end of this block (above any log position in it)."""
        return self.block_number * 1_000_000 + END_OF_BLOCK


@dataclass(frozen=True)
class CursorView:
    """The ledger's cursor as plain data: what the follower checks for reorgs on restart."""

    chain_id: int
    block_number: int
    block_hash: str
    position: int
    trust_registry: str | None
    status_registry: str | None


class ChainCursor(Aggregate):
    """One per ledger: the chain it mirrors, its contracts, and the last ingested block.

    Updated in the same recording as the events of every batch, so the block hash it
    holds always matches what the store contains.
    """

    @staticmethod
    def create_id() -> UUID:
        return CURSOR_ID

    @event("Started")
    def __init__(self, chain_id: int) -> None:
        self.chain_id = chain_id
        self.trust_registry: str | None = None
        self.status_registry: str | None = None
        self.block_number = -1
        self.block_hash = ""
        self.position = -1

    def bind(self, role: str, contract: str) -> None:
        """Remember the contract playing `role` ("trust_registry" or "status_registry"); never rebind."""
        if role not in ("trust_registry", "status_registry"):
            raise DomainError(f"unknown contract role {role!r}")
        bound = getattr(self, role)
        if bound is None:
            self._bind(role=role, contract=contract)
        elif bound.lower() != contract.lower():
            raise DomainError(f"this ledger follows {role} {bound}, not {contract}")

    def advance(self, position: int, block_number: int, block_hash: str) -> None:
        """Move to `position` in block `block_number` with hash `block_hash`."""
        if position <= self.position or block_number < self.block_number:
            raise DomainError(f"cursor cannot move back from position {self.position} to {position}")
        if block_number == self.block_number and block_hash != self.block_hash:
            raise DomainError(f"block {block_number} seen with hash {self.block_hash} and now {block_hash}")
        self._advance(position=position, block_number=block_number, block_hash=block_hash)

    @event("ContractBound")
    def _bind(self, role: str, contract: str) -> None:
        setattr(self, role, contract)

    @event("Advanced")
    def _advance(self, position: int, block_number: int, block_hash: str) -> None:
        self.position = position
        self.block_number = block_number
        self.block_hash = block_hash

    def view(self) -> CursorView | None:
        """The cursor as plain data, or None before the first block."""
        if self.position < 0:
            return None
        return CursorView(
            chain_id=self.chain_id,
            block_number=self.block_number,
            block_hash=self.block_hash,
            position=self.position,
            trust_registry=self.trust_registry,
            status_registry=self.status_registry,
        )

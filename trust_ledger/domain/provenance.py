"""Chain provenance carried by every ledger event, so any fact traces back to a transaction."""

from __future__ import annotations

from typing import Any

from trust_ledger.domain.chain_log import ChainLog

PROVENANCE_FIELDS = (
    "chain_id",
    "contract",
    "block_number",
    "block_hash",
    "block_time",
    "tx_hash",
    "log_index",
)


def provenance_of(log: ChainLog) -> dict[str, Any]:
    """The provenance of `log` as a JSON-friendly dict (the form stored in events)."""
    return {name: getattr(log, name) for name in PROVENANCE_FIELDS}


class ChainEvent:
    """Mixin for aggregate events that carry `provenance` (a dict) and `by` (the acting address).

    Gives flat read access to the provenance, e.g. ``event.block_number``.
    """

    provenance: dict[str, Any]
    by: str

    @property
    def chain_id(self) -> int:
        return int(self.provenance["chain_id"])

    @property
    def contract(self) -> str:
        return str(self.provenance["contract"])

    @property
    def block_number(self) -> int:
        return int(self.provenance["block_number"])

    @property
    def block_hash(self) -> str:
        return str(self.provenance["block_hash"])

    @property
    def block_time(self) -> int:
        return int(self.provenance["block_time"])

    @property
    def tx_hash(self) -> str:
        return str(self.provenance["tx_hash"])

    @property
    def log_index(self) -> int:
        return int(self.provenance["log_index"])

    @property
    def position(self) -> int:
        """The chain position of the log that caused this event."""
        return self.block_number * 1_000_000 + self.log_index

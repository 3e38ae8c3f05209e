"""Strict decoding of our contracts' logs into ChainLog records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_abi import decode as abi_decode

from trust_ledger.chain.abi import canonical_type, checksum, normalise, selector
from trust_ledger.chain.errors import ChainError
from trust_ledger.domain.chain_log import ChainLog


class UndecodableLog(ChainError):
    """A log from one of our contracts that matches none of its events: never skipped."""


def _hex(value: Any) -> str:
    if isinstance(value, str):
        return value.lower() if value.startswith("0x") else "0x" + value.lower()
    return "0x" + bytes(value).hex()


def quantity(value: Any) -> int:
    """A JSON-RPC quantity: an int from web3's formatters or a 0x-hex string from a raw response."""
    return int(value, 16) if isinstance(value, str) else int(value)


def _decode_topic(param: dict, topic: bytes) -> Any:
    """An indexed value: our events index only static types, each one 32-byte word."""
    kind = param["type"]
    if kind == "bytes32":
        return "0x" + topic.hex()
    if kind == "address":
        return checksum("0x" + topic[12:].hex())
    if kind.startswith("uint"):
        return int.from_bytes(topic, "big")
    (value,) = abi_decode([canonical_type(param)], topic)
    return normalise(value, param)


class LogDecoder:
    """Decodes raw logs of the given contracts; any other emitter is refused."""

    def __init__(self, chain_id: int, abis_by_address: Mapping[str, list[dict]]):
        self.chain_id = chain_id
        self._events: dict[str, dict[bytes, dict]] = {
            checksum(address): {selector(entry): entry for entry in abi if entry["type"] == "event"}
            for address, abi in abis_by_address.items()
        }

    @property
    def addresses(self) -> list[str]:
        """Checksummed addresses whose logs this decoder accepts."""
        return list(self._events)

    @property
    def topics(self) -> list[str]:
        """Every event topic0 of our contracts, for eth_getLogs filters."""
        return sorted({_hex(topic) for events in self._events.values() for topic in events})

    def is_ours(self, raw_log: Mapping[str, Any]) -> bool:
        """Whether the log was emitted by one of our contracts."""
        return checksum(raw_log["address"]) in self._events

    def decode(self, raw_log: Mapping[str, Any], block_time: int) -> ChainLog:
        """Decode one log of ours; raises UndecodableLog rather than dropping it."""
        address = checksum(raw_log["address"])
        events = self._events.get(address)
        if events is None:
            raise UndecodableLog(f"log from {address}, which is not one of our contracts")
        topics = [bytes.fromhex(_hex(t)[2:]) for t in raw_log["topics"]]
        entry = events.get(topics[0]) if topics else None
        position = f"block {quantity(raw_log['blockNumber'])} log {quantity(raw_log['logIndex'])}"
        if entry is None:
            raise UndecodableLog(f"log at {position} from {address} matches none of its events")
        indexed = [p for p in entry["inputs"] if p["indexed"]]
        plain = [p for p in entry["inputs"] if not p["indexed"]]
        if len(topics) != len(indexed) + 1:
            raise UndecodableLog(f"log at {position}: {entry['name']} with {len(topics) - 1} indexed topics")
        args: dict[str, Any] = {}
        for param, topic in zip(indexed, topics[1:], strict=True):
            args[param["name"]] = _decode_topic(param, topic)
        data = bytes.fromhex(_hex(raw_log["data"])[2:])
        try:
            values = abi_decode([canonical_type(p) for p in plain], data)
        except Exception as exc:  # eth_abi raises several unrelated types for bad data
            raise UndecodableLog(f"log at {position}: {entry['name']} data does not decode: {exc}") from exc
        for param, value in zip(plain, values, strict=True):
            args[param["name"]] = normalise(value, param)
        ordered = {p["name"]: args[p["name"]] for p in entry["inputs"]}
        return ChainLog(
            chain_id=self.chain_id,
            contract=address,
            block_number=quantity(raw_log["blockNumber"]),
            block_hash=_hex(raw_log["blockHash"]),
            block_time=block_time,
            tx_hash=_hex(raw_log["transactionHash"]),
            log_index=quantity(raw_log["logIndex"]),
            event=entry["name"],
            args=ordered,
        )

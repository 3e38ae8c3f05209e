"""Strict decoding of our contracts' logs into ChainLog records.

A log's shape (its emitter, event, topic count and ABI encoding) is written by our contracts:
one that does not decode halts the follower (UndecodableLog). What participants wrote inside it
is another matter: every ``string`` is read as the bytes it is and recorded by
trust_ledger.domain.text (plain text as is, anything else in its opaque form), so no participant
can stop the mirror with bytes that are not UTF-8.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_abi import decode as abi_decode

from trust_ledger.chain.abi import canonical_type, checksum, normalise, selector
from trust_ledger.chain.errors import ChainError
from trust_ledger.chain.rpc import quantity
from trust_ledger.domain.chain_log import ChainLog
from trust_ledger.domain.text import text_of


class UndecodableLog(ChainError):
    """A log from one of our contracts that matches none of its events: never skipped."""


def _hex(value: Any) -> str:
    if isinstance(value, str):
        return value.lower() if value.startswith("0x") else "0x" + value.lower()
    return "0x" + bytes(value).hex()


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


def _wire_type(param: dict) -> str:
    """The ABI type to decode `param` with: ``string`` read as ``bytes`` (the same encoding), so
    bytes that are not UTF-8 decode too."""
    kind = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(_wire_type(component) for component in param["components"])
        return f"({inner}){kind[len('tuple') :]}"
    if kind == "string" or kind.startswith("string["):
        return "bytes" + kind[len("string") :]
    return kind


def _plain(value: Any, param: dict) -> Any:
    """A decoded value as plain data (see ChainLog.args); strings through the text rule."""
    kind = param["type"]
    if kind.endswith("]"):
        element = {**param, "type": kind[: kind.rindex("[")]}
        return [_plain(item, element) for item in value]
    if kind == "tuple":
        return {c["name"]: _plain(item, c) for c, item in zip(param["components"], value, strict=True)}
    if kind == "string":
        return text_of(bytes(value))
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
            values = abi_decode([_wire_type(p) for p in plain], data)
        except Exception as exc:  # eth_abi raises several unrelated types for bad data
            raise UndecodableLog(f"log at {position}: {entry['name']} data does not decode: {exc}") from exc
        for param, value in zip(plain, values, strict=True):
            args[param["name"]] = _plain(value, param)
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

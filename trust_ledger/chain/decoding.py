"""Strict decoding of our contracts' logs into ChainLog records.

A log's shape (its emitter, event, topic count and ABI encoding) is written by our contracts:
one that does not decode halts the follower (UndecodableLog). What participants wrote inside it
is another matter: every ``string`` is read as the bytes it is and recorded by
trust_ledger.domain.text (plain text as is, anything else in its opaque form), so no participant
can stop the mirror with bytes that are not UTF-8.

Each event's data layout is read once into a table of slots; a log whose data is the canonical
encoding of that layout (every offset where the encoder puts it, every padding byte zero, no byte
left over: what Solidity emits) is sliced word by word. Anything else, and every layout with a type
the table does not know (tuples), goes through eth_abi, which decodes it or says why it does not.
A canonical encoding decodes to the one value it encodes, so both paths agree (tests/chain).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


_ZERO_WORD = bytes(32)

# A word's plain value, or None when the word is not the canonical encoding of one.
_WordReader = Callable[[bytes], Any]


def _address_word(word: bytes) -> str | None:
    return checksum("0x" + word[12:].hex()) if word[:12] == _ZERO_WORD[:12] else None


def _bool_word(word: bytes) -> bool | None:
    value = int.from_bytes(word, "big")
    return value == 1 if value <= 1 else None


def _bytes32_word(word: bytes) -> str:
    return "0x" + word.hex()


def _uint_word(bits: int) -> _WordReader:
    def read(word: bytes) -> int | None:
        value = int.from_bytes(word, "big")
        return None if value >> bits else value

    return read


def _word_reader(kind: str) -> _WordReader | None:
    """How to read one static word of ABI type `kind`, if it is one this table knows."""
    if kind == "address":
        return _address_word
    if kind == "bool":
        return _bool_word
    if kind == "bytes32":
        return _bytes32_word
    bits = kind[len("uint") :] if kind.startswith("uint") else ""
    if bits.isdigit() and int(bits) in range(8, 257, 8):
        return _uint_word(int(bits))
    return None


def _decode_topic(param: dict, topic: bytes) -> Any:
    """An indexed value: our events index only static types, each one 32-byte word."""
    read = _word_reader(param["type"]) if len(topic) == 32 else None
    value = read(topic) if read is not None else None
    if value is not None:
        return value
    (decoded,) = abi_decode([canonical_type(param)], topic)
    if len(topic) != 32:
        raise ValueError(f"topic of {len(topic)} bytes")
    return normalise(decoded, param)


def _bytes_hex(raw: bytes) -> str:
    return "0x" + raw.hex()


# A data slot: a static word, ``bytes`` / ``string`` (its bytes as plain data) or ``uint256[]``.
_Slot = tuple[str, Any]


def _layout(plain: list[dict]) -> list[_Slot] | None:
    """The slots of an event's data, or None if a type needs eth_abi."""
    slots: list[_Slot] = []
    for param in plain:
        kind = param["type"]
        read = _word_reader(kind)
        if read is not None:
            slots.append(("word", read))
        elif kind == "string":
            slots.append(("bytes", text_of))
        elif kind == "bytes":
            slots.append(("bytes", _bytes_hex))
        elif kind == "uint256[]":
            slots.append(("uints", None))
        else:
            return None
    return slots


def _sliced(slots: list[_Slot], data: bytes) -> list[Any] | None:
    """The plain values of `data` if it is the canonical encoding of `slots`, else None."""
    size = len(data)
    end = 32 * len(slots)
    if size < end:
        return None
    values: list[Any] = []
    for i, (shape, read) in enumerate(slots):
        word = data[32 * i : 32 * i + 32]
        if shape == "word":
            value = read(word)
            if value is None:
                return None
            values.append(value)
            continue
        if int.from_bytes(word, "big") != end or end + 32 > size:
            return None
        length = int.from_bytes(data[end : end + 32], "big")
        start = end + 32
        if shape == "uints":
            end = start + 32 * length
            if end > size:
                return None
            values.append([int.from_bytes(data[j : j + 32], "big") for j in range(start, end, 32)])
            continue
        end = start + -(-length // 32) * 32
        if end > size or data[start + length : end] != _ZERO_WORD[: end - start - length]:
            return None
        values.append(read(data[start : start + length]))
    return values if end == size else None


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
        self._layouts: dict[str, list[_Slot] | None] = {
            entry["name"]: _layout([p for p in entry["inputs"] if not p["indexed"]])
            for events in self._events.values()
            for entry in events.values()
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
        block_number, log_index = quantity(raw_log["blockNumber"]), quantity(raw_log["logIndex"])
        position = f"block {block_number} log {log_index}"
        if entry is None:
            raise UndecodableLog(f"log at {position} from {address} matches none of its events")
        indexed = [p for p in entry["inputs"] if p["indexed"]]
        plain = [p for p in entry["inputs"] if not p["indexed"]]
        if len(topics) != len(indexed) + 1:
            raise UndecodableLog(f"log at {position}: {entry['name']} with {len(topics) - 1} indexed topics")
        args: dict[str, Any] = {}
        try:
            for param, topic in zip(indexed, topics[1:], strict=True):
                args[param["name"]] = _decode_topic(param, topic)
        except Exception as exc:  # eth_abi raises several unrelated types for bad data
            raise UndecodableLog(f"log at {position}: {entry['name']} topics do not decode: {exc}") from exc
        data = bytes.fromhex(_hex(raw_log["data"])[2:])
        layout = self._layouts[entry["name"]]
        sliced = _sliced(layout, data) if layout is not None else None
        if sliced is None:
            try:
                values = abi_decode([_wire_type(p) for p in plain], data)
            except Exception as exc:  # eth_abi raises several unrelated types for bad data
                msg = f"log at {position}: {entry['name']} data does not decode: {exc}"
                raise UndecodableLog(msg) from exc
            sliced = [_plain(value, param) for param, value in zip(plain, values, strict=True)]
        for param, value in zip(plain, sliced, strict=True):
            args[param["name"]] = value
        ordered = {p["name"]: args[p["name"]] for p in entry["inputs"]}
        return ChainLog(
            chain_id=self.chain_id,
            contract=address,
            block_number=block_number,
            block_hash=_hex(raw_log["blockHash"]),
            block_time=block_time,
            tx_hash=_hex(raw_log["transactionHash"]),
            log_index=log_index,
            event=entry["name"],
            args=ordered,
        )

"""The decoder's sliced fast path decodes exactly what eth_abi decodes, for every event of both
contracts: on canonical encodings it is taken and agrees; on anything else (bytes flipped,
truncated, appended, offsets moved, padding dirtied) it either agrees or steps aside, and the log
decodes through eth_abi or is refused as eth_abi refuses it."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import to_checksum_address
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.chainlogs import CHAIN_ID, STATUS_REGISTRY, TRUST_REGISTRY
from trust_ledger.chain.abi import selector
from trust_ledger.chain.compiler import compile_contracts
from trust_ledger.chain.decoding import LogDecoder, UndecodableLog, _layout, _plain, _sliced, _wire_type

_COMPILED = compile_contracts()
ABIS = {TRUST_REGISTRY: _COMPILED["TrustRegistry"].abi, STATUS_REGISTRY: _COMPILED["StatusRegistry"].abi}
EVENTS = [(address, e) for address, abi in ABIS.items() for e in abi if e["type"] == "event"]
HOSTILE_BYTES = st.one_of(
    st.binary(max_size=80), st.sampled_from([b"svc-\xff\xfe", b"\x00", b"\xc3", "é".encode()])
)


def _values(param: dict) -> st.SearchStrategy[Any]:
    """Values of `param` as abi_encode takes them on the wire (strings as raw bytes)."""
    kind = param["type"]
    if kind.endswith("[]"):
        return st.lists(_values({**param, "type": kind[:-2]}), max_size=4)
    if kind == "tuple":
        return st.tuples(*(_values(c) for c in param["components"]))
    if kind in ("string", "bytes"):
        return HOSTILE_BYTES
    if kind == "address":
        return st.binary(min_size=20, max_size=20).map(lambda raw: to_checksum_address(raw))
    if kind == "bool":
        return st.booleans()
    if kind == "bytes32":
        return st.binary(min_size=32, max_size=32)
    bits = int(kind[len("uint") :])
    return st.one_of(st.integers(0, 2**bits - 1), st.sampled_from([0, 2**bits - 1]))


def _encoded(entry: dict) -> st.SearchStrategy[bytes]:
    plain = [p for p in entry["inputs"] if not p["indexed"]]
    wire = [_wire_type(p) for p in plain]
    return st.tuples(*(_values(p) for p in plain)).map(lambda values: abi_encode(wire, list(values)))


def _reference(entry: dict, data: bytes) -> list[Any]:
    """What eth_abi alone decodes `data` to, as plain data (raises where eth_abi does)."""
    plain = [p for p in entry["inputs"] if not p["indexed"]]
    values = abi_decode([_wire_type(p) for p in plain], data)
    return [_plain(value, param) for param, value in zip(plain, values, strict=True)]


def _mutated(data: bytes, draw: st.DrawFn) -> bytes:
    """`data` with one hostile change: a byte set, bytes cut or appended, a word replaced."""
    change = draw(st.sampled_from(["byte", "cut", "append", "word"]))
    if change == "append":
        return data + draw(st.binary(min_size=1, max_size=64))
    if not data:
        return b"\x01"
    if change == "cut":
        return data[: draw(st.integers(0, len(data) - 1))]
    if change == "byte":
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
    at = 32 * draw(st.integers(0, max(0, len(data) // 32 - 1)))
    word = draw(st.sampled_from([0, 1, 31, 32, 64, len(data), max(0, len(data) - 32), 2**255, 2**256 - 1]))
    return data[:at] + word.to_bytes(32, "big") + data[at + 32 :]


@st.composite
def _hostile(draw: st.DrawFn, entry: dict) -> bytes:
    data = draw(_encoded(entry))
    for _ in range(draw(st.integers(1, 3))):
        data = _mutated(data, draw)
    return data


def test_every_event_has_a_layout_except_the_tuple_one():
    without = sorted(
        e["name"] for _, e in EVENTS if _layout([p for p in e["inputs"] if not p["indexed"]]) is None
    )
    assert without == ["EntityAccredited"]
    assert len(EVENTS) == 13


@pytest.mark.parametrize("entry", [e for _, e in EVENTS], ids=lambda e: e["name"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_canonical_encodings_are_sliced_to_what_eth_abi_decodes(entry, data):
    layout = _layout([p for p in entry["inputs"] if not p["indexed"]])
    encoded = data.draw(_encoded(entry))
    if layout is not None:
        assert _sliced(layout, encoded) == _reference(entry, encoded)


@pytest.mark.parametrize("entry", [e for _, e in EVENTS], ids=lambda e: e["name"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_data_is_sliced_only_where_eth_abi_agrees(entry, data):
    layout = _layout([p for p in entry["inputs"] if not p["indexed"]])
    hostile = data.draw(_hostile(entry))
    sliced = _sliced(layout, hostile) if layout is not None else None
    try:
        reference = _reference(entry, hostile)
    except Exception:
        assert sliced is None
        return
    assert sliced is None or sliced == reference


def _raw(address: str, entry: dict, data: bytes, topics: list[str]) -> dict[str, Any]:
    return {
        "address": address.lower(),
        "topics": ["0x" + selector(entry).hex(), *topics],
        "data": "0x" + data.hex(),
        "blockNumber": "0x10",
        "blockHash": "0x" + "ab" * 32,
        "transactionHash": "0x" + "cd" * 32,
        "logIndex": "0x0",
    }


def _event(name: str) -> tuple[str, dict]:
    return next((address, e) for address, e in EVENTS if e["name"] == name)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_decoder_refuses_what_eth_abi_refuses_and_decodes_the_rest_alike(data):
    address, entry = _event(data.draw(st.sampled_from(["ServiceAdded", "StatusWordsChanged", "KeyAdded"])))
    hostile = data.draw(_hostile(entry))
    topics = ["0x" + "11" * 32] * sum(p["indexed"] for p in entry["inputs"])
    raw = _raw(address, entry, hostile, topics)
    decoder = LogDecoder(CHAIN_ID, ABIS)
    try:
        reference = _reference(entry, hostile)
    except Exception:
        with pytest.raises(UndecodableLog, match="data does not decode"):
            decoder.decode(raw, block_time=0)
        return
    plain = [p["name"] for p in entry["inputs"] if not p["indexed"]]
    decoded = decoder.decode(raw, block_time=0).args
    assert [decoded[name] for name in plain] == reference


@pytest.mark.parametrize(
    ("topic", "why"),
    [
        ("0x" + "ff" * 12 + "22" * 20, "padding"),  # an address topic with its high bytes set
        ("0x" + "22" * 20, "short"),  # a topic shorter than a word
        ("0x" + "00" * 12 + "22" * 20 + "00", "long"),  # longer than a word
    ],
)
def test_a_malformed_address_topic_is_refused(topic, why):
    address, entry = _event("StatusDelegateChanged")
    data = abi_encode(["bool", "address"], [True, "0x" + "33" * 20])
    raw = _raw(address, entry, data, ["0x" + "11" * 32, topic])
    with pytest.raises(UndecodableLog, match="topics do not decode"):
        LogDecoder(CHAIN_ID, ABIS).decode(raw, block_time=0)
    good = _raw(address, entry, data, ["0x" + "11" * 32, "0x" + "00" * 12 + "22" * 20])
    assert LogDecoder(CHAIN_ID, ABIS).decode(good, block_time=0).args["delegate"] == to_checksum_address(
        "0x" + "22" * 20
    )

"""A deployed contract as its ABI says: encode a function call, decode what it returns.

Generic over the ABI (any function the compiled contracts have, overloads told apart by their
number of arguments), so a new contract function needs no code here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak

from trust_ledger.chain.abi import canonical_type, checksum


class Contract:
    """One contract's address and ABI; `call_data` and `decode_result` per function name."""

    def __init__(self, name: str, address: str, abi: list[dict]):
        self.name = name
        self.address = checksum(address)
        self.abi = abi
        self._functions: dict[str, list[dict]] = {}
        for entry in abi:
            if entry["type"] == "function":
                self._functions.setdefault(entry["name"], []).append(entry)

    def __repr__(self) -> str:
        return f"Contract({self.name}, {self.address})"

    def function(self, name: str, arity: int) -> dict:
        """The ABI entry of function `name` taking `arity` arguments."""
        entries = [e for e in self._functions.get(name, ()) if len(e["inputs"]) == arity]
        if len(entries) != 1:
            known = ", ".join(sorted(self._functions))
            raise ValueError(
                f"{self.name} has {'no' if not entries else 'more than one'} function {name} "
                f"of {arity} arguments (functions: {known})"
            )
        return entries[0]

    def call_data(self, name: str, args: Sequence[Any]) -> str:
        """0x-hex calldata of `name(args)`: the selector and the ABI-encoded arguments."""
        entry = self.function(name, len(args))
        types = [canonical_type(p) for p in entry["inputs"]]
        selector = keccak(text=f"{name}({','.join(types)})")[:4]
        values = [_argument(value, p) for value, p in zip(args, entry["inputs"], strict=True)]
        return "0x" + (selector + abi_encode(types, values)).hex()

    def decode_result(self, name: str, arity: int, data: str | bytes) -> Any:
        """What `name` returned: the value itself for one output, else a tuple (structs as tuples);
        addresses checksummed, bytes as bytes."""
        outputs = self.function(name, arity)["outputs"]
        raw = bytes.fromhex(data.removeprefix("0x")) if isinstance(data, str) else data
        values = abi_decode([canonical_type(p) for p in outputs], raw)
        decoded = tuple(_result(value, p) for value, p in zip(values, outputs, strict=True))
        return decoded[0] if len(decoded) == 1 else decoded


def _argument(value: Any, param: dict) -> Any:
    """A Python argument as eth_abi encodes it: 0x-hex strings for bytes types, tuples recursively."""
    kind = param["type"]
    if kind.endswith("]"):
        element = {**param, "type": kind[: kind.rindex("[")]}
        return [_argument(item, element) for item in value]
    if kind == "tuple":
        components = param["components"]
        if isinstance(value, dict):
            value = [value[c["name"]] for c in components]
        return tuple(_argument(item, c) for item, c in zip(value, components, strict=True))
    if kind.startswith("bytes") and isinstance(value, str):
        if not value.startswith("0x"):
            raise ValueError(f"'{value}' is not 0x-hex for a {kind} argument")
        return bytes.fromhex(value[2:])
    return value


def _result(value: Any, param: dict) -> Any:
    kind = param["type"]
    if kind.endswith("]"):
        element = {**param, "type": kind[: kind.rindex("[")]}
        return [_result(item, element) for item in value]
    if kind == "tuple":
        return tuple(_result(item, c) for item, c in zip(value, param["components"], strict=True))
    if kind == "address":
        return checksum(value)
    return value

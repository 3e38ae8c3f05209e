"""ABI helpers shared by the log decoder and the error decoder."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from eth_utils import keccak, to_checksum_address

from trust_ledger.domain import KEY_PURPOSES as _PURPOSE_BITS
from trust_ledger.domain import KEY_REVOCATION_REASONS as _KEY_REVOCATION_REASONS
from trust_ledger.domain import PURPOSES as _LIST_PURPOSES
from trust_ledger.domain import STATUSES as _STATUSES

# The contracts' enums as tuples indexed by their values, named as the domain names them.
ENTITY_STATUS = ("none", *(_STATUSES[value] for value in sorted(_STATUSES)))
STATUS_PURPOSE = tuple(_LIST_PURPOSES[value] for value in sorted(_LIST_PURPOSES))
KEY_PURPOSES = {name: bit for bit, name in _PURPOSE_BITS.items()}
KEY_REVOCATION_REASON = tuple(_KEY_REVOCATION_REASONS[value] for value in sorted(_KEY_REVOCATION_REASONS))


@lru_cache(maxsize=65_536)
def checksum(address: str) -> str:
    """EIP-55 form of an address; cached, since the same few addresses recur in every log."""
    return to_checksum_address(address)


def canonical_type(param: dict) -> str:
    """The canonical ABI type string of a parameter, expanding tuples."""
    kind = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(canonical_type(component) for component in param["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def signature(entry: dict) -> str:
    """`Name(type1,type2)` for an ABI event or error entry."""
    return f"{entry['name']}({','.join(canonical_type(p) for p in entry['inputs'])})"


def selector(entry: dict) -> bytes:
    """The 4-byte selector of an error, or the 32-byte topic of an event."""
    digest = keccak(text=signature(entry))
    return digest if entry["type"] == "event" else digest[:4]


def normalise(value: Any, param: dict) -> Any:
    """Turn a decoded ABI value into plain JSON-friendly Python (see ChainLog.args)."""
    kind = param["type"]
    if kind.endswith("[]"):
        element = {**param, "type": kind[:-2]}
        return [normalise(item, element) for item in value]
    if kind == "tuple":
        components = param["components"]
        if isinstance(value, dict):
            return {c["name"]: normalise(value[c["name"]], c) for c in components}
        return {c["name"]: normalise(item, c) for c, item in zip(components, value, strict=True)}
    if kind == "address":
        return checksum(value)
    if kind.startswith("bytes"):
        return "0x" + bytes(value).hex()
    return value

"""Contract reverts as Python exceptions with a message a person understands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from eth_abi import decode as abi_decode

from trust_ledger.chain.abi import ENTITY_STATUS, canonical_type, normalise, selector

NodeNamer = Callable[[str], str]


class ChainError(Exception):
    """Base class for failures talking to the chain."""


class ContractRevert(ChainError):
    """A transaction or call was refused by one of our contracts.

    `error` is the custom error's name (e.g. "TrustRegistry__NotController"), `args` its
    decoded arguments, and `str(exc)` one line for a person.
    """

    def __init__(self, error: str, args: dict[str, Any], message: str):
        super().__init__(message)
        self.error = error
        self.args_by_name = args


def _when(seconds: int) -> str:
    if seconds == 0:
        return "open"
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Templates receive the decoded arguments, node ids already rendered as DIDs where known.
_TEMPLATES: dict[str, Callable[[dict[str, Any]], str]] = {
    "TrustRegistry__NotController": lambda a: f"{a['caller']} is not the controller of {a['node']}",
    "TrustRegistry__UnknownEntity": lambda a: f"no entity is registered at node {a['node']}",
    "TrustRegistry__EntityExists": lambda a: f"the label '{a['label']}' is already taken ({a['node']})",
    "TrustRegistry__InvalidLabel": lambda a: (
        f"invalid label '{a['label']}': use 1 to 63 characters from a-z, 0-9, '-' and '_'"
    ),
    "TrustRegistry__InvalidDid": lambda a: (
        f"invalid DID '{a['did']}': it must start with 'did:' and be at most 256 bytes"
    ),
    "TrustRegistry__DidTaken": lambda a: f"the DID {a['did']} is already registered",
    "TrustRegistry__ZeroController": lambda a: "the controller address must not be zero",
    "TrustRegistry__NotActive": lambda a: (
        f"{a['node']} is {ENTITY_STATUS[a['status']]}, so it and its descendants cannot act"
    ),
    "TrustRegistry__EntityRevoked": lambda a: f"{a['node']} is revoked, and revocation is final",
    "TrustRegistry__InvalidStatus": lambda a: f"'{ENTITY_STATUS[a['status']]}' is not a status one can set",
    "TrustRegistry__RootHasNoParent": lambda a: (
        "the trust anchor has no parent: nobody can set its status or accreditations"
    ),
    "TrustRegistry__InvalidCredentialType": lambda a: (
        f"invalid credential type '{a['credentialType']}': it must be 1 to 128 bytes"
    ),
    "TrustRegistry__InvalidValidity": lambda a: (
        f"empty validity window: valid until {_when(a['validUntil'])} is not after {_when(a['validFrom'])}"
    ),
    "TrustRegistry__TypeNotHeldByParent": lambda a: (
        f"{a['parent']} is not accredited for {a['credentialType']} itself, so it cannot hand it down"
    ),
    "TrustRegistry__ValidityExceedsParent": lambda a: (
        f"the validity window exceeds {a['parent']}'s own accreditation for {a['credentialType']} "
        f"({_when(a['parentValidFrom'])} to {_when(a['parentValidUntil'])})"
    ),
    "TrustRegistry__RoleNotHeldByParent": lambda a: (
        f"{a['parent']} may not grant role {a['role']} for {a['target']} in {a['credentialType']} itself, "
        "so it cannot hand it down"
    ),
    "TrustRegistry__NotAccredited": lambda a: f"{a['node']} holds no accreditation for {a['credentialType']}",
    "TrustRegistry__InvalidKeyId": lambda a: f"invalid key id '{a['keyId']}': it must be 1 to 64 bytes",
    "TrustRegistry__InvalidKeyPurposes": lambda a: (
        f"invalid key purposes {a['purposes']}: name at least one of the five verification relationships"
    ),
    "TrustRegistry__InvalidKeyMaterial": lambda a: "the key type and the public key must both be given",
    "TrustRegistry__KeyExists": lambda a: (
        f"{a['node']} already has (or had) a key '{a['keyId']}'; key ids are never reused"
    ),
    "TrustRegistry__UnknownKey": lambda a: f"{a['node']} has no key '{a['keyId']}'",
    "TrustRegistry__KeyAlreadyRevoked": lambda a: f"the key '{a['keyId']}' of {a['node']} is already revoked",
    "TrustRegistry__InvalidService": lambda a: (
        f"invalid service '{a['serviceId']}': id (1 to 64 bytes), type and endpoint must all be given"
    ),
    "TrustRegistry__ServiceExists": lambda a: f"{a['node']} already has a service '{a['serviceId']}'",
    "TrustRegistry__UnknownService": lambda a: f"{a['node']} has no service '{a['serviceId']}'",
    "StatusRegistry__NotAuthorised": lambda a: (
        f"{a['caller']} is neither the controller of {a['owner']} nor one of its status-list delegates"
    ),
    "StatusRegistry__NotController": lambda a: (
        f"{a['caller']} is not the controller of {a['owner']} (delegates cannot appoint delegates)"
    ),
    "StatusRegistry__OwnerNotActive": lambda a: (
        f"{a['inactiveNode']} is not active, so the status lists of {a['owner']} cannot change"
    ),
    "StatusRegistry__UnknownList": lambda a: f"there is no status list {a['listId']}",
    "StatusRegistry__InvalidSize": lambda a: (
        f"invalid list size {a['size']}: use a multiple of 256 up to 16,777,216 (0 for 131,072)"
    ),
    "StatusRegistry__InvalidUri": lambda a: f"invalid list URI '{a['uri']}': it must be 1 to 512 bytes",
    "StatusRegistry__IndexOutOfRange": lambda a: (
        f"index {a['index']} is outside status list {a['listId']} of {a['size']} entries"
    ),
    "StatusRegistry__ZeroDelegate": lambda a: "the delegate address must not be zero",
}

_NODE_ARGUMENTS = {"node", "parent", "owner", "inactiveNode"}


class ErrorDecoder:
    """Decodes revert data of our contracts' custom errors into ContractRevert."""

    def __init__(self, abis: list[list[dict]]):
        self._errors = {selector(entry): entry for abi in abis for entry in abi if entry["type"] == "error"}

    def decode(
        self, revert_data: str | bytes | None, name_node: NodeNamer | None = None
    ) -> ContractRevert | None:
        """The ContractRevert for `revert_data`, or None when it is not one of our errors."""
        if isinstance(revert_data, str):
            revert_data = bytes.fromhex(revert_data.removeprefix("0x"))
        if not revert_data or len(revert_data) < 4:
            return None
        entry = self._errors.get(revert_data[:4])
        if entry is None:
            return None
        inputs = entry["inputs"]
        values = abi_decode([canonical_type(p) for p in inputs], revert_data[4:])
        args = {p["name"]: normalise(v, p) for p, v in zip(inputs, values, strict=True)}
        shown = {
            name: (name_node(value) if name_node and name in _NODE_ARGUMENTS else value)
            for name, value in args.items()
        }
        if entry["name"] == "StatusRegistry__OwnerNotActive" and args["owner"] == args["inactiveNode"]:
            message = f"{shown['owner']} is not active, so its status lists cannot change"
        else:
            template = _TEMPLATES.get(entry["name"])
            message = template(shown) if template else f"{entry['name']}({shown})"
        return ContractRevert(entry["name"], args, message)

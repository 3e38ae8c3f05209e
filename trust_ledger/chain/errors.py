"""Contract reverts as Python exceptions with a message a person understands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eth_abi import decode as abi_decode

from trust_ledger.chain.abi import ENTITY_STATUS, KEY_REVOCATION_REASON, canonical_type, normalise, selector

NodeNamer = Callable[[str], str]

DID_RULE = (
    "a DID is did:<method>:<method-specific-id> (DID Core 1.0 §3.1): method of a-z 0-9, id of "
    "A-Z a-z 0-9 . - _ or %XX with ':' between its parts, no path, query or fragment, at most 256 bytes"
)
URI_RULE = (
    "use an absolute URI (scheme:...) of 1 to 512 RFC 3986 characters or %XX: no spaces, controls, "
    "quotes, <, >, \\, ^, `, {, |, } or non-ASCII"
)


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
        f"invalid label {quoted(a['label'])}: use 1 to 63 characters from a-z, 0-9, '-' and '_'"
    ),
    "TrustRegistry__DepthExceeded": lambda a: (
        f"{a['parent']} already sits {a['maxDepth']} levels below the trust anchor, the most allowed, "
        "so it cannot have children"
    ),
    "TrustRegistry__DidTaken": lambda a: f"the DID {a['did']} is already registered",
    "TrustRegistry__ZeroController": lambda a: "the controller address must not be zero",
    "TrustRegistry__InvalidDidProof": lambda a: _did_proof_message(a["did"], a["kind"]),
    "TrustRegistry__DidProofExpired": lambda a: (
        f"the proof of control expired at {_when(a['expiry'])}, before this block ({_when(a['blockTime'])}): "
        "make a new one"
    ),
    "TrustRegistry__NotAncestor": lambda a: f"{a['ancestor']} is not an ancestor of {a['node']}",
    "TrustRegistry__HolderActive": lambda a: (
        f"{a['node']} and every entity up to {a['ancestor']} are active: suspend or revoke it (or an entity "
        "between) before releasing its DID"
    ),
    "TrustRegistry__NoDid": lambda a: f"{a['node']} holds no DID (the root, never registered, or released)",
    "TrustRegistry__NotActive": lambda a: (
        f"{a['node']} is {ENTITY_STATUS[a['status']]}, so it and its descendants cannot act"
    ),
    "TrustRegistry__EntityRevoked": lambda a: f"{a['node']} is revoked, and revocation is final",
    "TrustRegistry__InvalidStatus": lambda a: f"'{ENTITY_STATUS[a['status']]}' is not a status one can set",
    "TrustRegistry__RootHasNoParent": lambda a: (
        "the trust anchor has no parent: nobody can set its status or accreditations"
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
    "TrustRegistry__InvalidKeyPurposes": lambda a: (
        f"invalid key purposes {a['purposes']}: name at least one of the five verification relationships"
    ),
    "TrustRegistry__EmptyPublicKey": lambda a: f"the public key of key '{a['keyId']}' is empty",
    "TrustRegistry__KeyExists": lambda a: (
        f"{a['node']} already has (or had) a key '{a['keyId']}'; key ids are never reused"
    ),
    "TrustRegistry__UnknownKey": lambda a: f"{a['node']} has no key '{a['keyId']}'",
    "TrustRegistry__KeyAlreadyRevoked": lambda a: (
        f"the key '{a['keyId']}' of {a['node']} is already revoked; it can only be declared compromised "
        "later, or compromised since an earlier time"
    ),
    "TrustRegistry__InvalidCompromiseTime": lambda a: _compromise_time_message(
        KEY_REVOCATION_REASON[a["reason"]], a["compromisedSince"], a["blockTime"]
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
    "StatusRegistry__IndexOutOfRange": lambda a: (
        f"index {a['index']} is outside status list {a['listId']} of {a['size']} entries"
    ),
    "StatusRegistry__WordOutOfRange": lambda a: (
        f"indices {256 * a['wordIndex']} to {256 * a['wordIndex'] + 255} are outside status list "
        f"{a['listId']} of {256 * a['words']} entries"
    ),
    "StatusRegistry__LengthMismatch": lambda a: (
        f"{a['wordIndices']} word indices but {a['masks']} masks: give one mask per word"
    ),
    "StatusRegistry__ZeroDelegate": lambda a: "the delegate address must not be zero",
    "StatusRegistry__RevocationIsFinal": lambda a: (
        f"status list {a['listId']} is a revocation list: revocation is final, so its bits can only be set "
        f"(index {a['index']} cannot be cleared); use a suspension list for a status that can be lifted"
    ),
}


_PROOF_RULES = {
    0: "this DID method has no proof of control: give none",
    1: "sign the registration digest with the DID's secp256k1 key (65 bytes r, s, v; low s)",
    2: "give the DID key's signature of the registration digest (1 to 512 bytes)",
    3: "give the registration digest the domain publishes (32 bytes)",
}


def _did_proof_message(did: str, kind: int) -> str:
    return f"the proof of control of {did} does not fit this registration: {_PROOF_RULES.get(kind, '?')}"


def _compromise_time_message(reason: str, since: int, block_time: int) -> str:
    if reason == "keyCompromise":
        return (
            f"a keyCompromise revocation needs a compromise time between 1 and the block time "
            f"{_when(block_time)}, not {_when(since) if since else 0}"
        )
    return f"only a keyCompromise revocation has a compromise time: give 0 for {reason}, not {_when(since)}"


_NODE_ARGUMENTS = {"node", "parent", "owner", "inactiveNode", "ancestor"}


@dataclass(frozen=True)
class StringGrammar:
    """How to explain a refusal `Error(string value, uint256 at)` of contracts/src/Grammar.sol."""

    subject: str  # what the value is, e.g. "did"
    noun: str  # what it is not, e.g. "a valid DID"
    max_length: int
    rule: str


_FRAGMENT_RULE = "use 1 to 64 of A-Z a-z 0-9 . _ -"
_GRAMMAR_ERRORS: dict[str, StringGrammar] = {
    "TrustRegistry__InvalidDid": StringGrammar("did", "a valid DID", 256, DID_RULE),
    "TrustRegistry__InvalidRoleTarget": StringGrammar("role target", "a valid DID", 256, DID_RULE),
    "TrustRegistry__InvalidCredentialType": StringGrammar(
        "credential type",
        "a valid credential type",
        128,
        "use 1 to 128 of A-Z a-z 0-9 . _ : / # ? = & % ~ + -",
    ),
    "TrustRegistry__InvalidRoleName": StringGrammar(
        "role", "a valid role name", 64, "use 1 to 64 of A-Z a-z 0-9 . _ : -"
    ),
    "TrustRegistry__InvalidKeyId": StringGrammar("key id", "a valid key id", 64, _FRAGMENT_RULE),
    "TrustRegistry__InvalidKeyType": StringGrammar(
        "key type", "a valid key type", 64, "use 1 to 64 of A-Z a-z 0-9, e.g. JsonWebKey2020 or Multikey"
    ),
    "TrustRegistry__InvalidServiceId": StringGrammar("service id", "a valid service id", 64, _FRAGMENT_RULE),
    "TrustRegistry__InvalidServiceType": StringGrammar(
        "service type", "a valid service type", 64, "use 1 to 64 of A-Z a-z 0-9 . _ : / -"
    ),
    "TrustRegistry__InvalidServiceEndpoint": StringGrammar("service endpoint", "a valid URI", 512, URI_RULE),
    "StatusRegistry__InvalidUri": StringGrammar("status list URI", "a valid URI", 512, URI_RULE),
}
"""The contracts' grammar errors: the first argument is the refused value, `at` where it goes wrong."""


def quoted(value: str | bytes) -> str:
    """`value` in double quotes, printable ASCII as is and everything else escaped (\\n, \\xff,
    \\u202e), so a hostile value can neither hide, reorder nor break the line it is shown in."""
    text = value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value
    shown = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            shown.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            shown.append(char)
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, kept by surrogateescape
            shown.append(f"\\x{code - 0xDC00:02x}")
        else:
            shown.append(char.encode("unicode_escape").decode("ascii"))
    return '"' + "".join(shown) + '"'


def _offending(raw: bytes, at: int) -> str:
    byte = raw[at]
    if byte == 0x20:
        return "a space"
    if 0x20 < byte < 0x7F:
        return repr(chr(byte))
    if byte < 0x80:
        return f"control character 0x{byte:02x}"
    for width in (2, 3, 4):
        try:
            return f"U+{ord(raw[at : at + width].decode('utf-8')):04X}"
        except UnicodeDecodeError:
            continue
    return f"0x{byte:02x}, not UTF-8"


def _grammar_message(grammar: StringGrammar, raw: bytes, at: int) -> str:
    if len(raw) > grammar.max_length:
        reason = f"it is {len(raw)} bytes long, more than {grammar.max_length}"
    elif not raw:
        reason = "it is empty"
    elif at >= len(raw):
        reason = "it ends too early"
    else:
        reason = f"byte {at} ({_offending(raw, at)}) is not allowed there"
    return f"{grammar.subject} {quoted(raw)} is not {grammar.noun}: {reason}; {grammar.rule}"


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
        # strings as bytes (the same encoding), so a value that is not UTF-8 still decodes
        types = ["bytes" if p["type"] == "string" else canonical_type(p) for p in inputs]
        values = abi_decode(types, revert_data[4:])
        raw_strings = {p["name"]: v for p, v in zip(inputs, values, strict=True) if p["type"] == "string"}
        args = {
            p["name"]: v.decode("utf-8", "replace") if p["type"] == "string" else normalise(v, p)
            for p, v in zip(inputs, values, strict=True)
        }
        shown = {
            name: (name_node(value) if name_node and name in _NODE_ARGUMENTS else value)
            for name, value in args.items()
        }
        grammar = _GRAMMAR_ERRORS.get(entry["name"])
        if grammar is not None:
            message = _grammar_message(grammar, raw_strings[inputs[0]["name"]], args["at"])
        elif entry["name"] == "StatusRegistry__OwnerNotActive" and args["owner"] == args["inactiveNode"]:
            message = f"{shown['owner']} is not active, so its status lists cannot change"
        else:
            template = _TEMPLATES.get(entry["name"])
            message = template(shown) if template else f"{entry['name']}({shown})"
        return ContractRevert(entry["name"], args, message)

"""Typed records of an entity's state, as the views hand it to the resolver, the issuer and the verifier.

The ledger's Entity aggregate is stored in the views as JSON (``trust_ledger.domain.Entity.as_dict()``);
the views turn it into these frozen records once, when they read a row (``EntityState.from_state``),
and every layer above reads them by attribute. ``as_state()`` gives the stored JSON shape back, key
for key (what the offline snapshot carries, and what the round-trip test compares with the aggregate).

Times are unix seconds (block times); a ``valid_until`` of 0 means unbounded. A record read from
anything but the views (an offline snapshot) is checked field by field: a value of the wrong type
raises ``RecordError`` (a ``ValueError``) naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trust_ledger.domain.entity import KEY_COMPROMISE, KEY_PURPOSES, NO_DID_CONTROL


class RecordError(ValueError):
    """Stored or received entity data that does not have the shape of its record."""


@dataclass(frozen=True)
class Provenance:
    """Where a change came from on chain."""

    chain_id: int
    contract: str
    block_number: int
    block_hash: str
    block_time: int
    tx_hash: str
    log_index: int

    @classmethod
    def from_state(cls, data: Mapping[str, Any]) -> Provenance:
        return cls(
            chain_id=_int(data, "chain_id"),
            contract=_str(data, "contract"),
            block_number=_int(data, "block_number"),
            block_hash=_str(data, "block_hash"),
            block_time=_int(data, "block_time"),
            tx_hash=_str(data, "tx_hash"),
            log_index=_int(data, "log_index"),
        )

    def as_state(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "contract": self.contract,
            "block_number": self.block_number,
            "block_hash": self.block_hash,
            "block_time": self.block_time,
            "tx_hash": self.tx_hash,
            "log_index": self.log_index,
        }


@dataclass(frozen=True)
class RoleGrant:
    """Role names for one target DID: what a role credential grants, or an accreditation allows.
    ``names`` keep the order the registry (or the credential) gives them; the rule compares sets."""

    target: str
    names: tuple[str, ...]

    @classmethod
    def of(cls, target: str, names: Iterable[str]) -> RoleGrant:
        return cls(target, tuple(names))

    @classmethod
    def from_state(cls, data: Mapping[str, Any]) -> RoleGrant:
        if not isinstance(data, Mapping):
            raise RecordError(f"a role grant is not an object: {data!r}")
        return cls(_str(data, "target"), _strings(data, "names", ()))

    def as_state(self) -> dict[str, Any]:
        return {"target": self.target, "names": list(self.names)}


@dataclass(frozen=True)
class Accreditation:
    """An entity's accreditation for one credential type, as the registry holds it (block times)."""

    credential_type: str
    roles: tuple[RoleGrant, ...] = ()
    valid_from: int = 0
    valid_until: int = 0  # 0: unbounded
    granted_at: int | None = None

    @classmethod
    def from_state(cls, credential_type: str, data: Mapping[str, Any]) -> Accreditation:
        """From an entity state's ``accreditations[credential_type]``."""
        if not isinstance(data, Mapping):
            raise RecordError(f"the accreditation for {credential_type!r} is not an object")
        roles = data.get("roles") or []
        if not isinstance(roles, list):
            raise RecordError(f"the roles of the accreditation for {credential_type!r} are not a list")
        return cls(
            credential_type=credential_type,
            roles=tuple(RoleGrant.from_state(grant) for grant in roles),
            valid_from=_int(data, "valid_from", 0),
            valid_until=_int(data, "valid_until", 0),
            granted_at=_optional_int(data, "granted_at"),
        )

    def as_state(self) -> dict[str, Any]:
        held: dict[str, Any] = {
            "roles": [grant.as_state() for grant in self.roles],
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
        }
        if self.granted_at is not None:
            held["granted_at"] = self.granted_at
        return held

    def covers(self, at: int) -> bool:
        """``valid_from <= at < valid_until``, 0 meaning unbounded."""
        return at >= self.valid_from and (not self.valid_until or at < self.valid_until)

    def beyond(self, grant: RoleGrant) -> frozenset[str]:
        """The names of ``grant`` this accreditation does not allow for its target."""
        allowed: set[str] = set()
        for held in self.roles:
            if held.target == grant.target:
                allowed.update(held.names)
        return frozenset(grant.names) - allowed


def accreditations_from_state(data: Any) -> dict[str, Accreditation]:
    """``credential type -> Accreditation`` from an entity state's (or a view row's) ``accreditations``."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise RecordError("accreditations are not an object")
    return {kind: Accreditation.from_state(kind, held) for kind, held in data.items()}


@dataclass(frozen=True)
class KeyRecord:
    """A verification method the entity registered (TrustRegistry key): its material and lifecycle.

    ``purposes`` is the TrustRegistry PURPOSE_* bit set and ``purpose_names`` the verification
    relationships it stands for; ``revoked``/``revoked_at`` are as of the entity version read.
    ``revocation_reason`` is "unspecified", "superseded" or "keyCompromise" once revoked (RFC 5280
    CRLReason names, trust_ledger.domain.KEY_REVOCATION_REASONS); ``compromised_since`` the time the
    controller says a compromised key is in other hands since (issue 14 item 1)."""

    key_type: str
    public_key: str  # 0x hex
    purposes: int = 0
    purpose_names: tuple[str, ...] = ()
    valid_from: int = 0
    valid_until: int = 0  # 0: unbounded
    revoked: bool = False
    added_at: int | None = None
    revoked_at: int | None = None
    revocation_reason: str | None = None
    compromised_since: int | None = None

    @classmethod
    def from_state(cls, data: Mapping[str, Any]) -> KeyRecord:
        """From an entity state's ``keys[key_id]``."""
        if not isinstance(data, Mapping):
            raise RecordError(f"a key is not an object: {data!r}")
        revoked = data.get("revoked", False)
        if not isinstance(revoked, bool):
            raise RecordError(f"key field 'revoked' is not a boolean: {revoked!r}")
        return cls(
            key_type=_str(data, "key_type"),
            public_key=_str(data, "public_key"),
            purposes=_int(data, "purposes", 0),
            purpose_names=_strings(data, "purpose_names", ()),
            valid_from=_int(data, "valid_from", 0),
            valid_until=_int(data, "valid_until", 0),
            revoked=revoked,
            added_at=_optional_int(data, "added_at"),
            revoked_at=_optional_int(data, "revoked_at"),
            revocation_reason=_optional_str(data, "revocation_reason"),
            compromised_since=_optional_int(data, "compromised_since"),
        )

    def as_state(self) -> dict[str, Any]:
        return {
            "key_type": self.key_type,
            "public_key": self.public_key,
            "purposes": self.purposes,
            "purpose_names": list(self.purpose_names),
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "revoked": self.revoked,
            "added_at": self.added_at,
            "revoked_at": self.revoked_at,
            "revocation_reason": self.revocation_reason,
            "compromised_since": self.compromised_since,
        }

    @property
    def compromised(self) -> bool:
        """Revoked as compromised: no signature by this key can be trusted (api/verifier/README.md)."""
        return self.revoked and self.revocation_reason == KEY_COMPROMISE

    @property
    def relationships(self) -> list[str]:
        """The DID verification relationships of ``purposes``, in bit order."""
        return [name for bit, name in KEY_PURPOSES.items() if self.purposes & bit]

    def live_at(self, at: int) -> bool:
        """Not revoked (at this version), and ``at`` inside [valid_from, valid_until)."""
        if self.revoked or self.valid_from > at:
            return False
        return self.valid_until == 0 or at < self.valid_until

    def next_edge_after(self, at: int) -> int | None:
        """The first time after ``at`` at which ``live_at`` answers differently (None: never)."""
        if self.revoked:
            return None
        edges = [edge for edge in (self.valid_from, self.valid_until) if edge > at]
        return min(edges, default=None)


@dataclass(frozen=True)
class ServiceRecord:
    """A service endpoint the entity registered."""

    type: str
    endpoint: str

    @classmethod
    def from_state(cls, data: Mapping[str, Any]) -> ServiceRecord:
        if not isinstance(data, Mapping):
            raise RecordError(f"a service is not an object: {data!r}")
        return cls(type=_str(data, "type"), endpoint=_str(data, "endpoint"))

    def as_state(self) -> dict[str, Any]:
        return {"type": self.type, "endpoint": self.endpoint}


@dataclass(frozen=True)
class LastChange:
    """The change that made this version: event name, acting address and where it came from."""

    event: str
    by: str
    provenance: Provenance

    @classmethod
    def from_state(cls, data: Mapping[str, Any]) -> LastChange:
        return cls(event=_str(data, "event"), by=_str(data, "by"), provenance=Provenance.from_state(data))

    def as_state(self) -> dict[str, Any]:
        return {"event": self.event, "by": self.by, **self.provenance.as_state()}


@dataclass(frozen=True)
class DidProof:
    """The proof of control of its DID an entity's registration carried (contracts/README.md): its
    kind ("none", "secp256k1", "signature", "webChallenge"), expiry, bytes (0x hex), and whether it
    verifies: True for secp256k1 (the contract checked it), the follower's verdict for a signature,
    None where nothing off chain can check it (none, webChallenge, a key type not read)."""

    kind: str
    expiry: int
    proof: str
    verified: bool | None

    @classmethod
    def from_state(cls, data: Any) -> DidProof:
        if not isinstance(data, Mapping):
            raise RecordError("an entity's did_control is not an object")
        verified = data.get("verified")
        if verified is not None and not isinstance(verified, bool):
            raise RecordError("field 'verified' is neither true, false nor null")
        return cls(_str(data, "kind"), _int(data, "expiry"), _str(data, "proof"), verified)

    def as_state(self) -> dict[str, Any]:
        return {"kind": self.kind, "expiry": self.expiry, "proof": self.proof, "verified": self.verified}


NO_DID_PROOF = DidProof(**NO_DID_CONTROL)


@dataclass(frozen=True)
class EntityState:
    """An entity's whole state at one version (trust_ledger.domain.Entity.as_dict(), typed).

    ``parent`` is the parent's node id (None for the root); ``name`` is the full hierarchical name
    (empty for the root); ``status`` is the entity's own status ("active", "suspended", "revoked");
    ``status_delegates`` are the addresses that may change its status lists besides the controller."""

    id: str
    version: int
    chain_id: int
    contract: str
    node: str
    parent: str | None
    label: str
    name: str
    did: str
    controller: str
    status: str
    accreditations: Mapping[str, Accreditation] = field(default_factory=dict)
    keys: Mapping[str, KeyRecord] = field(default_factory=dict)
    services: Mapping[str, ServiceRecord] = field(default_factory=dict)
    status_delegates: tuple[str, ...] = ()
    created_at: int = 0
    updated_at: int = 0
    last_change: LastChange | None = None
    did_control: DidProof = NO_DID_PROOF
    did_released: bool = False

    @classmethod
    def from_state(cls, data: Mapping[str, Any]) -> EntityState:
        """The record of an entity state as stored (Entity.as_dict(), JSON-decoded)."""
        if not isinstance(data, Mapping):
            raise RecordError("an entity state is not an object")
        keys = data.get("keys") or {}
        services = data.get("services") or {}
        last_change = data.get("last_change")
        if not isinstance(keys, Mapping) or not isinstance(services, Mapping):
            raise RecordError("an entity state's keys or services are not an object")
        return cls(
            id=_str(data, "id"),
            version=_int(data, "version"),
            chain_id=_int(data, "chain_id"),
            contract=_str(data, "contract"),
            node=_str(data, "node"),
            parent=_optional_str(data, "parent"),
            label=_str(data, "label", ""),
            name=_str(data, "name", ""),
            did=_str(data, "did"),
            controller=_str(data, "controller"),
            status=_str(data, "status"),
            accreditations=accreditations_from_state(data.get("accreditations")),
            keys={key_id: KeyRecord.from_state(key) for key_id, key in keys.items()},
            services={service_id: ServiceRecord.from_state(s) for service_id, s in services.items()},
            status_delegates=_strings(data, "status_delegates", ()),
            created_at=_int(data, "created_at", 0),
            updated_at=_int(data, "updated_at", 0),
            last_change=None if last_change is None else LastChange.from_state(last_change),
            did_control=DidProof.from_state(data.get("did_control") or NO_DID_CONTROL),
            did_released=_bool(data, "did_released", False),
        )

    def as_state(self) -> dict[str, Any]:
        """The stored shape (Entity.as_dict()), key for key."""
        return {
            "id": self.id,
            "version": self.version,
            "chain_id": self.chain_id,
            "contract": self.contract,
            "node": self.node,
            "parent": self.parent,
            "label": self.label,
            "name": self.name,
            "did": self.did,
            "controller": self.controller,
            "status": self.status,
            "accreditations": {t: a.as_state() for t, a in self.accreditations.items()},
            "keys": {key_id: key.as_state() for key_id, key in self.keys.items()},
            "services": {service_id: s.as_state() for service_id, s in self.services.items()},
            "status_delegates": list(self.status_delegates),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "last_change": None if self.last_change is None else self.last_change.as_state(),
            "did_control": self.did_control.as_state(),
            "did_released": self.did_released,
        }


# ---------------------------------------------------------------------- checked fields

_MISSING: Any = object()


def _field(data: Mapping[str, Any], name: str, default: Any) -> Any:
    if name in data:
        return data[name]
    if default is _MISSING:
        raise RecordError(f"field {name!r} is missing")
    return default


def _int(data: Mapping[str, Any], name: str, default: Any = _MISSING) -> int:
    value = _field(data, name, default)
    if value is None and default is not _MISSING:
        return int(default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise RecordError(f"field {name!r} is not an integer: {value!r}")
    return value


def _optional_int(data: Mapping[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    return _int(data, name)


def _str(data: Mapping[str, Any], name: str, default: Any = _MISSING) -> str:
    value = _field(data, name, default)
    if not isinstance(value, str):
        raise RecordError(f"field {name!r} is not a string: {value!r}")
    return value


def _bool(data: Mapping[str, Any], name: str, default: Any = _MISSING) -> bool:
    value = _field(data, name, default)
    if not isinstance(value, bool):
        raise RecordError(f"field {name!r} is not true or false")
    return value


def _optional_str(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    return None if value is None else _str(data, name)


def _strings(data: Mapping[str, Any], name: str, default: Any = _MISSING) -> tuple[str, ...]:
    value = _field(data, name, default)
    if value is None and default is not _MISSING:
        value = default
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise RecordError(f"field {name!r} is not a list of strings: {value!r}")
    return tuple(value)

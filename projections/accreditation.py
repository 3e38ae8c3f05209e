"""The accreditation rule: may an entity vouch for a credential type (and the roles it grants) at a time?

One home for the rule the issuer (before it issues), the verifier (online and from an offline
snapshot) and the data-space PEP apply. In order, the first failure decides:

- ``ISSUER_UNKNOWN``: the registry does not hold the entity;
- ``ISSUER_NOT_ACTIVE`` / ``ANCESTOR_NOT_ACTIVE``: its effective status is not active (its own, or
  an ancestor's up to the root: projections.status);
- ``DID_CONTROL_UNPROVEN``: the entity or an ancestor below the root was registered with a proof
  of control of its DID that does not verify (a did:key / did:jwk signature the follower checked
  and found false: contracts/README.md, "Proof of control"); its DID is then only claimed;
- ``NOT_ACCREDITED``: the entity or an ancestor below the root holds no accreditation for the type
  whose window ``[valid_from, valid_until)`` (0 = unbounded) holds the time;
- ``ROLE_NOT_ACCREDITED``: a role granted by the credential (``target`` + names) is beyond the
  entity's or an ancestor's accreditation for the type.

The root (the trust anchor, no parent) holds every type and every role. Every ancestor is checked
because a parent narrowing or withdrawing its own accreditation does not cascade on chain: the
child's record keeps what it was given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from projections.api import EffectiveStatus, EntityVersion, TrustViews
from projections.records import Accreditation, KeyRecord, RecordError, RoleGrant, accreditations_from_state

__all__ = [
    "ANCESTOR_NOT_ACTIVE",
    "DID_CONTROL_UNPROVEN",
    "ISSUER_NOT_ACTIVE",
    "ISSUER_UNKNOWN",
    "NOT_ACCREDITED",
    "ROLE_NOT_ACCREDITED",
    "Accreditation",
    "EntityRecord",
    "Lookup",
    "Refusal",
    "RoleGrant",
    "accreditation_refusal",
    "record_from_views",
    "refusal",
    "status_refusal",
]

ISSUER_UNKNOWN = "ISSUER_UNKNOWN"
ISSUER_NOT_ACTIVE = "ISSUER_NOT_ACTIVE"
ANCESTOR_NOT_ACTIVE = "ANCESTOR_NOT_ACTIVE"
DID_CONTROL_UNPROVEN = "DID_CONTROL_UNPROVEN"
NOT_ACCREDITED = "NOT_ACCREDITED"
ROLE_NOT_ACCREDITED = "ROLE_NOT_ACCREDITED"


@dataclass(frozen=True)
class EntityRecord:
    """What trust decisions need of one registry entity: its parent, own status, keys and
    accreditations (the typed records of projections.records), as read from the views or an
    offline snapshot."""

    did: str
    parent_did: str | None
    status: str
    keys: Mapping[str, KeyRecord] = field(default_factory=dict)
    accreditations: Mapping[str, Accreditation] = field(default_factory=dict)
    did_control_failed: bool = False
    """The registration's proof of control of the DID was checked and does not verify."""

    @classmethod
    def from_state(cls, did: str, parent_did: str | None, state: Mapping[str, Any]) -> EntityRecord:
        """From stored or received data shaped as an entity state (an offline snapshot's entity);
        raises RecordError (a ValueError) naming a field of the wrong type."""
        status = state.get("status", "active")
        keys = state.get("keys") or {}
        failed = state.get("did_control_failed", False)
        if not isinstance(status, str) or not isinstance(keys, Mapping) or not isinstance(failed, bool):
            raise RecordError(f"entity {did!r} has a bad status, keys or did_control_failed")
        return cls(
            did=did,
            parent_did=parent_did,
            status=status,
            keys={key_id: KeyRecord.from_state(key) for key_id, key in keys.items()},
            accreditations=accreditations_from_state(state.get("accreditations")),
            did_control_failed=failed,
        )

    @classmethod
    def from_version(cls, version: EntityVersion) -> EntityRecord:
        state = version.state
        return cls(
            version.did,
            version.parent_did,
            state.status,
            state.keys,
            state.accreditations,
            did_control_failed=state.did_control.verified is False,
        )

    def as_dict(self) -> dict[str, Any]:
        """The offline snapshot's shape (keys and accreditations as an entity state holds them)."""
        return {
            "did": self.did,
            "parent_did": self.parent_did,
            "status": self.status,
            "keys": {key_id: key.as_state() for key_id, key in self.keys.items()},
            "accreditations": {t: a.as_state() for t, a in self.accreditations.items()},
            "did_control_failed": self.did_control_failed,
        }

    def accredited_at(self, credential_type: str, at: int) -> bool:
        """The entity's own accreditation for the type holds at ``at`` (what the trust list filters on;
        the root holds none of its own, though the rule lets it vouch for every type)."""
        held = self.accreditations.get(credential_type)
        return held is not None and held.covers(at)


def record_from_views(views: TrustViews, did: str) -> EntityRecord | None:
    """The entity's current record from the views, None when the registry does not hold it."""
    version = views.entity_version(did)
    return EntityRecord.from_version(version) if version is not None else None


@dataclass(frozen=True)
class Refusal:
    """Why the rule refuses: one of this module's reason codes and a sentence naming who and what."""

    reason: str
    message: str


Lookup = Callable[[str], "EntityRecord | None"]
"""A DID -> its current EntityRecord (None when unknown): views, snapshot or test data."""


def refusal(
    did: str,
    credential_type: str,
    at: int,
    *,
    status: EffectiveStatus | None,
    lookup: Lookup,
    roles: Iterable[RoleGrant] = (),
) -> Refusal | None:
    """None when ``did`` may vouch for ``credential_type`` and ``roles`` at ``at`` (unix seconds:
    the issuance time for a verifier, now for an issuer), given its effective ``status``; else the
    first failing check of the module docstring."""
    return status_refusal(did, status) or accreditation_refusal(
        did, credential_type, at, lookup=lookup, roles=roles
    )


def status_refusal(did: str, status: EffectiveStatus | None) -> Refusal | None:
    """The registry and effective-status part of the rule: None when ``did`` is held and active."""
    if status is None:
        return Refusal(ISSUER_UNKNOWN, f"the issuer {did} is not in the trust registry")
    if status.own_status != "active":
        return Refusal(ISSUER_NOT_ACTIVE, f"the issuer {did} is {status.own_status}")
    if status.status != "active":
        return Refusal(ANCESTOR_NOT_ACTIVE, f"the issuer's ancestor {status.because_of} is {status.status}")
    return None


def accreditation_refusal(
    did: str, credential_type: str, at: int, *, lookup: Lookup, roles: Iterable[RoleGrant] = ()
) -> Refusal | None:
    """The accreditation part of the rule: None when ``did`` and every ancestor below the root hold
    an accreditation for ``credential_type`` covering ``at`` and every one of ``roles``."""
    grants = tuple(roles)
    entity = lookup(did)
    if entity is None:
        return Refusal(ISSUER_UNKNOWN, f"the issuer {did} is not in the trust registry")
    seen = set()
    while entity.parent_did is not None and entity.did not in seen:
        seen.add(entity.did)
        who = f"the issuer {did}" if entity.did == did else f"the issuer's ancestor {entity.did}"
        if entity.did_control_failed:
            return Refusal(
                DID_CONTROL_UNPROVEN,
                f"{who} was registered with a proof of control of its DID that does not verify",
            )
        held = entity.accreditations.get(credential_type)
        if held is None:
            return Refusal(NOT_ACCREDITED, f"{who} is not accredited for {credential_type}")
        if not held.covers(at):
            return Refusal(
                NOT_ACCREDITED,
                f"{who} was not accredited for {credential_type} at {at} "
                f"(window {held.valid_from}..{held.valid_until or 'unbounded'})",
            )
        for grant in grants:
            beyond = held.beyond(grant)
            if beyond:
                return Refusal(
                    ROLE_NOT_ACCREDITED,
                    f"{who} is not accredited to grant {sorted(beyond)} for {grant.target}",
                )
        parent = lookup(entity.parent_did)
        if parent is None:
            return Refusal(NOT_ACCREDITED, f"{who}'s parent {entity.parent_did} is not in the trust registry")
        entity = parent
    return None

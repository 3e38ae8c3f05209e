"""The Entity aggregate: one registry node of the TrustRegistry, with everything it holds."""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from trust_ledger.domain.errors import DomainError
from trust_ledger.domain.ids import ROOT_NODE, entity_id
from trust_ledger.domain.provenance import ChainEvent
from trust_ledger.domain.text import is_opaque

STATUSES = {1: "active", 2: "suspended", 3: "revoked"}
"""ITrustRegistry.EntityStatus values (0, None, is never a stored status)."""

KEY_PURPOSES = {
    1: "authentication",
    2: "assertionMethod",
    4: "keyAgreement",
    8: "capabilityInvocation",
    16: "capabilityDelegation",
}
"""TrustRegistry PURPOSE_* bits and the DID verification relationship each one stands for."""

ALL_PURPOSES = 31

KEY_REVOCATION_REASONS = {0: "unspecified", 1: "superseded", 2: "keyCompromise"}
"""ITrustRegistry.KeyRevocationReason values, named as RFC 5280 CRLReason (and OpenID Federation 1.0's
JWK ``revoked.reason``) name them. "unspecified" and "superseded" retire a key (a rotation: what it
signed while valid stays valid); "keyCompromise" makes every signature by it untrusted."""

KEY_COMPROMISE = "keyCompromise"

DID_PROOF_KINDS = {0: "none", 1: "secp256k1", 2: "signature", 3: "webChallenge"}
"""ITrustRegistry.DidProofKind values: the proof of control a DID's method allows at registration."""

NO_DID_CONTROL: dict[str, Any] = {"kind": "none", "expiry": 0, "proof": "0x", "verified": None}
"""The proof of control of an entity registered without one (a method without proof, the root)."""


def purpose_names(purposes: int) -> list[str]:
    """Names of the verification relationships in the `purposes` bit set, in bit order."""
    return [name for bit, name in KEY_PURPOSES.items() if purposes & bit]


def status_name(value: int) -> str:
    """The name of an EntityStatus value; refuses None (0) and unknown values."""
    try:
        return STATUSES[value]
    except KeyError:
        raise DomainError(f"invalid entity status {value}") from None


def name_part(label: str, node: str) -> str:
    """The entity's part of a full name: its label, or its node id when the label cannot stand in a
    dotted name (empty, holding a dot, or not plain text; the contracts' label grammar forbids these)."""
    return label if label and "." not in label and not is_opaque(label) else node


class Entity(Aggregate):
    """A registry entity (the trust anchor is the root, with an empty name).

    Public methods check what the contracts guarantee about identities, authority and lifecycle
    (who may act, what exists, which transitions are allowed) and are called by the ledger;
    private @event methods only mutate and re-run on every replay. The content of strings a
    participant wrote (DIDs, labels, ids, types, URIs) is recorded as the chain holds it and never
    refused here: the contracts validate what has a grammar, the mirror must not halt on the rest.
    """

    class Event(ChainEvent, Aggregate.Event):
        """Base class of Entity events: all carry `provenance` and `by`."""

    @staticmethod
    def create_id(node: str, provenance: dict[str, Any]) -> UUID:
        return entity_id(provenance["chain_id"], provenance["contract"], node)

    @event("Registered")
    def __init__(
        self,
        node: str,
        parent: str | None,
        label: str,
        name: str,
        did: str,
        controller: str,
        by: str,
        provenance: dict[str, Any],
        did_control: dict[str, Any] | None = None,
    ) -> None:
        # `did_control` defaults for events recorded before registrations carried a proof of control.
        self.chain_id: int = provenance["chain_id"]
        self.contract: str = provenance["contract"]
        self.node = node
        self.parent = parent
        self.label = label
        self.name = name
        self.did = did
        self.controller = controller
        self.status = "active"
        self.accreditations: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, dict[str, Any]] = {}
        self.services: dict[str, dict[str, str]] = {}
        self.status_delegates: list[str] = []
        self.did_control: dict[str, Any] = copy.deepcopy(did_control) if did_control else dict(NO_DID_CONTROL)
        self.did_released = False
        self.created_at: int = provenance["block_time"]
        self._touch("Registered", by, provenance)

    # ------------------------------------------------------------------ commands

    @classmethod
    def register(
        cls,
        *,
        node: str,
        parent: Entity | None,
        label: str,
        did: str,
        controller: str,
        by: str,
        provenance: dict[str, Any],
        did_control: dict[str, Any] | None = None,
    ) -> Entity:
        """Register the root (`parent` None, node 0x0…0, empty label) or a child of `parent`.
        `did_control` is the proof of control the registration carried (see DidControl)."""
        if parent is None:
            if node != ROOT_NODE or label:
                raise DomainError(f"only the root {ROOT_NODE} may be registered without a parent, not {node}")
            name = ""
        else:
            parent.require_acting(by)
            part = name_part(label, node)
            name = f"{parent.name}.{part}" if parent.name else part
        return cls(
            node=node,
            parent=None if parent is None else parent.node,
            label=label,
            name=name,
            did=did,
            controller=controller,
            by=by,
            provenance=provenance,
            did_control=did_control,
        )

    def release_did(
        self, ancestor: Entity, lineage: list[Entity], by: str, provenance: dict[str, Any]
    ) -> None:
        """An ancestor releases this entity's DID (TrustRegistry.releaseDid): `lineage` is this entity
        and its ancestors up to, not including, `ancestor`; one of them must not be active."""
        if self.did_released:
            raise DomainError(f"node {self.node} holds no DID: it was released")
        if self.is_root or not lineage or lineage[0] is not self:
            raise DomainError(f"{ancestor.node} is not an ancestor of node {self.node}")
        if lineage[-1].parent != ancestor.node:
            raise DomainError(f"{ancestor.node} is not an ancestor of node {self.node}")
        ancestor.require_acting(by)
        if all(entity.status == "active" for entity in lineage):
            raise DomainError(f"node {self.node} and every entity up to {ancestor.node} are active")
        self._release_did(did=self.did, ancestor=ancestor.node, by=by, provenance=provenance)

    def change_controller(self, previous: str, new: str, by: str, provenance: dict[str, Any]) -> None:
        """Hand control to `new`; `previous` must be the controller we know. The status-list
        delegates end with the controller that named them (StatusRegistry binds them to its term)."""
        self.require_acting(by)
        if previous.lower() != self.controller.lower():
            raise DomainError(f"node {self.node}: previous controller {previous} is not {self.controller}")
        if new.lower() == previous.lower():
            raise DomainError(f"node {self.node}: controller change to the same address {new}")
        self._change_controller(
            previous_controller=self.controller, controller=new, by=by, provenance=provenance
        )

    def change_status(
        self, parent: Entity, previous: int, new: int, by: str, provenance: dict[str, Any]
    ) -> None:
        """Set the status (active, suspended, revoked); `previous` must be the status we know."""
        self._require_parent_acting(parent, by)
        if status_name(previous) != self.status:
            raise DomainError(
                f"node {self.node}: previous status {status_name(previous)} is not {self.status}"
            )
        if self.status == "revoked":
            raise DomainError(f"node {self.node} is revoked; revocation is final")
        if new == previous:
            raise DomainError(f"node {self.node}: status change to the same status {self.status}")
        self._change_status(
            previous_status=self.status, status=status_name(new), by=by, provenance=provenance
        )

    def accredit(
        self,
        parent: Entity,
        credential_type: str,
        roles: list[dict[str, Any]],
        valid_from: int,
        valid_until: int,
        by: str,
        provenance: dict[str, Any],
    ) -> None:
        """Grant or replace the accreditation for `credential_type`."""
        self._require_parent_acting(parent, by)
        if self.status == "revoked":
            raise DomainError(f"node {self.node} is revoked")
        if valid_until != 0 and valid_until <= valid_from:
            raise DomainError(f"node {self.node}: empty validity window {valid_from}..{valid_until}")
        clean_roles = [_role(r) for r in roles]
        self._accredit(
            credential_type=credential_type,
            roles=clean_roles,
            valid_from=valid_from,
            valid_until=valid_until,
            by=by,
            provenance=provenance,
        )

    def withdraw_accreditation(
        self, parent: Entity, credential_type: str, by: str, provenance: dict[str, Any]
    ) -> None:
        """Withdraw the accreditation for `credential_type`."""
        self._require_parent_acting(parent, by)
        if self.status == "revoked":
            raise DomainError(f"node {self.node} is revoked")
        if credential_type not in self.accreditations:
            raise DomainError(f"node {self.node} holds no accreditation for {credential_type!r}")
        self._withdraw_accreditation(credential_type=credential_type, by=by, provenance=provenance)

    def add_key(
        self,
        key_id: str,
        key_type: str,
        public_key: str,
        purposes: int,
        valid_from: int,
        valid_until: int,
        by: str,
        provenance: dict[str, Any],
    ) -> None:
        """Add a verification method; key ids are never reused."""
        self.require_acting(by)
        if key_id in self.keys:
            raise DomainError(f"node {self.node} already has (or had) key {key_id!r}")
        if not 0 < purposes <= ALL_PURPOSES:
            raise DomainError(f"node {self.node}: invalid key purposes {purposes}")
        if valid_until != 0 and valid_until <= valid_from:
            raise DomainError(f"node {self.node}: empty validity window {valid_from}..{valid_until}")
        self._add_key(
            key_id=key_id,
            key_type=key_type,
            public_key=public_key.lower(),
            purposes=purposes,
            valid_from=valid_from,
            valid_until=valid_until,
            by=by,
            provenance=provenance,
        )

    def revoke_key(
        self, key_id: str, reason: int, compromised_since: int, by: str, provenance: dict[str, Any]
    ) -> None:
        """Revoke a verification method (final), for `reason` (a KeyRevocationReason value). As on chain,
        a revoked key is revoked again only to widen it: declared compromised after a rotation, or
        compromised since an earlier time."""
        self.require_acting(by)
        key = self.keys.get(key_id)
        if key is None:
            raise DomainError(f"node {self.node} has no key {key_id!r}")
        name = KEY_REVOCATION_REASONS.get(reason)
        if name is None:
            raise DomainError(f"invalid key revocation reason {reason}")
        if name == KEY_COMPROMISE:
            if compromised_since <= 0:
                raise DomainError(f"key {key_id!r} of node {self.node}: a compromise needs a time")
            known = key.get("compromised_since")
            if (
                key.get("revocation_reason") == KEY_COMPROMISE
                and known is not None
                and compromised_since >= known
            ):
                raise DomainError(f"key {key_id!r} of node {self.node} is already compromised since {known}")
        else:
            if compromised_since != 0:
                raise DomainError(f"key {key_id!r} of node {self.node}: only a compromise has a time")
            if key["revoked"]:
                raise DomainError(f"key {key_id!r} of node {self.node} is already revoked")
        self._revoke_key(
            key_id=key_id,
            reason=name,
            compromised_since=compromised_since if name == KEY_COMPROMISE else None,
            by=by,
            provenance=provenance,
        )

    def add_service(
        self, service_id: str, service_type: str, endpoint: str, by: str, provenance: dict[str, Any]
    ) -> None:
        """Add a service endpoint."""
        self.require_acting(by)
        if service_id in self.services:
            raise DomainError(f"node {self.node} already has service {service_id!r}")
        self._add_service(
            service_id=service_id, service_type=service_type, endpoint=endpoint, by=by, provenance=provenance
        )

    def remove_service(self, service_id: str, by: str, provenance: dict[str, Any]) -> None:
        """Remove a service endpoint."""
        self.require_acting(by)
        if service_id not in self.services:
            raise DomainError(f"node {self.node} has no service {service_id!r}")
        self._remove_service(service_id=service_id, by=by, provenance=provenance)

    def change_status_delegate(
        self, delegate: str, authorised: bool, by: str, provenance: dict[str, Any]
    ) -> None:
        """Authorise or withdraw a delegate for this entity's status lists."""
        self.require_acting(by)
        if (delegate in self.status_delegates) == authorised:
            state = "already" if authorised else "not"
            raise DomainError(f"node {self.node}: {delegate} is {state} a status-list delegate")
        self._change_status_delegate(delegate=delegate, authorised=authorised, by=by, provenance=provenance)

    def require_acting(self, by: str) -> None:
        """Refuse a change made by anyone but this entity's controller, or while it is not active."""
        if by.lower() != self.controller.lower():
            raise DomainError(f"{by} is not the controller {self.controller} of node {self.node}")
        self.require_active()

    def require_acting_for_status_lists(self, by: str) -> None:
        """Refuse a status-list change made by anyone but the controller or a delegate, or while inactive."""
        if by.lower() != self.controller.lower() and by.lower() not in {
            d.lower() for d in self.status_delegates
        }:
            raise DomainError(
                f"{by} is neither the controller nor a status-list delegate of node {self.node}"
            )
        self.require_active()

    def require_active(self) -> None:
        """Refuse a change while this entity is suspended or revoked."""
        if self.status != "active":
            raise DomainError(f"node {self.node} is {self.status}, not active")

    def _require_parent_acting(self, parent: Entity, by: str) -> None:
        if self.parent is None:
            raise DomainError("the root has no parent, so nobody sets its status or accreditations")
        if parent.node != self.parent:
            raise DomainError(f"{parent.node} is not the parent {self.parent} of node {self.node}")
        parent.require_acting(by)

    # ------------------------------------------------------------------ mutators (re-run on replay)

    @event("ControllerChanged")
    def _change_controller(
        self, previous_controller: str, controller: str, by: str, provenance: dict[str, Any]
    ) -> None:
        self.controller = controller
        self.status_delegates = []
        self._touch("ControllerChanged", by, provenance)

    @event("StatusChanged")
    def _change_status(self, previous_status: str, status: str, by: str, provenance: dict[str, Any]) -> None:
        self.status = status
        self._touch("StatusChanged", by, provenance)

    @event("Accredited")
    def _accredit(
        self,
        credential_type: str,
        roles: list[dict[str, Any]],
        valid_from: int,
        valid_until: int,
        by: str,
        provenance: dict[str, Any],
    ) -> None:
        self.accreditations[credential_type] = {
            "roles": copy.deepcopy(roles),
            "valid_from": valid_from,
            "valid_until": valid_until,
            "granted_at": provenance["block_time"],
        }
        self._touch("Accredited", by, provenance)

    @event("AccreditationWithdrawn")
    def _withdraw_accreditation(self, credential_type: str, by: str, provenance: dict[str, Any]) -> None:
        del self.accreditations[credential_type]
        self._touch("AccreditationWithdrawn", by, provenance)

    @event("KeyAdded")
    def _add_key(
        self,
        key_id: str,
        key_type: str,
        public_key: str,
        purposes: int,
        valid_from: int,
        valid_until: int,
        by: str,
        provenance: dict[str, Any],
    ) -> None:
        self.keys[key_id] = {
            "key_type": key_type,
            "public_key": public_key,
            "purposes": purposes,
            "purpose_names": purpose_names(purposes),
            "valid_from": valid_from,
            "valid_until": valid_until,
            "revoked": False,
            "added_at": provenance["block_time"],
            "revoked_at": None,
            "revocation_reason": None,
            "compromised_since": None,
        }
        self._touch("KeyAdded", by, provenance)

    @event("KeyRevoked")
    def _revoke_key(
        self,
        key_id: str,
        by: str,
        provenance: dict[str, Any],
        reason: str = "unspecified",
        compromised_since: int | None = None,
    ) -> None:
        # `reason` and `compromised_since` default for events recorded before keys carried them.
        key = self.keys[key_id]
        if not key["revoked"]:
            key["revoked"] = True
            key["revoked_at"] = provenance["block_time"]  # when it was first retired
        key["revocation_reason"] = reason
        key["compromised_since"] = compromised_since
        self._touch("KeyRevoked", by, provenance)

    @event("DidReleased")
    def _release_did(self, did: str, ancestor: str, by: str, provenance: dict[str, Any]) -> None:
        self.did_released = True
        self._touch("DidReleased", by, provenance)

    @event("ServiceAdded")
    def _add_service(
        self, service_id: str, service_type: str, endpoint: str, by: str, provenance: dict[str, Any]
    ) -> None:
        self.services[service_id] = {"type": service_type, "endpoint": endpoint}
        self._touch("ServiceAdded", by, provenance)

    @event("ServiceRemoved")
    def _remove_service(self, service_id: str, by: str, provenance: dict[str, Any]) -> None:
        del self.services[service_id]
        self._touch("ServiceRemoved", by, provenance)

    @event("StatusDelegateChanged")
    def _change_status_delegate(
        self, delegate: str, authorised: bool, by: str, provenance: dict[str, Any]
    ) -> None:
        delegates = set(self.status_delegates)
        if authorised:
            delegates.add(delegate)
        else:
            delegates.discard(delegate)
        self.status_delegates = sorted(delegates)
        self._touch("StatusDelegateChanged", by, provenance)

    def _touch(self, event_name: str, by: str, provenance: dict[str, Any]) -> None:
        self.updated_at: int = provenance["block_time"]
        self.last_change: dict[str, Any] = {"event": event_name, "by": by, **provenance}

    # ------------------------------------------------------------------ reads

    @property
    def is_root(self) -> bool:
        return self.parent is None

    def as_dict(self) -> dict[str, Any]:
        """The entity's state as plain, JSON-friendly data (a deep copy)."""
        return copy.deepcopy(
            {
                "id": str(self.id),
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
                "accreditations": self.accreditations,
                "keys": self.keys,
                "services": self.services,
                "status_delegates": self.status_delegates,
                "did_control": getattr(self, "did_control", dict(NO_DID_CONTROL)),
                "did_released": getattr(self, "did_released", False),
                "created_at": self.created_at,
                "updated_at": self.updated_at,
                "last_change": self.last_change,
            }
        )


def _role(role: dict[str, Any]) -> dict[str, Any]:
    """A RoleGrant as plain data: ``{"target": str, "names": [str]}``."""
    target, names = role.get("target"), role.get("names")
    if (
        not isinstance(target, str)
        or not isinstance(names, list)
        or not all(isinstance(n, str) for n in names)
    ):
        raise DomainError(f"invalid role grant {role!r}")
    return {"target": target, "names": list(names)}

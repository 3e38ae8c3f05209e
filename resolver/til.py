"""The FIWARE trusted-issuers-list / EBSI TIR v4 view of the registry (pure functions over records).

What an answer means to the client it is read by, FIWARE's VCVerifier (``tir/tirClient.go``
``GetTrustedIssuer``; ``verifier/trustedissuer.go`` ``ValidateVC``, ``verifyWithCredentialsConfig``,
``verifyForType``, ``verifyWithJsonPath``): HTTP 200 on ``/v4/issuers/{did}`` is "a trusted
issuer"; then every ``type`` of the credential needs an attribute whose body's ``credentialsType``
is that type, and the subject must satisfy the claims of one of them. It reads neither
``issuerType`` nor ``validFor``. Hence:

- only an entity the accreditation rule may trust now (effective status active: its own and every
  ancestor's) is answered; any other is 404, as FIWARE's trusted-issuers-list answers a DID it does
  not hold (``TrustedIssuerRegistryController.getIssuerV4``); its history is at ``/1.0/entities``;
- one attribute per credential type the rule (projections.accreditation) lets the entity vouch for
  now: its own accreditation and every ancestor's below the root hold the type at this time. An
  accreditation outside its window is left out, since a client that ignores ``validFor`` would
  honour it;
- its claims are the roles the entity may grant, in VCVerifier's JSONPath form: ``$.roles[*].target``
  within the granted targets, and for each target ``$.roles[?(@.target=="<target>")].names[*]``
  within the names the entity and every ancestor below the root allow for it (the rule checks
  each of them, so the published bound is their intersection). A target that is not a DID is left
  out (VCVerifier takes a path it cannot parse as satisfied);
- an attribute for ``VerifiableCredential`` (no claims) when there is any other: every W3C credential
  carries that type and VCVerifier asks an attribute for each;
- ``validFor.to`` is absent for an accreditation without end (never ``null``).

`body` is standard Base64 of the JSON ``{claims, credentialsType, validFor}`` (keys sorted), `hash`
standard Base64 of the SHA-256 of those bytes; ``issuerType`` is RootTAO for the root, TAO for an
entity with children, TI otherwise.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from projections.accreditation import EntityRecord, accreditation_refusal
from projections.records import Accreditation
from resolver.did_syntax import is_did, xml_datetime

ROOT_TAO, TAO, TI = "RootTAO", "TAO", "TI"
BASE_TYPE = "VerifiableCredential"
"""The type every W3C credential carries (VCDM 1.1 §4.3, 2.0 §4.5)."""
TARGETS_PATH = "$.roles[*].target"


def issuer_type(*, is_root: bool, has_children: bool) -> str:
    if is_root:
        return ROOT_TAO
    return TAO if has_children else TI


@dataclass(frozen=True)
class Grantable:
    """What an entity may vouch for now for one credential type: its window and, per target DID,
    the role names (None: any role, as for the root)."""

    credential_type: str
    valid_from: int
    valid_until: int  # 0: unbounded
    roles: dict[str, frozenset[str]] | None


def grantable(entity: EntityRecord, lookup: Callable[[str], EntityRecord | None], at: int) -> list[Grantable]:
    """The credential types `entity` may vouch for at `at` under the accreditation rule, sorted,
    with the roles it may grant for each (the intersection over it and its ancestors below the root)."""
    result = []
    for credential_type, held in sorted(entity.accreditations.items()):
        if entity.parent_did is not None and accreditation_refusal(
            entity.did, credential_type, at, lookup=lookup
        ):
            continue
        if not held.covers(at):
            continue
        result.append(
            Grantable(
                credential_type,
                held.valid_from,
                held.valid_until,
                _roles_along(entity, credential_type, lookup),
            )
        )
    return result


def _roles_along(
    entity: EntityRecord, credential_type: str, lookup: Callable[[str], EntityRecord | None]
) -> dict[str, frozenset[str]] | None:
    """Per target, the names every entity from `entity` up to (not including) the root allows."""
    allowed: dict[str, frozenset[str]] | None = None
    seen: set[str] = set()
    current: EntityRecord | None = entity
    while current is not None and current.parent_did is not None and current.did not in seen:
        seen.add(current.did)
        here = _roles_of(current.accreditations.get(credential_type))
        allowed = (
            here
            if allowed is None
            else {t: names & here[t] for t, names in allowed.items() if t in here and names & here[t]}
        )
        current = lookup(current.parent_did)
    return allowed


def _roles_of(held: Accreditation | None) -> dict[str, frozenset[str]]:
    roles: dict[str, frozenset[str]] = {}
    for grant in held.roles if held is not None else ():
        roles[grant.target] = roles.get(grant.target, frozenset()) | frozenset(grant.names)
    return roles


def role_claims(roles: Mapping[str, frozenset[str]] | None) -> list[dict[str, Any]]:
    """VCVerifier claims (JSONPath form) bounding a credential subject's ``roles`` to `roles`."""
    if roles is None:
        return []
    targets = sorted(t for t in roles if is_did(t))
    claims: list[dict[str, Any]] = [{"name": "roles", "path": TARGETS_PATH, "allowedValues": targets}]
    for target in targets:
        claims.append(
            {
                "name": "roles",
                "path": f'$.roles[?(@.target=="{target}")].names[*]',
                "allowedValues": sorted(roles[target]),
            }
        )
    return claims


def credential_body(
    credential_type: str, claims: list[dict[str, Any]], valid_from: int, valid_until: int
) -> dict[str, Any]:
    window: dict[str, Any] = {"from": xml_datetime(valid_from)}
    if valid_until:
        window["to"] = xml_datetime(valid_until)
    return {"credentialsType": credential_type, "claims": claims, "validFor": window}


def attribute(body: dict[str, Any], *, kind: str, tao: str | None, root_tao: str | None) -> dict[str, Any]:
    payload = json.dumps(body, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")
    attr: dict[str, Any] = {
        "hash": base64.b64encode(hashlib.sha256(payload).digest()).decode("ascii"),
        "body": base64.b64encode(payload).decode("ascii"),
        "issuerType": kind,
    }
    if tao is not None:
        attr["tao"] = tao
    if root_tao is not None:
        attr["rootTao"] = root_tao
    return attr


def issuer_attributes(
    grants: list[Grantable], *, kind: str, tao: str | None, root_tao: str | None
) -> list[dict[str, Any]]:
    bodies = [
        credential_body(g.credential_type, role_claims(g.roles), g.valid_from, g.valid_until)
        for g in grants
        if g.credential_type != BASE_TYPE
    ]
    if bodies:
        starts = [g.valid_from for g in grants]
        ends = [g.valid_until for g in grants]
        bodies.append(credential_body(BASE_TYPE, [], min(starts), 0 if 0 in ends else max(ends)))
    return [attribute(body, kind=kind, tao=tao, root_tao=root_tao) for body in bodies]

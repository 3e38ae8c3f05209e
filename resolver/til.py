"""The FIWARE trusted-issuers-list / EBSI TIR v4 view of the registry (pure functions).

Each accreditation becomes an attribute ``{hash, body, issuerType, tao, rootTao}``: `body` is
standard Base64 of the JSON ``{credentialsType, claims: [{name: "roles", allowedValues: [...]}],
validFor: {from, to}}`` (the TrustedIssuer credential form the VCVerifier reads), `hash` is standard
Base64 of the SHA-256 of those JSON bytes. `issuerType` comes from the hierarchy: RootTAO for the
root, TAO for an entity with children, TI otherwise, and Revoked for an entity that is not trusted
now (its effective status is revoked or suspended); for such an entity `validFor.to` is cut at the
time it stopped being trusted, so a verifier reading only the bodies refuses it too.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from projections.records import Accreditation
from resolver.did_syntax import xml_datetime

ROOT_TAO, TAO, TI, REVOKED = "RootTAO", "TAO", "TI", "Revoked"


def issuer_type(*, is_root: bool, has_children: bool, trusted: bool) -> str:
    if not trusted:
        return REVOKED
    if is_root:
        return ROOT_TAO
    return TAO if has_children else TI


def credential_body(held: Accreditation, untrusted_since: int | None) -> dict[str, Any]:
    until = held.valid_until or None
    if untrusted_since is not None and (until is None or untrusted_since < until):
        until = untrusted_since
    return {
        "credentialsType": held.credential_type,
        "claims": [{"name": "roles", "allowedValues": [grant.as_state() for grant in held.roles]}],
        "validFor": {"from": xml_datetime(held.valid_from), "to": xml_datetime(until)},
    }


def attribute(body: dict[str, Any], *, kind: str, tao: str | None, root_tao: str | None) -> dict[str, Any]:
    payload = json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8")
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
    accreditations: Mapping[str, Accreditation],
    *,
    kind: str,
    tao: str | None,
    root_tao: str | None,
    untrusted_since: int | None,
) -> list[dict[str, Any]]:
    return [
        attribute(credential_body(held, untrusted_since), kind=kind, tao=tao, root_tao=root_tao)
        for _, held in sorted(accreditations.items())
    ]

"""Who is asking: the verifier's request key from its DID document, and its place on the trust list.

Both come from the trust-ledger resolver over HTTP: ``GET /1.0/identifiers/{did}`` (the DID
document, ``application/did+json``) and ``GET /1.0/entities/{did}`` (the registry entry with its
effective status, ancestors included).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from api.credentials.dids import did_key_jwk
from api.credentials.errors import CredentialError
from api.wallet.errors import WalletError
from api.wallet.http import json_object, refusal

KEY_STEP = "verifier key"
RELATIONSHIPS = ("authentication", "assertionMethod")
"""Verification relationships whose keys may sign a request object."""


@dataclass(frozen=True)
class VerifierTrust:
    """The verifier's standing on the trust list: ``trusted`` only when registered and effectively active."""

    trusted: bool
    warning: str | None


def resolve_request_key(client: httpx.Client, resolver_url: str, did: str, kid: str) -> dict[str, Any]:
    """The public JWK of ``kid`` (a DID URL of ``did``), listed under authentication or assertionMethod."""
    if not kid.startswith(did + "#") or len(kid) == len(did) + 1:
        raise WalletError(KEY_STEP, f"kid {kid!r} is not a key of the verifier {did}")
    document = _did_document(client, resolver_url, did)
    method = _method(document, did, kid)
    if method is None:
        raise WalletError(
            KEY_STEP, f"{kid} is not an authentication or assertionMethod key in the DID document of {did}"
        )
    return _jwk_of(method, kid)


def _did_document(client: httpx.Client, resolver_url: str, did: str) -> dict[str, Any]:
    url = f"{resolver_url}/1.0/identifiers/{quote(did, safe='')}"
    try:
        response = client.get(url, headers={"Accept": "application/did+json"})
    except httpx.HTTPError as exc:
        raise WalletError(KEY_STEP, f"cannot reach the resolver at {resolver_url}: {exc}") from None
    if response.status_code == 410:
        raise WalletError(KEY_STEP, f"the verifier's DID {did} is deactivated")
    if response.status_code == 404:
        raise WalletError(KEY_STEP, f"the verifier's DID {did} cannot be resolved (not found)")
    if response.status_code != 200:
        raise refusal(KEY_STEP, response)
    document = json_object(KEY_STEP, response)
    if document.get("id") != did:
        raise WalletError(
            KEY_STEP, f"the resolver returned a DID document for {document.get('id')!r}, not {did}"
        )
    return document


def _absolute(did: str, reference: Any) -> Any:
    return did + reference if isinstance(reference, str) and reference.startswith("#") else reference


def _method(document: Mapping[str, Any], did: str, kid: str) -> Mapping[str, Any] | None:
    """The verification method ``kid`` if one of the allowed relationships lists it."""
    listed = False
    for name in RELATIONSHIPS:
        for entry in document.get(name) or []:
            if isinstance(entry, Mapping) and _absolute(did, entry.get("id")) == kid:
                return entry
            listed = listed or _absolute(did, entry) == kid
    if not listed:
        return None
    for method in document.get("verificationMethod") or []:
        if isinstance(method, Mapping) and _absolute(did, method.get("id")) == kid:
            return method
    return None


def _jwk_of(method: Mapping[str, Any], kid: str) -> dict[str, Any]:
    jwk = method.get("publicKeyJwk")
    if isinstance(jwk, Mapping):
        return dict(jwk)
    multibase = method.get("publicKeyMultibase")
    if isinstance(multibase, str):
        try:
            return did_key_jwk("did:key:" + multibase)
        except CredentialError as exc:
            raise WalletError(KEY_STEP, f"{kid} has unusable key material: {exc}") from None
    raise WalletError(KEY_STEP, f"{kid} has neither publicKeyJwk nor publicKeyMultibase")


def check_trust_list(client: httpx.Client, resolver_url: str, did: str) -> VerifierTrust:
    """The verifier's trust list entry: trusted when its effective status is active, else a warning."""
    url = f"{resolver_url}/1.0/entities/{quote(did, safe='')}"
    try:
        response = client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        return VerifierTrust(False, f"the trust list could not be checked for {did}: {exc}")
    if response.status_code == 404:
        return VerifierTrust(False, f"the verifier {did} is not on the trust list")
    if response.status_code != 200:
        return VerifierTrust(
            False, f"the trust list could not be checked for {did}: {refusal('trust list', response)}"
        )
    entity = json_object("trust list", response)
    effective = entity.get("effectiveStatus")
    status = effective.get("status") if isinstance(effective, Mapping) else None
    if status == "active":
        return VerifierTrust(True, None)
    because = effective.get("becauseOf") if isinstance(effective, Mapping) else None
    reason = f" because {because} is {status}" if because and because != did else ""
    return VerifierTrust(False, f"the verifier {did} is {status or 'of unknown status'}{reason}")

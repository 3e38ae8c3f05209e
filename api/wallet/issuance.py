"""The OID4VCI pre-authorized code flow, from the token request to the credentials (§6-§8, §11).

Two dialects, chosen from what the issuer shows:

- 1.0 final: c_nonce from the ``nonce_endpoint`` (a fresh one per request), credential request with
  ``proofs: {"jwt": [...]}``, response ``credentials: [{"credential": ...}]``;
- pre-final (TW DIW): no nonce endpoint and a ``c_nonce`` in the token response; the request
  carries ``proof: {"proof_type": "jwt", "jwt": ...}`` plus ``format`` (and ``vct`` /
  ``credential_definition``); the response has ``credential`` and the next ``c_nonce``.

A request refused with ``invalid_nonce`` is retried once with a fresh nonce (from the error
response's ``c_nonce``, else the nonce endpoint).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.credentials.keys import ACCEPTED_ALGS
from api.credentials.proof import INVALID_NONCE, create_proof
from api.wallet.errors import WalletError
from api.wallet.http import json_object, post_json, refusal, response_member, send
from api.wallet.keystore import Holder
from api.wallet.metadata import IssuerMetadata
from api.wallet.offer import PRE_AUTHORIZED_GRANT, CredentialOffer

TOKEN_STEP = "token request"
NONCE_STEP = "nonce request"
CREDENTIAL_STEP = "credential request"


@dataclass(frozen=True)
class Delivery:
    """The credentials of one credential response, with their configuration and notification id."""

    configuration_id: str
    format: str
    credentials: list[Any]
    bound: bool
    """Whether the configuration uses holder binding (so the credentials must be bound to us)."""
    notification_id: str | None


@dataclass
class Session:
    """State of one offer's flow after the token request."""

    client: httpx.Client
    offer: CredentialOffer
    metadata: IssuerMetadata
    holder: Holder
    access_token: str
    c_nonce: str | None
    legacy: bool
    identifiers: dict[str, list[str]] = field(default_factory=dict)


def request_token(
    client: httpx.Client, token_url: str, offer: CredentialOffer, tx_code: str | None
) -> dict[str, Any]:
    """POST the pre-authorized code (and tx_code) to the token endpoint; the checked response."""
    if offer.pre_authorized_code is None:
        raise WalletError(
            "credential offer",
            "the offer has no pre-authorized_code grant (authorization_code is not supported)",
        )
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": offer.pre_authorized_code}
    if tx_code is not None:
        form["tx_code"] = tx_code
    response = send(client, TOKEN_STEP, "POST", token_url, data=form, headers={"Accept": "application/json"})
    body = json_object(TOKEN_STEP, response)
    if not isinstance(body.get("access_token"), str) or not body["access_token"]:
        raise WalletError(TOKEN_STEP, "the token response has no access_token")
    token_type = body.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise WalletError(TOKEN_STEP, f"token_type {token_type!r} is not supported (only Bearer)")
    return body


def _identifiers(body: Mapping[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    details = body.get("authorization_details")
    for detail in details if isinstance(details, list) else []:
        if not isinstance(detail, dict) or detail.get("type") != "openid_credential":
            continue
        config_id, identifiers = (
            detail.get("credential_configuration_id"),
            detail.get("credential_identifiers"),
        )
        if isinstance(config_id, str) and isinstance(identifiers, list) and identifiers:
            found.setdefault(config_id, []).extend(i for i in identifiers if isinstance(i, str))
    return found


def start(
    client: httpx.Client,
    token_url: str,
    offer: CredentialOffer,
    metadata: IssuerMetadata,
    holder: Holder,
    tx_code: str | None,
) -> Session:
    """The token request, and the dialect it reveals."""
    body = request_token(client, token_url, offer, tx_code)
    c_nonce = body.get("c_nonce") if isinstance(body.get("c_nonce"), str) else None
    return Session(
        client=client,
        offer=offer,
        metadata=metadata,
        holder=holder,
        access_token=body["access_token"],
        c_nonce=c_nonce,
        legacy=metadata.nonce_endpoint is None and c_nonce is not None,
        identifiers=_identifiers(body),
    )


def fetch_nonce(client: httpx.Client, nonce_endpoint: str) -> str:
    """POST to the nonce endpoint (no body, no token): its ``c_nonce``."""
    body = json_object(NONCE_STEP, send(client, NONCE_STEP, "POST", nonce_endpoint))
    if not isinstance(body.get("c_nonce"), str) or not body["c_nonce"]:
        raise WalletError(NONCE_STEP, "the nonce response has no c_nonce")
    return body["c_nonce"]


def proof_binding(config_id: str, config: Mapping[str, Any], holder: Holder) -> str | None:
    """How to bind the proof (``did:jwk`` / ``did:key`` / ``jwk``), or None when no proof is needed."""
    methods = config.get("cryptographic_binding_methods_supported")
    proof_types = config.get("proof_types_supported")
    if methods is None and proof_types is None:
        return None
    if isinstance(proof_types, dict):
        if "jwt" not in proof_types:
            raise WalletError(
                CREDENTIAL_STEP, f"{config_id} accepts no jwt proofs (only {', '.join(proof_types)})"
            )
        algs = (proof_types["jwt"] or {}).get("proof_signing_alg_values_supported")
        if isinstance(algs, list) and not set(ACCEPTED_ALGS[holder.key.curve]) & set(algs):
            raise WalletError(
                CREDENTIAL_STEP,
                f"{config_id} accepts proofs signed with {', '.join(algs)}, not {holder.key.alg}",
            )
    if not isinstance(methods, list) or holder.binding in methods:
        return holder.binding
    if "jwk" in methods:
        return "jwk"
    raise WalletError(
        CREDENTIAL_STEP,
        f"{config_id} binds to {', '.join(map(str, methods))}, the wallet uses {holder.binding}",
    )


def _request_body(
    session: Session, config_id: str, identifier: str | None, proof: str | None
) -> dict[str, Any]:
    config = session.metadata.configurations[config_id]
    body: dict[str, Any] = (
        {"credential_identifier": identifier} if identifier else {"credential_configuration_id": config_id}
    )
    if session.legacy:
        body["format"] = config.get("format")
        for name in ("vct", "credential_definition", "doctype"):
            if name in config:
                body[name] = config[name]
        if proof is not None:
            body["proof"] = {"proof_type": "jwt", "jwt": proof}
    elif proof is not None:
        body["proofs"] = {"jwt": [proof]}
    return body


def _credentials(body: Mapping[str, Any]) -> list[Any]:
    if "credentials" in body:
        items = body["credentials"]
        if not isinstance(items, list) or not items:
            raise WalletError("credential response", "credentials is not a non-empty array")
        return [item.get("credential") if isinstance(item, dict) else item for item in items]
    if "credential" in body:
        return [body["credential"]]
    raise WalletError("credential response", "the response has neither credentials nor credential")


def request_credential(
    session: Session, config_id: str, identifier: str | None = None
) -> tuple[list[Any], Any]:
    """One credential request (with one invalid_nonce retry): the credentials and notification_id."""
    config = session.metadata.configurations[config_id]
    binding = proof_binding(config_id, config, session.holder)
    endpoint = session.metadata.nonce_endpoint
    fresh: str | None = None
    for attempt in (1, 2):
        proof = None
        if binding is not None:
            nonce = fresh or (fetch_nonce(session.client, endpoint) if endpoint else session.c_nonce)
            proof = create_proof(
                session.holder.key,
                audience=session.offer.credential_issuer,
                nonce=nonce,
                binding=binding,  # type: ignore[arg-type]
            )
        response = post_json(
            session.client,
            CREDENTIAL_STEP,
            session.metadata.credential_endpoint,
            _request_body(session, config_id, identifier, proof),
            token=session.access_token,
        )
        if response.status_code == 400 and attempt == 1:
            error = refusal(CREDENTIAL_STEP, response)
            fresh = response_member(response, "c_nonce")
            if error.error == INVALID_NONCE and (fresh or endpoint):
                if fresh:
                    session.c_nonce = fresh
                continue
            raise error
        break
    if response.status_code == 202:
        raise WalletError("credential response", "deferred issuance (transaction_id) is not supported")
    if response.status_code != 200:
        raise refusal(CREDENTIAL_STEP, response)
    body = json_object("credential response", response)
    if isinstance(body.get("c_nonce"), str):
        session.c_nonce = body["c_nonce"]
    return _credentials(body), body.get("notification_id")


def notify(session: Session, notification_id: str | None, event: str) -> None:
    """Tell the issuer's notification endpoint what became of the credentials of a response
    (``credential_accepted`` / ``credential_failure``); best effort, failures are ignored."""
    endpoint = session.metadata.notification_endpoint
    if endpoint is None or notification_id is None:
        return
    with contextlib.suppress(WalletError):
        post_json(
            session.client,
            "notification",
            endpoint,
            {"notification_id": notification_id, "event": event},
            token=session.access_token,
        )


def receive(session: Session, configuration_ids: list[str]) -> Iterator[Delivery]:
    """Request every configuration (every credential_identifier, if the token named them); yield
    each response's credentials as they arrive."""
    for config_id in configuration_ids:
        config = session.metadata.configurations[config_id]
        bound = proof_binding(config_id, config, session.holder) is not None
        identifiers: list[str | None] = list(session.identifiers.get(config_id) or []) or [None]
        for identifier in identifiers:
            credentials, notification_id = request_credential(session, config_id, identifier)
            notification = notification_id if isinstance(notification_id, str) else None
            yield Delivery(config_id, str(config.get("format")), credentials, bound, notification)

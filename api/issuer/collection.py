"""The OID4VCI nonce and credential endpoints: the holder collects the offered credential."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from api.credentials.errors import CredentialError
from api.credentials.keys import read_payload
from api.credentials.proof import ProofError, ValidatedProof, validate_proof
from api.issuer.context import IssuerContext
from api.issuer.credentials import CredentialRequest, build_credential
from api.issuer.errors import IssuanceRefused, OAuthError
from api.issuer.records import Issuance, digest
from api.issuer.sealing import Shredded
from api.issuer.trust import check_may_issue

FORMAT_OF_SHORT = {"sd_jwt": "dc+sd-jwt", "jwt_vc": "jwt_vc_json", "vc_sd_jwt": "vc+sd-jwt"}


def nonce(ctx: IssuerContext) -> dict[str, str]:
    """A fresh c_nonce (no access token needed)."""
    return {"c_nonce": ctx.nonces.issue()}


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.startswith("Bearer "):
        raise OAuthError("invalid_token", "a Bearer access token is required", 401)
    return authorization.removeprefix("Bearer ").strip()


def _issuance_of(ctx: IssuerContext, access_token: str) -> Issuance:
    issuance = ctx.lookup(ctx.index.by_token, digest(access_token))
    if issuance is None:
        raise OAuthError("invalid_token", "the access token is unknown, expired or already used", 401)
    return _opened_by(ctx, issuance, access_token)


def _configuration(issuance: Issuance, body: dict[str, Any]) -> str:
    by_id, by_identifier = body.get("credential_configuration_id"), body.get("credential_identifier")
    if (by_id is None) == (by_identifier is None):
        raise OAuthError(
            "invalid_credential_request",
            "give exactly one of credential_configuration_id and credential_identifier",
        )
    chosen = by_id or by_identifier
    if chosen in issuance.issued_configurations:
        raise OAuthError("invalid_credential_request", f"{chosen!r} has already been issued with this token")
    if chosen not in issuance.configuration_ids:
        if by_identifier is not None:
            raise OAuthError("unknown_credential_identifier", f"{chosen!r} was not granted by this token")
        raise OAuthError("unknown_credential_configuration", f"{chosen!r} is not offered with this token")
    return chosen


def _proof_jwt(body: dict[str, Any]) -> str:
    proofs = body.get("proofs")
    if isinstance(proofs, dict):
        jwts = proofs.get("jwt")
        if set(proofs) != {"jwt"} or not isinstance(jwts, list) or len(jwts) != 1:
            raise OAuthError("invalid_proof", "proofs must be {'jwt': [<one proof JWT>]}")
        jwt = jwts[0]
    else:
        proof = body.get("proof")  # draft shape, still sent by TW DIW-era wallets
        jwt = proof.get("jwt") if isinstance(proof, dict) and proof.get("proof_type") == "jwt" else None
    if not isinstance(jwt, str):
        raise OAuthError("invalid_proof", "a jwt key proof is required")
    return jwt


def _audience(ctx: IssuerContext, vc_uid: str, proof_jwt: str) -> str:
    """The issuer identifier the proof's ``aud`` must be: the offer's (``credential_issuer``), in
    either spelling of an empty path (``https://x`` and ``https://x/`` are one identifier, RFC 3986
    §6.2.3: the official app writes the offer's, with ``/``; a wallet reading our metadata, without)."""
    offered = ctx.config.credential_issuer(vc_uid)
    try:
        aud = read_payload(proof_jwt).get("aud")
    except CredentialError:
        return offered
    return aud if aud in (ctx.config.base_url, ctx.config.base_url + "/") else offered


def _validated(ctx: IssuerContext, proof_jwt: str, issuer_id: str) -> ValidatedProof:
    """The key proof, its ``aud`` the identifier the holder's offer named (``issuer_id``)."""
    try:
        return validate_proof(proof_jwt, issuer_id=issuer_id, nonce=ctx.nonces.consume, now=ctx.clock())
    except ProofError as exc:
        raise OAuthError(exc.oauth_error, str(exc)) from None


def credential(ctx: IssuerContext, authorization: str | None, body: dict[str, Any]) -> dict[str, Any]:
    """Validate token, configuration and proof; issue, record CredentialIssued; answer the credential.

    The proof (and its single-use nonce) is checked once; issuing is an `update` of the issuance,
    so two requests racing with one token issue each configuration at most once.
    """
    access_token = _bearer(authorization)
    found = _issuance_of(ctx, access_token)
    _configuration(found, body)
    proof_jwt = _proof_jwt(body)
    holder = _validated(ctx, proof_jwt, _audience(ctx, found.vc_uid, proof_jwt))
    template = ctx.config.templates[found.vc_uid]

    def issue(issuance: Issuance) -> tuple[str, int]:
        _opened_by(ctx, issuance, access_token)  # a racing request may have spent it
        configuration_id = _configuration(issuance, body)
        now = ctx.clock()
        try:
            bounds = ctx.config.trust_freshness.bounds()
            check_may_issue(ctx.views, ctx.config.did, template.type, now, template.roles, bounds)
        except IssuanceRefused as refused:
            raise OAuthError("credential_request_denied", refused.message) from None
        try:
            if issuance.sealed_fields is None:
                raise Shredded("no offer data")
            fields = ctx.shredder.open(issuance.offer_id, issuance.sealed_fields)["fields"]
        except Shredded:
            raise OAuthError("credential_request_denied", "the offer has expired") from None
        cid = issuance.cid or str(uuid.uuid4())  # every format of one offer is the same card
        allocations = ctx.status.allocate(template.type, cid)
        issued = build_credential(
            ctx.key,
            ctx.config,
            CredentialRequest(
                vc_uid=issuance.vc_uid,
                template=template,
                fmt=FORMAT_OF_SHORT[configuration_id.removeprefix(issuance.vc_uid + "_")],
                fields=fields,
                holder=holder,
                cid=cid,
                allocations=allocations,
                issuance_date=issuance.issuance_date,
                expiration_date=issuance.expiration_date,
                nonce=holder.claims.get("nonce"),
            ),
        )
        issuance.issue_credential(
            cid=cid,
            configuration_id=configuration_id,
            sealed_credential=ctx.shredder.seal(issuance.offer_id, issued),
            allocations=[entry.as_dict() for entry in allocations.entries],
        )
        return issued, now

    issued, now = ctx.update(found.transaction_id, issue)
    ctx.shredder.keep_until(found.offer_id, now + ctx.config.credential_retention)
    answer: dict[str, Any] = {"credentials": [{"credential": issued}]}
    if template.profile == "twdiw":
        # the official app reads `credential` (http_service.dart getVC), the vc-handler's answer
        # (CredentialResponseDTO); OID4VCI 1.0 wallets read `credentials`
        answer["credential"] = issued
    return answer


def _opened_by(ctx: IssuerContext, issuance: Issuance, access_token: str) -> Issuance:
    """`issuance`, if `access_token` is its live token; invalid_token otherwise."""
    token_hash = digest(access_token)
    if (
        issuance.token_hash is None
        or not secrets.compare_digest(issuance.token_hash, token_hash)
        or ctx.clock() >= issuance.token_expires_at
    ):
        raise OAuthError("invalid_token", "the access token is unknown, expired or already used", 401)
    return issuance

"""OID4VP 1.0 authorization requests: the query (DCQL, or Presentation Exchange for the twdiw
profile), the signed request object served at ``request_uri``, and the deep link carrying it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from api.credentials.jwt_vc import type_iri
from api.credentials.keys import SigningKey
from api.verifier import twdiw
from api.verifier.config import CredentialQuery, VerifierConfig, VerifierTemplate
from api.verifier.sessions import Session

REQUEST_TYP = "oauth-authz-req+jwt"
SELF_ISSUED_AUDIENCE = "https://self-issued.me/v2"
ALGS = ["ES256", "ES256K", "EdDSA"]
HOLDER_DID_METHODS = ["did:jwk", "did:key"]


def dcql_query(template: VerifierTemplate) -> dict[str, Any]:
    """The DCQL query (OID4VP 1.0 §6) asking for every credential of the template."""
    return {"credentials": [_credential_query(query) for query in template.credentials]}


def _credential_query(query: CredentialQuery) -> dict[str, Any]:
    if query.format == "jwt_vc_json":  # fully expanded type IRIs (OID4VP 1.0 Appendix B.1.1)
        meta: dict[str, Any] = {"type_values": [[type_iri("VerifiableCredential"), type_iri(query.type)]]}
    else:
        meta = {"vct_values": list(query.vct_values)}
    nested = query.format in ("jwt_vc_json", "vc+sd-jwt")  # claims inside credentialSubject
    paths = [["credentialSubject", claim.ename] if nested else [claim.ename] for claim in query.claims]
    entry: dict[str, Any] = {"id": query.id, "format": query.format, "meta": meta}
    if paths:
        entry["claims"] = [{"path": path} for path in paths]
    return entry


def vp_formats(template: VerifierTemplate) -> dict[str, Any]:
    """``vp_formats_supported`` client metadata for the formats the template asks for."""
    formats: dict[str, Any] = {}
    for query in template.credentials:
        if query.format == "jwt_vc_json":
            formats["jwt_vc_json"] = {"alg_values": ALGS}
        else:
            formats[query.format] = {"sd-jwt_alg_values": ALGS, "kb-jwt_alg_values": ALGS}
    return formats


def response_uri(config: VerifierConfig) -> str:
    return f"{config.base_url}/oidvp/response"


def request_uri(config: VerifierConfig, session: Session) -> str:
    return f"{config.base_url}/oidvp/request/{session.request_id}"


def request_object(
    config: VerifierConfig, key: SigningKey, template: VerifierTemplate, session: Session, now: int
) -> str:
    """The signed request object (JAR, header ``typ: oauth-authz-req+jwt``, ``kid`` a DID URL of
    the verifier's key on chain).

    No ``iss``: OID4VP 1.0 §5 says the wallet MUST ignore it, and wallets that check it against
    ``kid`` (the OpenWallet Foundation's client) refuse a prefixed client_id there."""
    client_id = config.client_id_for(template)
    claims: dict[str, Any] = {
        "aud": SELF_ISSUED_AUDIENCE,
        "iat": now,
        "exp": session.expires_at,
        "client_id": client_id,
        "response_type": "vp_token id_token" if template.siop else "vp_token",
        "response_mode": "direct_post",
        "response_uri": response_uri(config),
        "nonce": session.nonce,
        "state": session.state,
        "client_metadata": {
            "client_name": template.name or session.template_ref,
            "vp_formats_supported": vp_formats(template),
        },
    }
    if template.siop:
        claims["scope"] = "openid"
        claims["id_token_type"] = "subject_signed_id_token"
        claims["client_metadata"]["subject_syntax_types_supported"] = HOLDER_DID_METHODS
        claims["client_metadata"]["id_token_signed_response_alg"] = "ES256"
    if template.profile == "twdiw":
        claims["client_id_scheme"] = "did"
        claims["presentation_definition"] = twdiw.presentation_definition(session.template_ref, template)
    else:
        claims["dcql_query"] = dcql_query(template)
    return key.sign(claims, {"typ": REQUEST_TYP})


def authorization_uri(config: VerifierConfig, template: VerifierTemplate, session: Session) -> str:
    """The deep link the QR code carries: ``client_id`` and ``request_uri`` only (by reference)."""
    scheme = config.twdiw_deep_link_scheme if template.profile == "twdiw" else config.deep_link_scheme
    query = urlencode(
        {"client_id": config.client_id_for(template), "request_uri": request_uri(config, session)}
    )
    separator = "?" if scheme.endswith("://") or "?" not in scheme else "&"
    return f"{scheme}{separator}{query}"

"""W3C VC as a JWT (OID4VCI/OID4VP ``jwt_vc_json``) and the holder's VP-JWT over it.

``jwt_vc_json`` is VCDM 1.1 (OID4VCI 1.0 Appendix A.1.1 cites it): the JWT encoding of VCDM 1.1
§6.3.1 with iss, sub (holder DID), nbf, exp, jti and a ``vc`` claim whose first context is
``https://www.w3.org/2018/credentials/v1``, with issuanceDate/expirationDate (VC-JOSE-COSE, the
VCDM 2.0 securing, forbids a ``vc`` claim). The mapped properties are kept in ``vc`` too ("instead
of or in addition to", §6.3.1). Types other than VerifiableCredential are terms of an inline
``@vocab`` (the W3C issuer-dependent namespace, which VCDM 2.0's context also maps undefined terms
to), so they expand to IRIs: DCQL ``type_values`` (OID4VP Appendix B.1.1) names those IRIs.
The VP-JWT is signed by the holder's DID key (did:jwk / did:key) and bound to ``aud`` and ``nonce``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.credentials.claims import check_audience, check_iat, check_nonce, check_validity, current_time
from api.credentials.dids import resolve_holder_key
from api.credentials.errors import (
    ClaimMissing,
    HolderBindingInvalid,
    IssuerMismatch,
    KeyUnsupported,
    MalformedToken,
    SignatureInvalid,
    TypInvalid,
)
from api.credentials.keys import CompactJws, IssuerKeySource, SigningKey, issuer_jwk, verify_jws

VCDM1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
VCDM1_VOCABULARY = "https://www.w3.org/2018/credentials#"
ISSUER_DEPENDENT_VOCABULARY = "https://www.w3.org/ns/credentials/issuer-dependent#"
STATUS_CONTEXTS = {"StatusList2021Entry": "https://w3id.org/vc/status-list/2021/v1"}
JWT_TYP = "JWT"


def type_iri(name: str, vocabulary: str = ISSUER_DEPENDENT_VOCABULARY) -> str:
    """The IRI a credential type of ours expands to: VerifiableCredential is the VCDM's, other
    names are terms of ``vocabulary``; absolute IRIs stay as they are."""
    if ":" in name:
        return name
    return (VCDM1_VOCABULARY if name == "VerifiableCredential" else vocabulary) + name


def expanded_types(vc: Mapping[str, Any]) -> list[str]:
    """The ``type`` values of a credential we issue as the IRIs JSON-LD expansion gives them
    (VerifiableCredential from the VCDM context, others through the inline ``@vocab``); absolute
    IRIs stay as they are. What a DCQL ``type_values`` entry is compared with."""
    vocabulary = ISSUER_DEPENDENT_VOCABULARY
    contexts = vc.get("@context")
    for context in contexts if isinstance(contexts, list) else []:
        if isinstance(context, dict) and isinstance(context.get("@vocab"), str):
            vocabulary = context["@vocab"]
    types = vc.get("type")
    return [
        type_iri(t, vocabulary) for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)
    ]


def _xml_datetime(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issue_jwt_vc(
    issuer: SigningKey,
    *,
    holder_did: str,
    types: Sequence[str],
    credential_subject: Mapping[str, Any],
    expires_at: int,
    valid_from: int | None = None,
    jti: str | None = None,
    issued_at: int | None = None,
    credential_status: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    contexts: Sequence[str] = (),
    issuer_id: str | None = None,
) -> str:
    """Issue a ``jwt_vc_json`` (VCDM 1.1) credential signed by ``issuer`` (header typ JWT, kid = the
    issuer's DID URL)."""
    iss = issuer_id or issuer.did
    if not iss:
        raise ValueError("issuer_id is required when the key has no DID")
    nbf = current_time(valid_from)
    credential_id = jti or f"urn:uuid:{uuid.uuid4()}"
    entries = (
        []
        if credential_status is None
        else [dict(credential_status)]
        if isinstance(credential_status, Mapping)
        else [dict(entry) for entry in credential_status]
    )
    status_contexts = dict.fromkeys(
        STATUS_CONTEXTS[e["type"]] for e in entries if e.get("type") in STATUS_CONTEXTS
    )
    vc: dict[str, Any] = {
        "@context": [VCDM1_CONTEXT, *status_contexts, *contexts, {"@vocab": ISSUER_DEPENDENT_VOCABULARY}],
        "id": credential_id,
        "type": ["VerifiableCredential", *(t for t in types if t != "VerifiableCredential")],
        "issuer": iss,
        "issuanceDate": _xml_datetime(nbf),
        "expirationDate": _xml_datetime(expires_at),
        "credentialSubject": {"id": holder_did, **credential_subject},
    }
    if credential_status is not None:
        vc["credentialStatus"] = entries[0] if isinstance(credential_status, Mapping) else entries
    claims = {
        "iss": iss,
        "sub": holder_did,
        "iat": current_time(issued_at),
        "nbf": nbf,
        "exp": expires_at,
        "jti": credential_id,
        "vc": vc,
    }
    return issuer.sign(claims, {"typ": JWT_TYP})


@dataclass(frozen=True)
class VerifiedJwtVc:
    """A verified ``jwt_vc_json`` credential: its header, JWT claims, ``vc`` body and holder (``sub``)."""

    token: str
    header: dict[str, Any]
    claims: dict[str, Any]
    credential: dict[str, Any]
    holder: str | None


def verify_jwt_vc(
    token: str,
    issuer_key: IssuerKeySource,
    *,
    expected_issuer: str | None = None,
    now: float | None = None,
    leeway: int = 60,
    allowed_algs: Collection[str] | None = None,
) -> VerifiedJwtVc:
    """Verify a ``jwt_vc_json`` credential: signature (alg pinned), typ, iss, exp/nbf, ``vc`` shape."""
    parsed = CompactJws(token)
    verified = verify_jws(parsed, issuer_jwk(issuer_key, parsed), allowed_algs=allowed_algs)
    typ = verified.header.get("typ")
    if typ is not None and typ != JWT_TYP:
        raise TypInvalid(f"VC-JWT typ must be {JWT_TYP!r} when present, not {typ!r}")
    claims = verified.claims()
    iss = claims.get("iss")
    if not isinstance(iss, str):
        raise ClaimMissing("VC-JWT has no iss")
    if expected_issuer is not None and iss != expected_issuer:
        raise IssuerMismatch(f"iss {iss!r} is not {expected_issuer!r}")
    check_validity(claims, now=now, leeway=leeway, require_exp=False)
    vc = claims.get("vc")
    if not isinstance(vc, dict) or not isinstance(vc.get("credentialSubject"), dict):
        raise ClaimMissing("VC-JWT has no vc.credentialSubject object")
    contexts = vc.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != VCDM1_CONTEXT:
        raise ClaimMissing(f"jwt_vc_json is VCDM 1.1: vc.@context must begin with {VCDM1_CONTEXT}")
    types = vc.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        raise ClaimMissing("vc.type must include VerifiableCredential")
    issuer = vc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id is not None and issuer_id != iss:
        raise IssuerMismatch("vc.issuer differs from iss")
    sub = claims.get("sub")
    return VerifiedJwtVc(
        token=token,
        header=verified.header,
        claims=claims,
        credential=vc,
        holder=sub if isinstance(sub, str) else None,
    )


def create_vp_jwt(
    holder: SigningKey,
    credentials: Sequence[str],
    *,
    audience: str,
    nonce: str,
    issued_at: int | None = None,
    lifetime: int = 300,
) -> str:
    """The holder's VP-JWT (``iss`` = holder DID, kid = its DID URL) wrapping ``jwt_vc_json`` credentials."""
    if not holder.did:
        raise ValueError("the holder key needs its DID (did:jwk / did:key)")
    iat = current_time(issued_at)
    claims = {
        "iss": holder.did,
        "aud": audience,
        "nonce": nonce,
        "iat": iat,
        "nbf": iat,
        "exp": iat + lifetime,
        "jti": f"urn:uuid:{uuid.uuid4()}",
        "vp": {
            "@context": [VCDM1_CONTEXT],
            "type": ["VerifiablePresentation"],
            "holder": holder.did,
            "verifiableCredential": list(credentials),
        },
    }
    return holder.sign(claims, {"typ": JWT_TYP})


@dataclass(frozen=True)
class VerifiedPresentation:
    """A verified VP-JWT: the holder DID, the VP claims and each verified credential."""

    holder: str
    claims: dict[str, Any]
    credentials: list[VerifiedJwtVc]


def verify_vp_jwt(
    vp_jwt: str,
    issuer_key: IssuerKeySource,
    *,
    audience: str,
    nonce: str,
    now: float | None = None,
    leeway: int = 60,
    max_age: int = 300,
    allowed_algs: Collection[str] | None = None,
) -> VerifiedPresentation:
    """Verify a VP-JWT: holder signature by the ``kid`` DID URL's key (did:jwk / did:key) whose DID
    is ``iss``; nonce, aud, iat, exp; then every credential, each of whose ``sub`` must be the holder.
    """
    parsed = CompactJws(vp_jwt)
    kid = parsed.header.get("kid")
    if not isinstance(kid, str):
        raise HolderBindingInvalid("VP-JWT header has no kid (holder DID URL)")
    holder_key = resolve_holder_key(kid)
    try:
        verified = verify_jws(parsed, holder_key.verification_key(), allowed_algs=allowed_algs)
    except (SignatureInvalid, KeyUnsupported):
        raise HolderBindingInvalid("VP-JWT is not signed by the holder's key") from None
    claims = verified.claims()
    if claims.get("iss") != holder_key.did:
        raise HolderBindingInvalid("VP-JWT iss is not the DID of its signing key")
    check_nonce(claims, nonce)
    check_audience(claims, audience)
    check_iat(claims, now=now, max_age=max_age, max_future=leeway)
    check_validity(claims, now=now, leeway=leeway)
    vp = claims.get("vp")
    if not isinstance(vp, dict) or not isinstance(vp.get("verifiableCredential"), list):
        raise MalformedToken("VP-JWT has no vp.verifiableCredential array")
    credentials = []
    for token in vp["verifiableCredential"]:
        if not isinstance(token, str):
            raise MalformedToken("only compact jwt_vc_json credentials are supported in a VP-JWT")
        credential = verify_jwt_vc(token, issuer_key, now=now, leeway=leeway, allowed_algs=allowed_algs)
        if credential.holder != holder_key.did:
            raise HolderBindingInvalid("a credential's sub is not the presenting holder")
        credentials.append(credential)
    return VerifiedPresentation(holder=holder_key.did, claims=claims, credentials=credentials)

"""SIOPv2 (draft 13) self-issued ID tokens: the holder logs in with its own DID key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.credentials.claims import check_audience, check_iat, check_nonce, check_validity
from api.credentials.dids import resolve_holder_key
from api.credentials.errors import CredentialError
from api.credentials.keys import read_header, verify_jws
from api.verifier import reasons as r
from api.verifier.reasons import Refused


@dataclass(frozen=True)
class SelfIssuedLogin:
    """A verified self-issued ID token: the holder's DID and key."""

    subject: str
    jwk: dict[str, Any]
    claims: dict[str, Any]


def verify_id_token(
    id_token: Any, *, client_id: str, nonce: str, now: int, leeway: int = 60, max_age: int = 300
) -> SelfIssuedLogin:
    """RP validation of §11.1: iss == sub, sub a DID whose key (``kid``) signed it, aud, nonce, exp, iat."""
    if not isinstance(id_token, str) or not id_token:
        raise Refused(r.ID_TOKEN_INVALID, "the response has no id_token")
    try:
        header = read_header(id_token)
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Refused(r.ID_TOKEN_INVALID, "the id_token header has no kid (a DID URL of the holder)")
        holder = resolve_holder_key(kid)
        claims = verify_jws(id_token, holder.jwk).claims()
        if claims.get("iss") != claims.get("sub"):
            raise Refused(r.ID_TOKEN_INVALID, "the id_token is not self-issued (iss differs from sub)")
        if claims.get("sub") != holder.did:
            raise Refused(r.ID_TOKEN_INVALID, "the id_token's sub is not the DID of its signing key")
        check_audience(claims, client_id)
        check_nonce(claims, nonce)
        check_validity(claims, now=now, leeway=leeway, require_exp=True)
        check_iat(claims, now=now, max_age=max_age, max_future=leeway)
    except CredentialError as error:
        reason = (
            error.reason
            if error.reason in ("NONCE_MISMATCH", "AUDIENCE_MISMATCH", "EXPIRED")
            else r.ID_TOKEN_INVALID
        )
        raise Refused(reason, f"id_token: {error}") from None
    return SelfIssuedLogin(subject=holder.did, jwk=holder.jwk, claims=claims)

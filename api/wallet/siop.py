"""SIOPv2 (draft 13) self-issued ID token: the holder signs in with its own DID key."""

from __future__ import annotations

from api.credentials.claims import current_time
from api.wallet.keystore import Holder

ID_TOKEN_LIFETIME = 300


def self_issued_id_token(holder: Holder, *, audience: str, nonce: str, now: float | None = None) -> str:
    """``iss = sub =`` the holder DID (no ``sub_jwk``), ``aud`` the client_id, this request's nonce;
    header ``kid`` the holder DID URL, ``typ: JWT``."""
    iat = current_time(now)
    claims = {
        "iss": holder.did,
        "sub": holder.did,
        "aud": audience,
        "nonce": nonce,
        "iat": iat,
        "exp": iat + ID_TOKEN_LIFETIME,
    }
    return holder.key.sign(claims, {"typ": "JWT"})

"""Key Binding JWT (RFC 9901 §4.3): the holder's signature over nonce, aud, iat and ``sd_hash``."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from api.credentials.claims import check_audience, check_iat, check_nonce, current_time
from api.credentials.disclosures import sd_digest
from api.credentials.errors import (
    HolderBindingInvalid,
    KeyUnsupported,
    SdHashMismatch,
    SignatureInvalid,
    TypInvalid,
)
from api.credentials.keys import ImportedJwk, SigningKey, verify_jws

KB_TYP = "kb+jwt"


def create_kb_jwt(
    holder: SigningKey, sd_jwt: str, *, audience: str, nonce: str, issued_at: int | None = None
) -> str:
    """A KB-JWT over ``sd_jwt`` (``<issuer-jwt>~<disclosures>~``, trailing ``~`` included)."""
    if not sd_jwt.endswith("~"):
        raise ValueError("the SD-JWT to bind must end with '~'")
    claims = {
        "iat": current_time(issued_at),
        "aud": audience,
        "nonce": nonce,
        "sd_hash": sd_digest(sd_jwt),
    }
    return holder.sign(claims, {"typ": KB_TYP}, include_kid=False)


@dataclass(frozen=True)
class VerifiedKbJwt:
    """A verified KB-JWT: its claims, and the holder's key as imported to verify it."""

    claims: dict[str, Any]
    holder_key: ImportedJwk


def verify_kb_jwt(
    kb_jwt: str,
    *,
    holder_jwk: Mapping[str, Any],
    sd_jwt: str,
    audience: str,
    nonce: str,
    now: float | None = None,
    max_age: int = 300,
    max_future: int = 60,
    allowed_algs: Collection[str] | None = None,
) -> VerifiedKbJwt:
    """Verify a KB-JWT against the ``cnf`` key and this request's nonce and audience.

    Raises ``AlgNotAllowed`` (none/HS*/alg not for the key), ``HolderBindingInvalid`` (bad signature,
    unusable cnf key), ``TypInvalid``, ``NonceMismatch``, ``AudienceMismatch``, ``IatInvalid`` or
    ``SdHashMismatch``.
    """
    try:
        verified = verify_jws(kb_jwt, holder_jwk, allowed_algs=allowed_algs)
    except SignatureInvalid:
        raise HolderBindingInvalid("KB-JWT is not signed by the credential's cnf key") from None
    except KeyUnsupported as exc:
        raise HolderBindingInvalid(f"cnf key is unusable: {exc}") from None
    if verified.header.get("typ") != KB_TYP:
        raise TypInvalid(f"KB-JWT typ must be {KB_TYP!r}")
    claims = verified.claims()
    check_nonce(claims, nonce)
    check_audience(claims, audience, allow_list=False)
    check_iat(claims, now=now, max_age=max_age, max_future=max_future)
    if claims.get("sd_hash") != sd_digest(sd_jwt):
        raise SdHashMismatch("KB-JWT sd_hash does not match the presented SD-JWT")
    return VerifiedKbJwt(claims, verified.key)

"""Access tokens minted after a successful SIOP login (RFC 9068 JWT profile), for a PEP to check."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from api.credentials.keys import SigningKey
from api.verifier.config import AccessTokenPolicy
from api.verifier.decision import TrustedCredential

ACCESS_TOKEN_TYP = "at+jwt"


def merged_roles(credentials: Sequence[TrustedCredential]) -> list[dict[str, Any]]:
    """Every role the trusted credentials grant, one entry per target, names sorted."""
    by_target: dict[str, set[str]] = {}
    for credential in credentials:
        for grant in credential.roles:
            by_target.setdefault(grant["target"], set()).update(grant["names"])
    return [{"target": target, "names": sorted(names)} for target, names in sorted(by_target.items())]


def vouchers(credentials: Sequence[TrustedCredential]) -> list[dict[str, Any]]:
    """Type, issuer and roles of each trusted credential (once each), for the token's ``credentials``."""
    entries = [{"type": c.credential_type, "issuer": c.issuer, "roles": c.roles} for c in credentials]
    return [entry for i, entry in enumerate(entries) if entry not in entries[:i]]


def mint_access_token(
    key: SigningKey,
    *,
    issuer: str,
    subject: str,
    policy: AccessTokenPolicy,
    credentials: Sequence[TrustedCredential],
    now: int,
) -> dict[str, Any]:
    """``{access_token, token_type, expires_in}``: a JWT signed by the verifier's registered key
    carrying the holder, the verified credential types and issuers, the roles they grant, and each
    credential's type, issuer and roles (``credentials``: a PEP judges them again per request)."""
    claims = {
        "iss": issuer,
        "sub": subject,
        "aud": policy.audience,
        "client_id": issuer,
        "iat": now,
        "exp": now + policy.ttl,
        "jti": str(uuid.uuid4()),
        "credential_types": sorted({c.credential_type for c in credentials}),
        "issuers": sorted({c.issuer for c in credentials}),
        "roles": merged_roles(credentials),
        "credentials": vouchers(credentials),
    }
    token = key.sign(claims, {"typ": ACCESS_TOKEN_TYP})
    return {"access_token": token, "token_type": "Bearer", "expires_in": policy.ttl}

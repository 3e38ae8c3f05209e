"""Signed status list credentials built from one StatusListVersion, in three profiles.

- "w3c":   BitstringStatusListCredential, VCDM 2.0 secured as a VC-JWT (`typ: vc+jwt`);
- "ietf":  Token Status List JWT (`typ: statuslist+jwt`, draft -20), `bits: 1`, one on-chain list;
- `ietf_status_token`: the Token Status List JWT with `bits: 2` (VALID, INVALID, SUSPENDED)
  derived from a revocation and a suspension list read at one block: what SD-JWT VCs point at;
- "twdiw": StatusList2021Credential as a VCDM 1.1 JWT VC, as TW DIW deploys it;
- "sl2021": the same credential as W3C CCG Status List 2021 writes it (base64url `encodedList`, no
  TW DIW header claims), what a jwt_vc_json card's entries name, served as JSON-LD by default.

The signed statement is valid from `now` for `validity` seconds (default: twice the ttl, so a
copy cached for one ttl is still valid); `ttl` is the refresh hint (milliseconds in the W3C
credential, seconds in the IETF token). W3C and TW DIW lists are padded with unset entries
to the 131,072-entry minimum, so short on-chain lists still validate; the IETF list is
published at its on-chain size (the draft sets no minimum).
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.status.encodings import (
    MIN_ENTRIES,
    encode_ietf,
    encode_ietf_statuses,
    encode_twdiw,
    encode_w3c,
    padded,
    two_bit_statuses,
)
from api.status.signing import JwsSigner
from projections.api import StatusListVersion
from resolver.did_syntax import xml_datetime

MEDIA_TYPE_VC_JWT = "application/vc+jwt"
"""W3C VC-JOSE-COSE media type of a VCDM 2.0 credential secured as a JWT."""
MEDIA_TYPE_STATUSLIST_JWT = "application/statuslist+jwt"
"""IETF Token Status List media type (request with Accept, answer with Content-Type)."""
MEDIA_TYPE_JWT = "application/jwt"
"""RFC 7519 media type, for the VCDM 1.1 JWT VC of the TW DIW profile."""

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
STATUS_LIST_2021_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"

CLOCK_SKEW = 60
"""Seconds a TW DIW list's ``nbf`` precedes its signing: the official verifier takes a list only
when ``nbf`` is strictly before its own clock (StatusListValidateTask), and we sign on request, so
a verifier whose clock runs behind ours by a second would refuse a list signed "now"."""

DEFAULT_TTL = 300
"""Seconds a verifier may cache a list before fetching it again."""

PURPOSES = ("revocation", "suspension")


@dataclass(frozen=True)
class PublishedStatusList:
    """A signed status list ready to serve: the compact JWS and how to serve it."""

    profile: str  # "w3c", "ietf", "twdiw" or "sl2021"
    media_type: str
    token: str
    list_id: int
    uri: str
    purpose: str
    issued_at: int
    expires_at: int
    ttl: int  # seconds
    block_number: int  # the chain block the list reflects

    def cache_control(self) -> str:
        """A Cache-Control value aligned with the ttl, as both specs ask."""
        return f"public, max-age={self.ttl}"


def w3c_credential(
    version: StatusListVersion,
    signer: JwsSigner,
    *,
    now: int | None = None,
    ttl: int = DEFAULT_TTL,
    validity: int | None = None,
    url: str | None = None,
    min_entries: int = MIN_ENTRIES,
) -> PublishedStatusList:
    """A W3C BitstringStatusListCredential (VCDM 2.0) signed as a VC-JWT.

    `url` (default: the list's on-chain URI) is the credential `id`, i.e. the value of
    `statusListCredential` in the credentials that point at this list.
    """
    issued, expires, url = _window(version, now, ttl, validity, url)
    credential = {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": signer.did,
        "validFrom": xml_datetime(issued),
        "validUntil": xml_datetime(expires),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": version.purpose,
            "encodedList": encode_w3c(padded(version.bitstring, min_entries)),
            "ttl": ttl * 1000,
        },
        # JWT claims about the signature itself; `iss` must equal `issuer`.
        "iss": signer.did,
        "iat": issued,
        "exp": expires,
    }
    token = signer.sign({"typ": "vc+jwt"}, credential)
    return _published("w3c", MEDIA_TYPE_VC_JWT, token, version, url, issued, expires, ttl)


def ietf_token(
    version: StatusListVersion,
    signer: JwsSigner,
    *,
    now: int | None = None,
    ttl: int = DEFAULT_TTL,
    validity: int | None = None,
    url: str | None = None,
) -> PublishedStatusList:
    """An IETF Status List Token: `sub` = the list URI, `status_list` = {bits: 1, lst}."""
    issued, expires, url = _window(version, now, ttl, validity, url)
    claims = {
        "sub": url,
        "iss": signer.did,
        "iat": issued,
        "exp": expires,
        "ttl": ttl,
        "status_list": {"bits": 1, "lst": encode_ietf(version.bitstring)},
    }
    token = signer.sign({"typ": "statuslist+jwt"}, claims)
    return _published("ietf", MEDIA_TYPE_STATUSLIST_JWT, token, version, url, issued, expires, ttl)


def ietf_status_token(
    revocation: StatusListVersion,
    suspension: StatusListVersion,
    signer: JwsSigner,
    *,
    url: str,
    now: int | None = None,
    ttl: int = DEFAULT_TTL,
    validity: int | None = None,
) -> PublishedStatusList:
    """A Status List Token with `bits: 2` carrying both purposes: entry i is INVALID (0x01) when
    bit i of the revocation list is set, SUSPENDED (0x02) when bit i of the suspension list is,
    VALID (0x00) otherwise (Token Status List, "Status Types Values"). The two versions must be
    read from one state of the views (one block), so the token is one block's truth. A verifier
    that knows only the Token Status List reads a suspended card as suspended; with a `bits: 1`
    list of revocations alone it read 0, "valid" (issue 16 item 3).
    """
    if (revocation.purpose, suspension.purpose) != ("revocation", "suspension"):
        raise ValueError("a 2-bit status list needs a revocation and a suspension list")
    if revocation.owner_did != suspension.owner_did:
        raise ValueError("the two lists of a 2-bit status list must have one owner")
    issued, expires, url = _window(revocation, now, ttl, validity, url)
    size = max(revocation.size, suspension.size, 4)
    size += -size % 4
    statuses = two_bit_statuses(revocation.bitstring, suspension.bitstring, size)
    claims = {
        "sub": url,
        "iss": signer.did,
        "iat": issued,
        "exp": expires,
        "ttl": ttl,
        "status_list": {"bits": 2, "lst": encode_ietf_statuses(statuses)},
    }
    token = signer.sign({"typ": "statuslist+jwt"}, claims)
    published = _published("ietf", MEDIA_TYPE_STATUSLIST_JWT, token, revocation, url, issued, expires, ttl)
    block = max(revocation.block_number, suspension.block_number)
    return dataclasses.replace(published, purpose="revocation+suspension", block_number=block)


def twdiw_credential(
    version: StatusListVersion,
    signer: JwsSigner,
    *,
    now: int | None = None,
    ttl: int = DEFAULT_TTL,
    validity: int | None = None,
    url: str | None = None,
    min_entries: int = MIN_ENTRIES,
    jku: str | None = None,
) -> PublishedStatusList:
    """A StatusList2021Credential as a VCDM 1.1 JWT VC (`vc` claim), the TW DIW profile.

    `encodedList` is GZIP + standard Base64 without a multibase prefix, as TW DIW writes it. As
    the official vc-handler's StatusListSignTask: a random `nonce` claim, `nbf` CLOCK_SKEW before
    the signing and, with `jku` (the URL of
    the issuer's JWKS, where the official verifier looks the `kid` up: StatusListCheckTask), a
    `jku` header; its StatusListValidateTask refuses a list without typ, jku, kid, iss, sub, jti,
    nbf, exp or nonce.
    """
    issued, expires, url = _window(version, now, ttl, validity, url)
    subject_id = f"{url}#list"
    credential = _status_list_2021(
        version, signer.did, url, issued, expires, encode_twdiw(padded(version.bitstring, min_entries))
    )
    claims = {
        "iss": signer.did,
        "sub": subject_id,
        "jti": url,
        "nbf": issued - CLOCK_SKEW,
        "iat": issued,
        "exp": expires,
        "nonce": secrets.token_urlsafe(8),
        "vc": credential,
    }
    token = signer.sign({"typ": "JWT", **({"jku": jku} if jku else {})}, claims)
    return _published("twdiw", MEDIA_TYPE_JWT, token, version, url, issued, expires, ttl)


def status_list_2021_credential(
    version: StatusListVersion,
    signer: JwsSigner,
    *,
    now: int | None = None,
    ttl: int = DEFAULT_TTL,
    validity: int | None = None,
    url: str | None = None,
    min_entries: int = MIN_ENTRIES,
) -> PublishedStatusList:
    """A StatusList2021Credential (W3C CCG Status List 2021, VCDM 1.1) as a VC-JWT (VCDM 1.1
    §6.3.1: iss, sub, jti, nbf, exp and the `vc` claim), the list a jwt_vc_json card names.

    `encodedList` is GZIP + base64url without padding or prefix: the report's "base-64 encoded"
    as its own example (`H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA`)
    and Digital Bazaar's implementation write it (the TW DIW profile uses the standard alphabet).
    """
    issued, expires, url = _window(version, now, ttl, validity, url)
    subject_id = f"{url}#list"
    credential = _status_list_2021(
        version,
        signer.did,
        url,
        issued,
        expires,
        encode_w3c(padded(version.bitstring, min_entries)).removeprefix("u"),
    )
    claims = {
        "iss": signer.did,
        "sub": subject_id,
        "jti": url,
        "nbf": issued,
        "exp": expires,
        "vc": credential,
    }
    token = signer.sign({"typ": "JWT"}, claims)
    return _published("sl2021", MEDIA_TYPE_JWT, token, version, url, issued, expires, ttl)


PUBLISHERS: dict[str, Callable[..., PublishedStatusList]] = {
    "w3c": w3c_credential,
    "ietf": ietf_token,
    "twdiw": twdiw_credential,
    "sl2021": status_list_2021_credential,
}
"""Profile name -> publisher."""


def publish(
    version: StatusListVersion, signer: JwsSigner, profile: str, **options: Any
) -> PublishedStatusList:
    """The list signed in `profile` ("w3c", "ietf", "twdiw" or "sl2021"); options as the publisher
    takes."""
    if profile not in PUBLISHERS:
        raise ValueError(f"unknown status list profile '{profile}': use {', '.join(PUBLISHERS)}")
    return PUBLISHERS[profile](version, signer, **options)


def _window(
    version: StatusListVersion, now: int | None, ttl: int, validity: int | None, url: str | None
) -> tuple[int, int, str]:
    if version.purpose not in PURPOSES:
        raise ValueError(f"unknown status purpose '{version.purpose}'")
    if ttl <= 0:
        raise ValueError("ttl must be positive")
    validity = 2 * ttl if validity is None else validity
    if validity < ttl:
        raise ValueError("validity must be at least the ttl, or caches would serve an expired list")
    issued = int(time.time()) if now is None else now
    return issued, issued + validity, url or version.uri


def _published(
    profile: str,
    media_type: str,
    token: str,
    version: StatusListVersion,
    url: str,
    issued: int,
    expires: int,
    ttl: int,
) -> PublishedStatusList:
    return PublishedStatusList(
        profile=profile,
        media_type=media_type,
        token=token,
        list_id=version.list_id,
        uri=url,
        purpose=version.purpose,
        issued_at=issued,
        expires_at=expires,
        ttl=ttl,
        block_number=version.block_number,
    )


def _status_list_2021(
    version: StatusListVersion, issuer: str, url: str, issued: int, expires: int, encoded_list: str
) -> dict[str, Any]:
    """The StatusList2021Credential both profiles sign (they differ in `encodedList`'s alphabet)."""
    return {
        "@context": [CREDENTIALS_V1, STATUS_LIST_2021_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": issuer,
        "issuanceDate": xml_datetime(issued),
        "expirationDate": xml_datetime(expires),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "StatusList2021",
            "statusPurpose": version.purpose,
            "encodedList": encoded_list,
        },
    }

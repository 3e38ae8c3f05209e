"""The official TW DIW app's presentation: a VP-JWT wrapping ``vc+sd-jwt`` credentials, no KB-JWT.

What the app signs (APPSDK ``openid_vc_vp.dart`` generateVPKx): header ``typ: JWT``, ``alg:
ES256`` and ``jwk`` (the holder's public key); claims ``sub`` and ``iss`` (the holder DID), ``aud``
(the request's ``client_id``), ``nbf`` (now; no ``iat``), ``exp`` (30 days on), ``nonce`` (the
request's), ``jti`` and ``vp: {context, type, verifiableCredential: [<SD-JWT with the chosen
disclosures, ending in "~">]}`` (``context``, not ``@context``, as the app writes it).

How the official verifier binds it to the holder (twdiw-vp-handler PresentationServiceAsync
.validateVP, PresentationValidateTask, CredentialValidateTask): each credential's ``cnf.jwk`` is
the holder key, one key for all of them, and the VP-JWT's signature must verify with it; ``iss``,
``aud``, ``jti``, ``nonce`` present, ``nbf`` not in the future, ``exp`` not past; the oid4vp-handler
then compares ``aud`` and ``nonce`` with the request (VerifierService.validateClientIdAndNonce).
``verify_twdiw_vp`` does the same, plus the freshness a KB-JWT's ``iat`` gets (``nbf`` no older
than ``max_age``) and, as CredentialValidateTask.validateCnfAndSub, a holder DID ``sub`` must
designate the ``cnf`` key. A disclosure the app sends twice counts once (``_once_each``).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from api.credentials.claims import check_audience, check_nonce, check_validity, current_time, numeric_date
from api.credentials.dids import resolve_holder_key
from api.credentials.errors import (
    ClaimMissing,
    CredentialError,
    HolderBindingInvalid,
    IatInvalid,
    KeyUnsupported,
    MalformedToken,
    SignatureInvalid,
)
from api.credentials.jwt_vc import VCDM1_CONTEXT
from api.credentials.keys import (
    IssuerKeySource,
    SigningKey,
    public_jwk,
    read_header,
    read_payload,
    verify_jws,
)
from api.credentials.sd_jwt import TYP_VC_SD_JWT, VerifiedSdJwt, present, verify_sd_jwt_vc

APP_VP_LIFETIME = 30 * 86_400
"""The app's VP-JWT ``exp``: 30 days after ``nbf``."""


def create_twdiw_vp(
    holder: SigningKey,
    holder_did: str,
    credentials: Sequence[str],
    *,
    audience: str,
    nonce: str,
    disclose: Sequence[Sequence[str]] | None = None,
    now: int | None = None,
) -> str:
    """The VP-JWT the official app signs (see the module docstring), over ``credentials`` with, per
    credential, only the disclosures of ``disclose[i]`` (default: all)."""
    at = current_time(now)
    kept = [
        present(credential, disclose=None if disclose is None else disclose[i])
        for i, credential in enumerate(credentials)
    ]
    claims = {
        "sub": holder_did,
        "aud": audience,
        "iss": holder_did,
        "nbf": at,
        "vp": {
            "context": [VCDM1_CONTEXT],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": kept,
        },
        "exp": at + APP_VP_LIFETIME,
        "nonce": nonce,
        "jti": f"urn:uuid:{uuid.uuid4()}",
    }
    return holder.sign(claims, {"typ": "JWT", "jwk": holder.public_jwk}, include_kid=False)


def is_vp_jwt(presentation: str) -> bool:
    """Whether ``presentation`` is a compact JWS with a ``vp`` claim (not an SD-JWT)."""
    if not isinstance(presentation, str) or "~" in presentation or presentation.count(".") != 2:
        return False
    try:
        return isinstance(read_payload(presentation).get("vp"), dict)
    except CredentialError:
        return False


@dataclass(frozen=True)
class VerifiedTwdiwVp:
    """A verified app presentation: its claims, the holder key and each verified credential."""

    claims: dict[str, Any]
    holder_jwk: dict[str, Any]
    credentials: list[VerifiedSdJwt]


def verify_twdiw_vp(
    vp_jwt: str,
    issuer_key: IssuerKeySource,
    *,
    audience: str,
    nonce: str,
    now: float | None = None,
    leeway: int = 60,
    max_age: int = 300,
    allowed_algs: Collection[str] | None = None,
) -> VerifiedTwdiwVp:
    """Verify the app's VP-JWT and every ``vc+sd-jwt`` in it (issuer signature, validity,
    disclosures), then the holder binding: one ``cnf.jwk`` for all credentials, the VP-JWT signed
    by it, ``aud`` = ``audience``, ``nonce`` = ``nonce``, ``nbf`` within ``max_age`` of now and
    not after it (``leeway``), ``exp`` not past, ``iss`` and ``jti`` present."""
    try:
        header = read_header(vp_jwt)
        unverified = read_payload(vp_jwt)
    except CredentialError as exc:
        raise MalformedToken(f"the VP-JWT is malformed: {exc}") from None
    vp = unverified.get("vp")
    tokens = vp.get("verifiableCredential") if isinstance(vp, dict) else None
    if not isinstance(tokens, list) or not tokens or not all(isinstance(t, str) for t in tokens):
        raise MalformedToken("the VP-JWT has no vp.verifiableCredential array of SD-JWTs")
    credentials = [
        verify_sd_jwt_vc(
            _once_each(token),
            issuer_key,
            require_key_binding=False,
            allowed_typs=(TYP_VC_SD_JWT,),
            now=now,
            leeway=leeway,
            allowed_algs=allowed_algs,
        )
        for token in tokens
    ]
    keys = [credential.holder_jwk for credential in credentials]
    if any(key is None for key in keys):
        raise HolderBindingInvalid("a credential in the VP-JWT has no cnf.jwk")
    holder_jwk = keys[0]
    assert holder_jwk is not None
    if any(key != holder_jwk for key in keys[1:]):
        raise HolderBindingInvalid("the credentials in the VP-JWT are bound to different holder keys")
    if "jwk" in header and _public(header["jwk"]) != holder_jwk:
        raise HolderBindingInvalid("the VP-JWT header jwk is not the credentials' cnf key")
    try:
        claims = verify_jws(vp_jwt, holder_jwk, allowed_algs=allowed_algs).claims()
    except (SignatureInvalid, KeyUnsupported):
        raise HolderBindingInvalid("the VP-JWT is not signed by the credentials' cnf key") from None
    for name in ("iss", "jti"):
        if not isinstance(claims.get(name), str) or not claims[name].strip():
            raise ClaimMissing(f"the VP-JWT has no {name}")
    check_audience(claims, audience)
    check_nonce(claims, nonce)
    numeric_date(claims, "exp", required=True)
    check_validity(claims, now=now, leeway=leeway, require_exp=True)
    nbf = numeric_date(claims, "nbf", required=True)
    assert nbf is not None
    if nbf < current_time(now) - max_age:
        raise IatInvalid(f"the VP-JWT nbf {nbf} is older than {max_age}s")
    for credential in credentials:
        _check_subject(credential, holder_jwk)
    return VerifiedTwdiwVp(claims=claims, holder_jwk=holder_jwk, credentials=credentials)


def _once_each(sd_jwt: str) -> str:
    """The SD-JWT with each disclosure once: the app's sdJwtEncode appends a disclosure once per
    requested field name it contains (a substring test), so ``employee_no`` and ``no`` send the
    same disclosure twice (utils.dart). The same string twice discloses nothing more."""
    jwt, *rest = sd_jwt.split("~")
    return "~".join([jwt, *dict.fromkeys(rest[:-1]), *rest[-1:]])


def _public(jwk: Any) -> dict[str, Any] | None:
    try:
        return public_jwk(jwk) if isinstance(jwk, dict) else None
    except CredentialError:
        return None


def _check_subject(credential: VerifiedSdJwt, holder_jwk: dict[str, Any]) -> None:
    """A did:jwk / did:key ``sub`` must designate the ``cnf`` key (validateCnfAndSub)."""
    sub = credential.claims.get("sub")
    if not isinstance(sub, str) or not sub.startswith(("did:jwk:", "did:key:")):
        return
    try:
        designated = resolve_holder_key(sub).jwk
    except CredentialError as exc:
        raise HolderBindingInvalid(
            f"the credential's sub {sub[:40]}... is not a usable holder DID: {exc}"
        ) from None
    if designated != _public(holder_jwk):
        raise HolderBindingInvalid("the credential's sub does not designate its cnf key")

"""SD-JWT VC: issue (every credential field selectively disclosable), present (+KB-JWT), verify.

Two profiles:

- final (``typ: dc+sd-jwt``): iss, iat, nbf, exp, vct, cnf, status (IETF Token Status List)
  in clear; each credential claim a top-level disclosure.
- twdiw (``typ: vc+sd-jwt``, the official TW DIW issuer's VCDM 1.1 JWT): header jku/kid/typ/alg;
  payload iss, sub, nbf, exp, jti, nonce, cnf and ``vc`` {@context, type, credentialSubject (its
  fields disclosed via its own ``_sd``), credentialStatus (StatusList2021Entry pair),
  credentialSchema}.

Verification follows RFC 9901 §7 and SD-JWT VC; each failure raises its own ``CredentialError``.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from api.credentials.claims import check_validity, current_time
from api.credentials.disclosures import SD_ALG, SD_ALG_KEY, SD_KEY, Disclosure, conceal, reveal
from api.credentials.errors import (
    ClaimMissing,
    DisclosureMismatch,
    HolderBindingInvalid,
    HolderBindingMissing,
    IssuerMismatch,
    MalformedToken,
    TypInvalid,
)
from api.credentials.jwt_vc import VCDM1_CONTEXT
from api.credentials.kb_jwt import create_kb_jwt, verify_kb_jwt
from api.credentials.keys import (
    CompactJws,
    ImportedJwk,
    IssuerKeySource,
    SigningKey,
    issuer_jwk,
    public_jwk,
    verify_jws,
)

TYP_DC_SD_JWT = "dc+sd-jwt"
TYP_VC_SD_JWT = "vc+sd-jwt"
SD_JWT_VC_TYPS = (TYP_DC_SD_JWT, TYP_VC_SD_JWT)

NEVER_DISCLOSABLE = frozenset(
    {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "aka_vcts", "status", "sub", "jti"}
)
"""SD-JWT VC claims that MUST NOT be selectively disclosable."""
TWDIW_NEVER_DISCLOSABLE = NEVER_DISCLOSABLE | {"sub", "jti", "nonce", "vc"}
_FINAL_RESERVED = NEVER_DISCLOSABLE | {"iat", SD_KEY, SD_ALG_KEY}


@dataclass(frozen=True)
class SdJwt:
    """A parsed compact SD-JWT: issuer-signed JWT, disclosures, optional KB-JWT."""

    issuer_jwt: str
    disclosures: tuple[str, ...] = ()
    kb_jwt: str | None = None

    @classmethod
    def parse(cls, text: str) -> SdJwt:
        """Split ``<jwt>~<d1>~...~<dn>~[<kb-jwt>]``."""
        if not isinstance(text, str) or "~" not in text:
            raise MalformedToken("not an SD-JWT (no '~')")
        jwt, *middle, last = text.split("~")
        if not jwt or any(not d for d in middle):
            raise MalformedToken("SD-JWT has an empty component")
        return cls(issuer_jwt=jwt, disclosures=tuple(middle), kb_jwt=last or None)

    @functools.cached_property
    def issuer_jws(self) -> CompactJws:
        """The issuer-signed JWT decoded (once), *unverified*; ``MalformedToken`` if it is no JWS."""
        return CompactJws(self.issuer_jwt)

    @property
    def presented(self) -> str:
        """``<jwt>~<d1>~...~<dn>~``: the string a KB-JWT's ``sd_hash`` covers."""
        return "~".join((self.issuer_jwt, *self.disclosures)) + "~"

    def serialize(self) -> str:
        return self.presented + (self.kb_jwt or "")


@dataclass(frozen=True)
class IssuedSdJwt:
    """An issued SD-JWT VC with its issuer-signed payload and its disclosures by claim name."""

    sd_jwt: str
    payload: dict[str, Any]
    disclosures: dict[str, str]


def _sign(
    issuer: SigningKey, typ: str, payload: dict[str, Any], disclosures: list[Disclosure], header: Mapping
) -> IssuedSdJwt:
    token = issuer.sign(payload, {**header, "typ": typ})
    return IssuedSdJwt(
        sd_jwt=SdJwt(token, tuple(d.encoded for d in disclosures)).serialize(),
        payload=payload,
        disclosures={d.name: d.encoded for d in disclosures if d.name is not None},
    )


def issue_sd_jwt_vc(
    issuer: SigningKey,
    *,
    vct: str,
    claims: Mapping[str, Any],
    holder_jwk: Mapping[str, Any],
    expires_at: int,
    valid_from: int | None = None,
    issued_at: int | None = None,
    status: Mapping[str, Any] | None = None,
    issuer_id: str | None = None,
    header: Mapping[str, Any] | None = None,
    decoys: int = 0,
    subject: str | None = None,
    jti: str | None = None,
) -> IssuedSdJwt:
    """Issue a final-profile SD-JWT VC (``typ: dc+sd-jwt``); every entry of ``claims`` is disclosable.

    ``iss`` defaults to the key's DID; ``nbf`` to ``iat``; ``status`` is a Token Status List
    reference (see ``status.token_status_reference``); ``cnf.jwk`` is the holder's public key;
    ``subject`` (the holder's DID) and ``jti`` are the optional registered claims ``sub`` and ``jti``
    (always visible: a TW DIW business system reads the CID from ``jti``).
    """
    reserved = _FINAL_RESERVED & set(claims)
    if reserved:
        raise ValueError(f"claims may not set {sorted(reserved)}")
    iss = issuer_id or issuer.did
    if not iss:
        raise ValueError("issuer_id is required when the key has no DID")
    iat = current_time(issued_at)
    concealed, disclosures = conceal(claims, decoys=decoys)
    payload: dict[str, Any] = {
        "iss": iss,
        "iat": iat,
        "nbf": iat if valid_from is None else valid_from,
        "exp": expires_at,
        "vct": vct,
        "cnf": {"jwk": public_jwk(holder_jwk)},
    }
    if subject is not None:
        payload["sub"] = subject
    if jti is not None:
        payload["jti"] = jti
    if status is not None:
        payload["status"] = dict(status)
    payload.update(concealed)
    payload[SD_ALG_KEY] = SD_ALG
    return _sign(issuer, TYP_DC_SD_JWT, payload, disclosures, header or {})


def issue_twdiw_sd_jwt(
    issuer: SigningKey,
    *,
    credential_type: str,
    credential_subject: Mapping[str, Any],
    holder_did: str,
    holder_jwk: Mapping[str, Any],
    jti: str,
    credential_status: Sequence[Mapping[str, Any]],
    credential_schema: Mapping[str, Any],
    expires_at: int,
    valid_from: int | None = None,
    issued_at: int | None = None,
    nonce: str | None = None,
    jku: str | None = None,
    issuer_id: str | None = None,
    decoys: int = 0,
) -> IssuedSdJwt:
    """Issue a TW DIW-profile SD-JWT VC: the VCDM 1.1 JWT the official issuer signs.

    As twdiw-vc-handler's CredentialPrepareTask + CredentialSignTask (danubetech's
    ToJwtConverter moves id/issuer/issuanceDate/expirationDate/credentialSubject.id to
    jti/iss/nbf/exp/sub): header ``typ: vc+sd-jwt``, ``jku``, ``kid``, ``alg``; payload ``iss``,
    ``sub`` (the holder DID), ``nbf``, ``exp``, ``jti``, ``nonce``, ``cnf.jwk`` and ``vc`` with
    ``@context`` (VCDM 1.1), ``type`` [VerifiableCredential, ``credential_type``],
    ``credentialSubject`` (every field disclosable through its own ``_sd``, ``_sd_alg`` beside it,
    as Authlete's SDObjectEncoder with the algorithm included writes it), ``credentialStatus``
    (typically ``status.status_list_2021_pair(...)``) and ``credentialSchema``. Ours besides:
    ``iat``, the real issuance time (``nbf`` is the start of the issuance day), which a verifier
    needs to judge the signing key at issuance.
    """
    if SD_KEY in credential_subject or SD_ALG_KEY in credential_subject:
        raise ValueError("credential_subject may not contain _sd/_sd_alg")
    iss = issuer_id or issuer.did
    if not iss:
        raise ValueError("issuer_id is required when the key has no DID")
    concealed, disclosures = conceal(credential_subject, decoys=decoys)
    concealed[SD_ALG_KEY] = SD_ALG
    payload: dict[str, Any] = {
        "iss": iss,
        "sub": holder_did,
        "iat": current_time(issued_at),
        "nbf": current_time(valid_from),
        "exp": expires_at,
        "jti": jti,
        "nonce": nonce if nonce else secrets.token_urlsafe(8),
        "cnf": {"jwk": public_jwk(holder_jwk)},
        "vc": {
            "@context": [VCDM1_CONTEXT],
            "type": ["VerifiableCredential", credential_type],
            "credentialSubject": concealed,
            "credentialStatus": [dict(entry) for entry in credential_status],
            "credentialSchema": dict(credential_schema),
        },
    }
    return _sign(issuer, TYP_VC_SD_JWT, payload, disclosures, {"jku": jku} if jku else {})


def twdiw_types(claims: Mapping[str, Any]) -> list[str]:
    """The credential types of a TW DIW ``vc+sd-jwt`` (``vc.type`` without VerifiableCredential)."""
    vc = claims.get("vc")
    types = vc.get("type") if isinstance(vc, dict) else None
    return (
        [t for t in types if isinstance(t, str) and t != "VerifiableCredential"]
        if isinstance(types, list)
        else []
    )


def present(
    sd_jwt: str,
    *,
    disclose: Iterable[str] | None = None,
    holder: SigningKey | None = None,
    audience: str | None = None,
    nonce: str | None = None,
    issued_at: int | None = None,
) -> str:
    """Holder side: keep only the disclosures named in ``disclose`` (default all) and, with a
    ``holder`` key, append a KB-JWT over ``audience`` and ``nonce``."""
    parsed = SdJwt.parse(sd_jwt)
    wanted = None if disclose is None else set(disclose)
    kept = []
    names = set()
    for encoded in parsed.disclosures:
        disclosure = Disclosure.parse(encoded)
        names.add(disclosure.name)
        if wanted is None or disclosure.name in wanted:
            kept.append(encoded)
    if wanted is not None and wanted - names:
        raise ValueError(f"no disclosures for {sorted(wanted - names)}")
    chosen = SdJwt(parsed.issuer_jwt, tuple(kept))
    if holder is None:
        return chosen.serialize()
    if audience is None or nonce is None:
        raise ValueError("key binding needs audience and nonce")
    kb = create_kb_jwt(holder, chosen.presented, audience=audience, nonce=nonce, issued_at=issued_at)
    return SdJwt(chosen.issuer_jwt, chosen.disclosures, kb).serialize()


@dataclass(frozen=True)
class VerifiedSdJwt:
    """A verified SD-JWT (VC).

    ``claims``: the processed payload (disclosed values in place, no ``_sd``/``_sd_alg``);
    ``disclosed``: only the claims that came from disclosures, flat by name (nested names may
    collide: use ``claims`` for structure); ``holder_jwk``: ``cnf.jwk``;
    ``kb_claims``: the verified KB-JWT claims, when key binding was presented, and ``holder_key``
    the ``cnf`` key as imported to verify it (None without).
    """

    header: dict[str, Any]
    claims: dict[str, Any]
    disclosed: dict[str, Any]
    holder_jwk: dict[str, Any] | None
    kb_claims: dict[str, Any] | None
    holder_key: ImportedJwk | None = None

    @property
    def typ(self) -> str:
        return self.header.get("typ", "")


def verify_sd_jwt(
    presentation: str | SdJwt,
    issuer_key: IssuerKeySource,
    *,
    audience: str | None = None,
    nonce: str | None = None,
    require_key_binding: bool = True,
    allowed_typs: Collection[str] | None = None,
    expected_issuer: str | None = None,
    now: float | None = None,
    leeway: int = 60,
    kb_max_age: int = 300,
    allowed_algs: Collection[str] | None = None,
    never_disclosable: Collection[str] = (),
) -> VerifiedSdJwt:
    """Verify any SD-JWT (RFC 9901 §7): issuer signature (alg pinned to the key), typ, iss,
    exp/nbf, disclosures, then the KB-JWT (cnf key, nonce, aud, iat, sd_hash).

    With ``require_key_binding`` the ``audience`` and ``nonce`` are required and a KB-JWT must be
    present; without it a present KB-JWT is still verified when ``audience``/``nonce`` are given.
    """
    if require_key_binding and (audience is None or nonce is None):
        raise ValueError("key binding verification needs audience and nonce")
    parsed = presentation if isinstance(presentation, SdJwt) else SdJwt.parse(presentation)
    issuer_jws = parsed.issuer_jws
    verified = verify_jws(issuer_jws, issuer_jwk(issuer_key, issuer_jws), allowed_algs=allowed_algs)
    if allowed_typs is not None and verified.header.get("typ") not in allowed_typs:
        raise TypInvalid(f"typ {verified.header.get('typ')!r} is not one of {sorted(allowed_typs)}")
    payload = verified.claims()
    if expected_issuer is not None and payload.get("iss") != expected_issuer:
        raise IssuerMismatch(f"iss {payload.get('iss')!r} is not {expected_issuer!r}")
    check_validity(payload, now=now, leeway=leeway)
    claims, used = reveal(payload, parsed.disclosures)
    top_level = {name for name in claims if name not in payload}
    forbidden = top_level & set(never_disclosable)
    if forbidden:
        raise DisclosureMismatch(f"claims {sorted(forbidden)} must not be selectively disclosable")
    holder_jwk = _cnf_jwk(payload)
    verified_kb = None
    if parsed.kb_jwt is None:
        if require_key_binding:
            raise HolderBindingMissing("the presentation has no KB-JWT")
    elif audience is not None and nonce is not None:
        if holder_jwk is None:
            raise HolderBindingInvalid("KB-JWT presented but the credential has no cnf.jwk")
        verified_kb = verify_kb_jwt(
            parsed.kb_jwt,
            holder_jwk=holder_jwk,
            sd_jwt=parsed.presented,
            audience=audience,
            nonce=nonce,
            now=now,
            max_age=kb_max_age,
            max_future=leeway,
        )
    return VerifiedSdJwt(
        header=verified.header,
        claims=claims,
        disclosed={d.name: value for d, value in used if d.name is not None},
        holder_jwk=holder_jwk,
        kb_claims=verified_kb.claims if verified_kb else None,
        holder_key=verified_kb.holder_key if verified_kb else None,
    )


def verify_sd_jwt_vc(
    presentation: str,
    issuer_key: IssuerKeySource,
    *,
    audience: str | None = None,
    nonce: str | None = None,
    require_key_binding: bool = True,
    allowed_typs: Collection[str] = SD_JWT_VC_TYPS,
    expected_issuer: str | None = None,
    now: float | None = None,
    leeway: int = 60,
    kb_max_age: int = 300,
    allowed_algs: Collection[str] | None = None,
) -> VerifiedSdJwt:
    """Verify an SD-JWT VC (``dc+sd-jwt`` or TW DIW ``vc+sd-jwt``) and its key binding.

    On top of ``verify_sd_jwt``: ``iss`` required, ``vct`` required for ``dc+sd-jwt`` and
    ``credentialSubject`` for ``vc+sd-jwt``, protected claims never disclosed, ``status`` shape.
    """
    parsed = SdJwt.parse(presentation)
    twdiw = parsed.issuer_jws.header.get("typ") == TYP_VC_SD_JWT
    result = verify_sd_jwt(
        parsed,
        issuer_key,
        audience=audience,
        nonce=nonce,
        require_key_binding=require_key_binding,
        allowed_typs=allowed_typs,
        expected_issuer=expected_issuer,
        now=now,
        leeway=leeway,
        kb_max_age=kb_max_age,
        allowed_algs=allowed_algs,
        never_disclosable=TWDIW_NEVER_DISCLOSABLE if twdiw else NEVER_DISCLOSABLE,
    )
    claims = result.claims
    if not isinstance(claims.get("iss"), str):
        raise ClaimMissing("SD-JWT VC has no iss")
    if twdiw:
        vc = claims.get("vc")
        if not isinstance(vc, dict) or not isinstance(vc.get("credentialSubject"), dict):
            raise ClaimMissing("vc+sd-jwt has no vc.credentialSubject object")
        types = vc.get("type")
        if not isinstance(types, list) or "VerifiableCredential" not in types:
            raise ClaimMissing("vc+sd-jwt vc.type must include VerifiableCredential")
    elif not isinstance(claims.get("vct"), str):
        raise ClaimMissing("dc+sd-jwt has no vct")
    status = claims.get("status")
    if status is not None:
        reference = status.get("status_list") if isinstance(status, dict) else None
        if not (
            isinstance(reference, dict)
            and isinstance(reference.get("uri"), str)
            and isinstance(reference.get("idx"), int)
            and not isinstance(reference.get("idx"), bool)
            and reference["idx"] >= 0
        ):
            raise ClaimMissing("status.status_list must hold a non-negative idx and a uri")
    return result


def _cnf_jwk(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    cnf = payload.get("cnf")
    if cnf is None:
        return None
    if not isinstance(cnf, dict) or not isinstance(cnf.get("jwk"), dict):
        raise HolderBindingInvalid("cnf must be {'jwk': {...}}")
    return dict(cnf["jwk"])

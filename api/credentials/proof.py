"""OID4VCI 1.0 JWT key proof (§8.2.1.1, Appendix F.1): wallet builds it, issuer validates it.

Header: ``typ: openid4vci-proof+jwt``, ``alg``, and exactly one of ``jwk`` / ``kid`` (a did:jwk or
did:key DID URL; the did:key of a raw key or of a JWK, multicodec jwk_jcs-pub, as the TW DIW app
makes). Claims: ``aud`` = credential issuer identifier, ``iat``, ``nonce`` = c_nonce.
Every failure is a ``ProofError`` carrying the OAuth error code of §8.3.1.2: ``invalid_nonce`` for
a wrong (or expired) c_nonce, ``invalid_proof`` for everything else (including a missing nonce).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from api.credentials import errors
from api.credentials.claims import check_audience, check_iat, current_time
from api.credentials.dids import holder_did, resolve_holder_key
from api.credentials.keys import SigningKey, public_jwk, read_header, verify_jws
from trust_ledger.codecs import private_jwk_members

PROOF_TYP = "openid4vci-proof+jwt"
INVALID_PROOF = "invalid_proof"
INVALID_NONCE = "invalid_nonce"


class ProofError(errors.CredentialError):
    """A rejected key proof; ``oauth_error`` is the Credential Endpoint error code."""

    oauth_error = INVALID_PROOF


class ProofMalformed(ProofError, errors.MalformedToken):
    """Not a compact JWS with JSON header and claims."""


class ProofTypInvalid(ProofError, errors.TypInvalid):
    """``typ`` is not exactly ``openid4vci-proof+jwt``."""


class ProofKeyInvalid(ProofError, errors.KeyUnsupported):
    """No usable key: neither/both of jwk and kid, x5c, a private jwk, an unresolvable DID."""


class ProofAlgNotAllowed(ProofError, errors.AlgNotAllowed):
    """``alg`` is none, HMAC, or not the key's algorithm / not in the allowed list."""


class ProofSignatureInvalid(ProofError, errors.SignatureInvalid):
    """The signature does not verify with the header key."""


class ProofAudienceInvalid(ProofError, errors.AudienceMismatch):
    """``aud`` is not the credential issuer identifier."""


class ProofIatInvalid(ProofError, errors.IatInvalid):
    """``iat`` is missing or outside the accepted window."""


class ProofIssuerInvalid(ProofError, errors.IssuerMismatch):
    """``iss`` is present and is not the expected client_id."""


class ProofNonceMissing(ProofError, errors.NonceMismatch):
    """A c_nonce is required but the proof has none (``invalid_proof``, §8.3.1.2)."""


class ProofNonceInvalid(ProofError, errors.NonceMismatch):
    """The proof's nonce is not a valid (current, unexpired) c_nonce."""

    oauth_error = INVALID_NONCE


NonceCheck = str | Callable[[str], bool] | None
"""The expected c_nonce, a predicate over the presented nonce (e.g. a nonce-store lookup), or
``None`` when the issuer has no nonce endpoint."""


def create_proof(
    holder: SigningKey,
    *,
    audience: str,
    nonce: str | None,
    binding: Literal["jwk", "did:jwk", "did:key", "did:key:jwk_jcs-pub"] = "jwk",
    issued_at: int | None = None,
    client_id: str | None = None,
) -> str:
    """Wallet side: a key proof JWT for ``audience`` (the credential issuer identifier).

    ``binding`` puts the public key in ``jwk``, or a did:jwk / did:key DID URL in ``kid`` (the
    did:key of the raw key, or with ``did:key:jwk_jcs-pub`` of its JWK).
    ``client_id`` becomes ``iss`` (omit it for anonymous pre-authorized access).
    """
    header: dict[str, Any] = {"typ": PROOF_TYP}
    if binding == "jwk":
        header["jwk"] = holder.public_jwk
    else:
        _did, kid = holder_did(holder.public_jwk, binding.removeprefix("did:"))
        header["kid"] = kid
    claims: dict[str, Any] = {"aud": audience, "iat": current_time(issued_at)}
    if nonce is not None:
        claims["nonce"] = nonce
    if client_id is not None:
        claims["iss"] = client_id
    return holder.sign(claims, header, include_kid=False)


@dataclass(frozen=True)
class ValidatedProof:
    """A valid key proof: the holder's public JWK, its DID (when bound by kid) and the claims."""

    holder_jwk: dict[str, Any]
    holder_did: str | None
    header: dict[str, Any]
    claims: dict[str, Any]


def _holder_key(header: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    if "x5c" in header:
        raise ProofKeyInvalid("x5c key proofs are not supported")
    has_jwk, has_kid = "jwk" in header, "kid" in header
    if has_jwk == has_kid:
        raise ProofKeyInvalid("the proof header needs exactly one of jwk and kid")
    if has_jwk:
        jwk = header["jwk"]
        if not isinstance(jwk, dict):
            raise ProofKeyInvalid("jwk header is not a JSON object")
        if private_jwk_members(jwk):
            raise ProofKeyInvalid("jwk header carries a private key")
        try:
            return public_jwk(jwk), None
        except errors.KeyUnsupported as exc:
            raise ProofKeyInvalid(str(exc)) from None
    try:
        holder = resolve_holder_key(header["kid"])
    except errors.DidInvalid as exc:
        raise ProofKeyInvalid(f"kid: {exc}") from None
    return holder.jwk, holder.did


def validate_proof(
    proof_jwt: str,
    *,
    issuer_id: str,
    nonce: NonceCheck,
    now: float | None = None,
    window: int = 300,
    allowed_algs: Collection[str] | None = None,
    client_id: str | None = None,
) -> ValidatedProof:
    """Issuer side: validate a key proof and return the holder key to bind the credential to.

    Checks, in order: JWS shape, ``typ``, key (jwk xor did:jwk/did:key kid, never private),
    ``alg`` pinned to that key (and ``allowed_algs``), signature, ``aud == issuer_id``, ``iat``
    within ±``window`` s, ``iss`` (if ``client_id`` is given and iss present), then ``nonce``.
    """
    try:
        header = read_header(proof_jwt)
    except errors.MalformedToken as exc:
        raise ProofMalformed(str(exc)) from None
    if header.get("typ") != PROOF_TYP:
        raise ProofTypInvalid(f"typ must be {PROOF_TYP!r}, not {header.get('typ')!r}")
    jwk, did = _holder_key(header)
    try:
        claims = verify_jws(proof_jwt, jwk, allowed_algs=allowed_algs).claims()
    except errors.AlgNotAllowed as exc:
        raise ProofAlgNotAllowed(str(exc)) from None
    except errors.SignatureInvalid as exc:
        raise ProofSignatureInvalid(str(exc)) from None
    except errors.KeyUnsupported as exc:
        raise ProofKeyInvalid(str(exc)) from None
    except errors.MalformedToken as exc:
        raise ProofMalformed(str(exc)) from None
    try:
        check_audience(claims, issuer_id)
    except errors.AudienceMismatch as exc:
        raise ProofAudienceInvalid(str(exc)) from None
    try:
        check_iat(claims, now=now, max_age=window, max_future=window)
    except errors.IatInvalid as exc:
        raise ProofIatInvalid(str(exc)) from None
    if client_id is not None and "iss" in claims and claims["iss"] != client_id:
        raise ProofIssuerInvalid(f"iss {claims['iss']!r} is not the client {client_id!r}")
    _check_nonce(claims, nonce)
    return ValidatedProof(holder_jwk=jwk, holder_did=did, header=header, claims=claims)


def _check_nonce(claims: Mapping[str, Any], nonce: NonceCheck) -> None:
    if nonce is None:
        return
    presented = claims.get("nonce")
    if presented is None:
        raise ProofNonceMissing("the proof has no nonce but a c_nonce is required")
    if not isinstance(presented, str):
        raise ProofNonceInvalid("nonce is not a string")
    valid = nonce(presented) if callable(nonce) else hmac.compare_digest(presented.encode(), nonce.encode())
    if not valid:
        raise ProofNonceInvalid("nonce is not a valid c_nonce")

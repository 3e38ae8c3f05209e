"""Reading a credential the issuer sent: its shape, its claims, and that it is bound to our key.

The wallet does not verify the issuer's signature (that needs the issuer's key discovery, which is
the verifier's job); it checks the SD-JWT disclosures against their digests (RFC 9901 §7.1) and
that ``cnf.jwk`` / a did:jwk or did:key ``sub`` designate the wallet's own key.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from api.credentials.dids import resolve_holder_key
from api.credentials.disclosures import reveal
from api.credentials.errors import CredentialError
from api.credentials.keys import public_jwk, read_header, read_payload
from api.credentials.sd_jwt import SD_JWT_VC_TYPS, TYP_VC_SD_JWT, SdJwt
from api.wallet.errors import WalletError
from api.wallet.keystore import Holder

SD_JWT_FORMATS = ("dc+sd-jwt", "vc+sd-jwt")
JWT_VC_FORMATS = ("jwt_vc_json",)
SUPPORTED_FORMATS = SD_JWT_FORMATS + JWT_VC_FORMATS
REGISTERED_CLAIMS = frozenset(
    {"iss", "sub", "iat", "nbf", "exp", "jti", "cnf", "vct", "vct#integrity", "aka_vcts", "status"}
)
STEP = "credential response"


def read_credential(raw: Any, fmt: str, holder: Holder, *, bound: bool) -> dict[str, Any]:
    """The claims of a received credential in ``fmt``; ``WalletError`` when it is malformed or (with
    ``bound``, i.e. the configuration has holder binding) not bound to ``holder``'s key."""
    if not isinstance(raw, str) or not raw:
        raise WalletError(STEP, f"the {fmt} credential is not a string")
    try:
        if fmt in SD_JWT_FORMATS:
            payload, claims = _sd_jwt_claims(raw)
        elif fmt in JWT_VC_FORMATS:
            payload, claims = _jwt_vc_claims(raw)
        else:
            raise WalletError(STEP, f"credential format {fmt!r} is not supported")
    except CredentialError as exc:
        raise WalletError(STEP, f"the {fmt} credential is malformed: {exc}") from None
    subjects = [payload.get("sub"), claims.get("id")]
    if not _bound_to(holder, payload.get("cnf"), subjects) and bound:
        raise WalletError(STEP, "the credential is not bound to the wallet's key")
    return claims


def _sd_jwt_claims(raw: str) -> tuple[dict[str, Any], dict[str, Any]]:
    parsed = SdJwt.parse(raw)
    if parsed.kb_jwt is not None:
        raise WalletError(STEP, "an issued SD-JWT must not carry a key binding JWT")
    typ = read_header(parsed.issuer_jwt).get("typ")
    if typ not in SD_JWT_VC_TYPS:
        raise WalletError(STEP, f"SD-JWT typ {typ!r} is not one of {', '.join(SD_JWT_VC_TYPS)}")
    payload = read_payload(parsed.issuer_jwt)
    processed, _ = reveal(payload, parsed.disclosures)
    if typ == TYP_VC_SD_JWT:  # VCDM 1.1 JWT (the official TW DIW issuer's): the card is the vc claim
        vc = processed.get("vc")
        subject = vc.get("credentialSubject") if isinstance(vc, dict) else None
        if not isinstance(subject, dict):
            raise WalletError(STEP, "the vc+sd-jwt credential has no vc.credentialSubject object")
        return payload, subject
    return payload, {name: value for name, value in processed.items() if name not in REGISTERED_CLAIMS}


def _jwt_vc_claims(raw: str) -> tuple[dict[str, Any], dict[str, Any]]:
    payload = read_payload(raw)
    body = payload.get("vc", payload)
    subject = body.get("credentialSubject") if isinstance(body, dict) else None
    if not isinstance(subject, dict):
        raise WalletError(STEP, "the jwt_vc_json credential has no credentialSubject object")
    return payload, dict(subject)


def _bound_to(holder: Holder, cnf: Any, subjects: list[Any]) -> bool:
    """True when cnf or a DID subject designates ``holder``'s key; a mismatch is an error."""
    mine = holder.key.public_jwk
    found = False
    if cnf is not None:
        jwk = cnf.get("jwk") if isinstance(cnf, Mapping) else None
        kid = cnf.get("kid") if isinstance(cnf, Mapping) else None
        with contextlib.suppress(CredentialError):
            found = (isinstance(jwk, Mapping) and public_jwk(jwk) == mine) or (
                isinstance(kid, str) and _is_my_did(holder, kid.partition("#")[0])
            )
        if not found:
            raise WalletError(STEP, "the credential's cnf is not the wallet's key")
    for subject in subjects:
        if isinstance(subject, str) and subject.startswith(("did:jwk:", "did:key:")):
            if not _is_my_did(holder, subject):
                raise WalletError(STEP, f"the credential's subject {subject[:40]}... is not the wallet")
            found = True
    return found


def _is_my_did(holder: Holder, did: str) -> bool:
    """Whether a did:jwk / did:key designates the wallet's key: its own DID, or another DID of the
    same key (a TW DIW issuer names the holder by the key's jwk_jcs-pub did:key)."""
    if did == holder.did:
        return True
    method = did.split(":")[1] if did.count(":") >= 2 else ""
    if method not in ("jwk", "key"):
        return False
    try:
        return resolve_holder_key(did).jwk == holder.key.public_jwk
    except CredentialError:
        return False

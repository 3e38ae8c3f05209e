"""Holder DIDs for key binding: did:jwk (built and parsed here) and did:key (resolved with didkit).

For did:key the key is decoded from the identifier itself *and* read from didkit's DID document;
the two must agree (``DidKeyMismatch``), so neither path is trusted alone.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import base58
import didkit
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.jwk import ECKey

from api.credentials.disclosures import b64url_decode, b64url_encode
from api.credentials.errors import (
    DidInvalid,
    DidKeyMismatch,
    DidMethodUnsupported,
    KeyUnsupported,
    MalformedToken,
)
from api.credentials.keys import import_public_jwk, public_jwk
from trust_ledger.http_limits import MAX_JSON_DEPTH, nesting_exceeds

DID_JWK_PREFIX = "did:jwk:"
DID_KEY_PREFIX = "did:key:"

_MULTICODEC = {
    b"\xed\x01": ("Ed25519", 32),
    b"\x80\x24": ("P-256", 33),
    b"\xe7\x01": ("secp256k1", 33),
}
_EC_CURVES = {"P-256": ec.SECP256R1(), "secp256k1": ec.SECP256K1()}


@dataclass(frozen=True)
class HolderKey:
    """A holder's public key found through a DID URL."""

    did: str
    vm_id: str
    jwk: dict[str, Any]


# --- did:jwk ---------------------------------------------------------------------------------


def did_jwk(jwk: Mapping[str, Any]) -> str:
    """The did:jwk of a key (its public members only, compact JSON, base64url)."""
    public = public_jwk(jwk)
    import_public_jwk(public)
    return DID_JWK_PREFIX + b64url_encode(json.dumps(public, separators=(",", ":")).encode("utf-8"))


def parse_did_jwk(did: str) -> dict[str, Any]:
    """The public JWK inside a did:jwk; refuses private members, ``use: enc`` and bad keys."""
    if not did.startswith(DID_JWK_PREFIX):
        raise DidInvalid(f"not a did:jwk: {did!r}")
    try:
        text = b64url_decode(did[len(DID_JWK_PREFIX) :]).decode("utf-8")
        if nesting_exceeds(text):
            raise DidInvalid(f"did:jwk nests deeper than {MAX_JSON_DEPTH} levels")
        jwk = json.loads(text)
    except (MalformedToken, UnicodeDecodeError, ValueError):
        raise DidInvalid("did:jwk is not base64url JSON") from None
    if not isinstance(jwk, dict):
        raise DidInvalid("did:jwk does not hold a JSON object")
    if jwk.get("use") == "enc":
        raise DidInvalid("did:jwk key is for encryption only")
    try:
        import_public_jwk(jwk)
    except KeyUnsupported as exc:
        raise DidInvalid(f"did:jwk key: {exc}") from None
    return public_jwk(jwk)


# --- did:key ---------------------------------------------------------------------------------


def did_key(jwk: Mapping[str, Any]) -> str:
    """The did:key of a P-256, secp256k1 or Ed25519 key (computed by didkit)."""
    public = public_jwk(jwk)
    try:
        return didkit.key_to_did("key", json.dumps(public))
    except didkit.DIDKitException as exc:  # type: ignore[misc]  # didkit.pyi types it as no exception
        raise KeyUnsupported(f"didkit cannot make a did:key: {exc}") from None


def did_key_jwk(did: str) -> dict[str, Any]:
    """Decode the key a did:key encodes (multibase base58btc, multicodec header) into a JWK."""
    if not did.startswith(DID_KEY_PREFIX) or not did[len(DID_KEY_PREFIX) :].startswith("z"):
        raise DidInvalid(f"not a base58btc did:key: {did!r}")
    try:
        raw = base58.b58decode(did[len(DID_KEY_PREFIX) + 1 :])
    except ValueError:
        raise DidInvalid("did:key is not base58btc") from None
    known = _MULTICODEC.get(raw[:2])
    if known is None:
        raise DidMethodUnsupported(f"did:key multicodec 0x{raw[:2].hex()} is not supported")
    curve, length = known
    material = raw[2:]
    if len(material) != length:
        raise DidInvalid(f"did:key {curve} key has {len(material)} bytes, expected {length}")
    if curve == "Ed25519":
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(material)}
    try:
        point = ec.EllipticCurvePublicKey.from_encoded_point(_EC_CURVES[curve], material)
    except ValueError:
        raise DidInvalid(f"did:key {curve} point is not on the curve") from None
    return public_jwk(ECKey.import_key(point).as_dict(private=False))


async def aresolve_did_key(did: str) -> dict[str, Any]:
    """didkit's DID document for a did:key (async: didkit 0.3.3 resolves in an event loop)."""
    try:
        text = await didkit.resolve_did(did, "{}")
    except didkit.DIDKitException as exc:  # type: ignore[misc]  # didkit.pyi types it as no exception
        raise DidInvalid(f"didkit cannot resolve {did!r}: {exc}") from None
    return json.loads(text)


def resolve_did_key(did: str) -> dict[str, Any]:
    """``aresolve_did_key`` from synchronous code, also when an event loop is already running."""
    return _run_sync(aresolve_did_key(did))


def _run_sync(coro: Coroutine[Any, Any, Any]) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _did_key_holder(did: str, fragment: str) -> HolderKey:
    encoded = did_key_jwk(did)
    if fragment and fragment != did[len(DID_KEY_PREFIX) :]:
        raise DidInvalid(f"did:key has no verification method #{fragment}")
    vm_id = f"{did}#{did[len(DID_KEY_PREFIX) :]}"
    document = resolve_did_key(did)
    if document.get("id") != did:
        raise DidKeyMismatch("resolved DID document is for another DID")
    methods = [vm for vm in document.get("verificationMethod", []) if vm.get("id") == vm_id]
    if len(methods) != 1 or not isinstance(methods[0].get("publicKeyJwk"), dict):
        raise DidKeyMismatch(f"DID document has no publicKeyJwk method {vm_id}")
    if vm_id not in document.get("authentication", []) and vm_id not in document.get("assertionMethod", []):
        raise DidKeyMismatch(f"{vm_id} is not an authentication or assertion method")
    resolved = public_jwk(methods[0]["publicKeyJwk"])
    if resolved != encoded:
        raise DidKeyMismatch("verification method key differs from the key in the did:key")
    return HolderKey(did=did, vm_id=vm_id, jwk=resolved)


# --- both ------------------------------------------------------------------------------------


def holder_did(jwk: Mapping[str, Any], method: str = "jwk") -> tuple[str, str]:
    """``(did, kid)`` for a holder key: did:jwk (``#0``) or did:key (``#<multibase>``)."""
    if method == "jwk":
        did = did_jwk(jwk)
        return did, f"{did}#0"
    if method == "key":
        did = did_key(jwk)
        return did, f"{did}#{did[len(DID_KEY_PREFIX) :]}"
    raise DidMethodUnsupported(f"did:{method} is not supported for holders")


def resolve_holder_key(did_url: str) -> HolderKey:
    """The public key a holder DID URL (did:jwk / did:key, with or without fragment) designates."""
    if not isinstance(did_url, str) or not did_url.startswith("did:"):
        raise DidInvalid(f"not a DID URL: {did_url!r}")
    did, _, fragment = did_url.partition("#")
    if "?" in did or "/" in did:
        raise DidInvalid("DID URL paths and queries are not supported for holder keys")
    if did.startswith(DID_JWK_PREFIX):
        if fragment not in ("", "0"):
            raise DidInvalid(f"did:jwk has no verification method #{fragment}")
        return HolderKey(did=did, vm_id=f"{did}#0", jwk=parse_did_jwk(did))
    if did.startswith(DID_KEY_PREFIX):
        return _did_key_holder(did, fragment)
    raise DidMethodUnsupported(f"holder DID method of {did!r} is not supported (did:jwk, did:key)")

"""Holder DIDs for key binding: did:jwk (built and parsed here) and did:key.

A did:key of a raw key (Ed25519, P-256, secp256k1) is decoded here *and* read from didkit's DID
document; the two must agree (``DidKeyMismatch``), so neither path is trusted alone. A did:key of
the ``jwk_jcs-pub`` multicodec (0xeb51: the JCS of a public JWK, as the TW DIW app and EBSI make
them) is unknown to didkit 0.3.3 (it answers notFound): its key is the JWK in the identifier, decoded
here only and imported as a key, which is all the identifier says.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import didkit
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.jwk import ECKey

from api.credentials.errors import (
    DidInvalid,
    DidKeyMismatch,
    DidMethodUnsupported,
    KeyUnsupported,
)
from api.credentials.keys import SIGNING_ALG, ImportedJwk, import_public_jwk, public_jwk
from trust_ledger.codecs import (
    BASE58BTC,
    JWK_JCS_PUB,
    CodecError,
    KeyCodec,
    UnknownMulticodec,
    b64url_decode,
    b64url_encode,
    jwk_from_jcs,
    jwk_jcs,
    multibase_decode,
    multibase_encode,
    split_key_multicodec,
    varint_decode,
)
from trust_ledger.http_limits import MAX_JSON_DEPTH, nesting_exceeds

DID_JWK_PREFIX = "did:jwk:"
DID_KEY_PREFIX = "did:key:"
JWK_JCS_METHOD = "key:jwk_jcs-pub"
"""``holder_did`` method name of a jwk_jcs-pub did:key (EBSI's discriminator ``did:key:jwk_jcs-pub``)."""

_EC_CURVES = {"P-256": ec.SECP256R1(), "secp256k1": ec.SECP256K1()}


@dataclass(frozen=True)
class HolderKey:
    """A holder's public key found through a DID URL."""

    did: str
    vm_id: str
    jwk: dict[str, Any]
    imported: ImportedJwk | None = field(default=None, repr=False, compare=False)
    """``jwk`` as resolving it imported it (a did:jwk), else None."""

    def verification_key(self) -> Mapping[str, Any]:
        """The key to verify the holder's signatures with: imported already when resolving it was."""
        return self.jwk if self.imported is None else self.imported


# --- did:jwk ---------------------------------------------------------------------------------


def did_jwk(jwk: Mapping[str, Any]) -> str:
    """The did:jwk of a key (its public members only, compact JSON, base64url); a key not imported
    yet is imported to check it is one."""
    public = public_jwk(jwk)
    if not isinstance(jwk, ImportedJwk):
        import_public_jwk(public)
    return DID_JWK_PREFIX + b64url_encode(json.dumps(public, separators=(",", ":")).encode("utf-8"))


def parse_did_jwk(did: str) -> dict[str, Any]:
    """The public JWK inside a did:jwk; refuses private members, ``use: enc`` and bad keys."""
    return public_jwk(_did_jwk_key(did))


def _did_jwk_key(did: str) -> ImportedJwk:
    """The public key inside a did:jwk, imported (of its public members), or ``DidInvalid`` as
    ``parse_did_jwk`` says."""
    if not did.startswith(DID_JWK_PREFIX):
        raise DidInvalid(f"not a did:jwk: {did!r}")
    try:
        text = b64url_decode(did[len(DID_JWK_PREFIX) :]).decode("utf-8")
        if nesting_exceeds(text):
            raise DidInvalid(f"did:jwk nests deeper than {MAX_JSON_DEPTH} levels")
        jwk = json.loads(text)
    except (UnicodeDecodeError, ValueError):  # CodecError: not base64url
        raise DidInvalid("did:jwk is not base64url JSON") from None
    if not isinstance(jwk, dict):
        raise DidInvalid("did:jwk does not hold a JSON object")
    if jwk.get("use") == "enc":
        raise DidInvalid("did:jwk key is for encryption only")
    try:
        imported = ImportedJwk(jwk)
        public = public_jwk(jwk)
        return imported if public == jwk else ImportedJwk(public)
    except KeyUnsupported as exc:
        raise DidInvalid(f"did:jwk key: {exc}") from None


# --- did:key ---------------------------------------------------------------------------------


def did_key(jwk: Mapping[str, Any]) -> str:
    """The did:key of a P-256, secp256k1 or Ed25519 key (computed by didkit)."""
    public = public_jwk(jwk)
    try:
        return didkit.key_to_did("key", json.dumps(public))
    except didkit.DIDKitException as exc:  # type: ignore[misc]  # didkit.pyi types it as no exception
        raise KeyUnsupported(f"didkit cannot make a did:key: {exc}") from None


def did_key_jcs(jwk: Mapping[str, Any]) -> str:
    """The jwk_jcs-pub did:key of a P-256, secp256k1 or Ed25519 key: ``z`` + base58btc of the
    multicodec 0xeb51 and the JCS of the key's public JWK."""
    public = public_jwk(jwk)
    import_public_jwk(public)
    return DID_KEY_PREFIX + multibase_encode(JWK_JCS_PUB.header + jwk_jcs(public), BASE58BTC)


def is_did_key_jcs(did: str) -> bool:
    """Whether ``did`` is a did:key of the jwk_jcs-pub multicodec (whatever its body holds)."""
    try:
        raw = multibase_decode(did.removeprefix(DID_KEY_PREFIX), BASE58BTC)
        return did.startswith(DID_KEY_PREFIX) and varint_decode(raw)[0] == JWK_JCS_PUB.code
    except CodecError:
        return False


def did_key_jwk(did: str) -> dict[str, Any]:
    """Decode the key a did:key encodes (multibase base58btc, multicodec header) into a JWK."""
    return _decode_did_key(did)[1]


def _decode_did_key(did: str) -> tuple[KeyCodec, dict[str, Any]]:
    """The multicodec of a did:key and the public JWK of its key."""
    if not did.startswith(DID_KEY_PREFIX):
        raise DidInvalid(f"not a did:key: {did!r}")
    try:
        codec, material = split_key_multicodec(multibase_decode(did[len(DID_KEY_PREFIX) :], BASE58BTC))
    except UnknownMulticodec as exc:
        raise DidMethodUnsupported(f"did:key: {exc}") from None
    except CodecError as exc:
        raise DidInvalid(f"did:key: {exc}") from None
    if codec is JWK_JCS_PUB:
        return codec, _jcs_jwk(material)
    if codec.crv not in SIGNING_ALG:
        raise DidMethodUnsupported(f"did:key multicodec {codec.name} (0x{codec.code:x}) is not supported")
    if codec.crv == "Ed25519":
        return codec, {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(material)}
    try:
        point = ec.EllipticCurvePublicKey.from_encoded_point(_EC_CURVES[codec.crv], material)
    except ValueError:
        raise DidInvalid(f"did:key {codec.crv} point is not on the curve") from None
    return codec, public_jwk(ECKey.import_key(point).as_dict(private=False))


def _jcs_jwk(material: bytes) -> dict[str, Any]:
    """The signing key of a jwk_jcs-pub did:key (its required members), or DidInvalid /
    DidMethodUnsupported (a valid JWK of a key type holders cannot sign with)."""
    try:
        jwk = jwk_from_jcs(material)
    except CodecError as exc:
        raise DidInvalid(f"did:key {exc}") from None
    try:
        import_public_jwk(jwk)
    except KeyUnsupported as exc:
        if jwk.get("crv") in SIGNING_ALG:
            raise DidInvalid(f"did:key jwk_jcs-pub key: {exc}") from None
        raise DidMethodUnsupported(f"did:key jwk_jcs-pub key: {exc}") from None
    return public_jwk(jwk)


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
    codec, encoded = _decode_did_key(did)
    if fragment and fragment != did[len(DID_KEY_PREFIX) :]:
        raise DidInvalid(f"did:key has no verification method #{fragment}")
    vm_id = f"{did}#{did[len(DID_KEY_PREFIX) :]}"
    if codec is JWK_JCS_PUB:  # didkit 0.3.3 does not know 0xeb51: the identifier is the only source
        return HolderKey(did=did, vm_id=vm_id, jwk=encoded)
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
    """``(did, kid)`` for a holder key: did:jwk (``#0``), did:key (``#<multibase>``) of the raw key
    (``key``) or of its JWK (``key:jwk_jcs-pub``)."""
    if method == "jwk":
        did = did_jwk(jwk)
        return did, f"{did}#0"
    if method in ("key", JWK_JCS_METHOD):
        did = did_key(jwk) if method == "key" else did_key_jcs(jwk)
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
        key = _did_jwk_key(did)
        return HolderKey(did=did, vm_id=f"{did}#0", jwk=public_jwk(key), imported=key)
    if did.startswith(DID_KEY_PREFIX):
        return _did_key_holder(did, fragment)
    raise DidMethodUnsupported(f"holder DID method of {did!r} is not supported (did:jwk, did:key)")

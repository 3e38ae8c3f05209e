"""DIDs that carry their own document (did:key, did:jwk, did:pkh), resolved offline by didkit 0.3.3.

Every did:key document is the did:key Method v0.7 document (w3c-ccg/did-key-spec@f5abee8,
"Document Creation Algorithm") with ``publicKeyFormat`` ``JsonWebKey2020``: one method
``did#<fingerprint>`` of type ``JsonWebKey2020`` holding the key as ``publicKeyJwk``, context
``https://w3id.org/security/suites/jws-2020/v1``, in authentication, assertionMethod,
capabilityInvocation and capabilityDelegation (no key-agreement derivation). didkit 0.3.3 decodes
the key (Ed25519, P-256, secp256k1, BLS12-381 G2) but writes it as ``Ed25519VerificationKey2018``
(or ``EcdsaSecp256r1VerificationKey2019``...) carrying ``publicKeyJwk``, types whose suites define
other key formats; only its JWK is kept. A did:key of the ``jwk_jcs-pub`` multicodec (0xeb51, the
JCS of a public JWK: the TW DIW app's and EBSI's holder DIDs) is unknown to didkit 0.3.3, which
answers notFound; its JWK is read here. ``JsonWebKey2020`` rather than ``Multikey`` because a
jwk_jcs-pub key has no Multikey form (resolver.keys) and did:jwk documents are JsonWebKey2020 too.

didkit 0.3.3's ``resolve_did(did, options_json)`` returns an awaitable that must be created
inside a running event loop; the HTTP routes run in worker threads, so each call gets its own
short-lived loop (or a helper thread if the caller already runs one).
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import didkit

from resolver.documents import DID_CONTEXT, JWS_2020_CONTEXT
from resolver.errors import ErrorCode, ResolverError
from trust_ledger.codecs import (
    BASE58BTC,
    JWK_JCS_PUB,
    CodecError,
    jwk_from_jcs,
    multibase_decode,
    public_jwk,
    split_key_multicodec,
)

FOREIGN_METHODS = frozenset({"key", "jwk", "pkh"})
"""Methods resolved by didkit without any network access."""

_DIDKIT_ERRORS = {
    "invalidDid": ErrorCode.INVALID_DID,
    "notFound": ErrorCode.NOT_FOUND,
    "methodNotSupported": ErrorCode.METHOD_NOT_SUPPORTED,
    "representationNotSupported": ErrorCode.REPRESENTATION_NOT_SUPPORTED,
}


async def _resolve(did: str) -> str:
    result: str = await didkit.resolve_did(did, "{}")
    return result


def _run(did: str) -> str:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_resolve(did))
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _resolve(did)).result()


def resolve_foreign(did: str) -> dict[str, Any]:
    """The DID document didkit derives from `did`; didkit's errors become ResolverErrors."""
    if did.split(":", 2)[1] not in FOREIGN_METHODS:
        raise ResolverError(ErrorCode.METHOD_NOT_SUPPORTED, f"{did} is not resolved by didkit here")
    jwk_jcs_document = _jwk_jcs_did_key(did)
    if jwk_jcs_document is not None:
        return jwk_jcs_document
    try:
        text = _run(did)
    except didkit.DIDKitException as error:  # type: ignore[misc]  # didkit.pyi types it as no exception
        message = str(error)
        code = _DIDKIT_ERRORS.get(message.strip(), ErrorCode.INTERNAL_ERROR)
        if code is ErrorCode.NOT_FOUND and did.startswith(("did:key:", "did:jwk:")):
            code = ErrorCode.INVALID_DID  # these methods cannot "not exist": the identifier is malformed
        raise ResolverError(code, f"didkit could not resolve {did}: {message}") from None
    document = json.loads(text)
    if not isinstance(document, dict) or document.get("id") != did:
        raise ResolverError(ErrorCode.INVALID_DID_DOCUMENT, f"didkit returned no document for {did}")
    if did.startswith("did:key:"):
        return _did_key_document(did, _didkit_jwk(did, document))
    return document


def _didkit_jwk(did: str, document: dict[str, Any]) -> dict[str, Any]:
    """The public JWK of didkit's one verification method of a did:key document."""
    methods = document.get("verificationMethod")
    method = methods[0] if isinstance(methods, list) and methods else None
    try:
        return public_jwk(method.get("publicKeyJwk") if isinstance(method, dict) else None)
    except CodecError:
        raise ResolverError(ErrorCode.INVALID_DID_DOCUMENT, f"didkit gave no public JWK for {did}") from None


def _did_key_document(did: str, jwk: dict[str, Any]) -> dict[str, Any]:
    """The did:key v0.7 document of `did` with publicKeyFormat JsonWebKey2020."""
    method = f"{did}#{did.removeprefix('did:key:')}"
    return {
        "@context": [DID_CONTEXT, JWS_2020_CONTEXT],
        "id": did,
        "verificationMethod": [
            {"id": method, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
        ],
        "authentication": [method],
        "assertionMethod": [method],
        "capabilityInvocation": [method],
        "capabilityDelegation": [method],
    }


def _jwk_jcs_did_key(did: str) -> dict[str, Any] | None:
    """The document of a did:key whose multicodec is jwk_jcs-pub; None for any other DID (didkit's)."""
    if not did.startswith("did:key:"):
        return None
    fingerprint = did.removeprefix("did:key:")
    try:
        codec, body = split_key_multicodec(multibase_decode(fingerprint, BASE58BTC))
    except CodecError:
        return None  # didkit says what is wrong with it
    if codec is not JWK_JCS_PUB:
        return None
    try:
        jwk = jwk_from_jcs(body)
    except CodecError as error:
        raise ResolverError(ErrorCode.INVALID_DID, f"{did}: {error}") from None
    return _did_key_document(did, jwk)

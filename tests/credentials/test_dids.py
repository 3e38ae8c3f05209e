"""Holder DIDs: did:jwk built/parsed here, did:key decoded here and cross-checked with didkit."""

from __future__ import annotations

import asyncio
import json

import pytest

from api.credentials import dids, errors
from api.credentials.keys import SigningKey
from tests.support.credentials import CURVES
from trust_ledger.codecs import b64url_encode


@pytest.mark.parametrize("curve", CURVES)
def test_did_jwk_round_trip(curve: str) -> None:
    key = SigningKey.generate(curve)  # type: ignore[arg-type]
    did, kid = dids.holder_did(key.private_jwk(), "jwk")
    assert did.startswith("did:jwk:") and kid == f"{did}#0"
    assert dids.parse_did_jwk(did) == key.public_jwk
    holder = dids.resolve_holder_key(kid)
    assert (holder.did, holder.vm_id, holder.jwk) == (did, kid, key.public_jwk)


@pytest.mark.parametrize("curve", CURVES)
def test_did_key_decoded_here_matches_didkit(curve: str) -> None:
    key = SigningKey.generate(curve)  # type: ignore[arg-type]
    did, kid = dids.holder_did(key.public_jwk, "key")
    prefix = {"P-256": "did:key:zDn", "secp256k1": "did:key:zQ3s", "Ed25519": "did:key:z6Mk"}[curve]
    assert did.startswith(prefix)
    assert dids.did_key_jwk(did) == key.public_jwk
    document = dids.resolve_did_key(did)
    assert document["verificationMethod"][0]["publicKeyJwk"] == key.public_jwk
    holder = dids.resolve_holder_key(kid)
    assert (holder.did, holder.vm_id, holder.jwk) == (did, kid, key.public_jwk)
    assert dids.resolve_holder_key(did).jwk == key.public_jwk


def test_did_key_resolves_inside_a_running_event_loop() -> None:
    key = SigningKey.generate("Ed25519")
    did, kid = dids.holder_did(key.public_jwk, "key")

    async def inside() -> dict:
        assert (await dids.aresolve_did_key(did))["id"] == did
        return dids.resolve_holder_key(kid).jwk

    assert asyncio.run(inside()) == key.public_jwk


def test_did_key_mismatch_between_identifier_and_document(monkeypatch: pytest.MonkeyPatch) -> None:
    key, other = SigningKey.generate("P-256"), SigningKey.generate("P-256")
    did, kid = dids.holder_did(key.public_jwk, "key")
    real = dids.resolve_did_key(did)
    real["verificationMethod"][0]["publicKeyJwk"] = other.public_jwk
    monkeypatch.setattr(dids, "resolve_did_key", lambda _did: real)
    with pytest.raises(errors.DidKeyMismatch):
        dids.resolve_holder_key(kid)


@pytest.mark.parametrize(
    "did_url",
    [
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#other",
        "did:key:zNotBase58!",
        "did:key:z" + "1" * 10,
        "did:jwk:not-base64!",
        "did:jwk:" + b64url_encode(b"[1,2]"),
        "did:jwk:" + b64url_encode(json.dumps({"kty": "oct", "k": "AAAA"}).encode()),
        "not a did",
    ],
)
def test_invalid_holder_dids(did_url: str) -> None:
    with pytest.raises(errors.DidInvalid):
        dids.resolve_holder_key(did_url)


def test_did_jwk_refuses_private_members_and_encryption_keys() -> None:
    key = SigningKey.generate("P-256")
    private = "did:jwk:" + b64url_encode(json.dumps(key.private_jwk()).encode())
    with pytest.raises(errors.DidInvalid, match="private"):
        dids.parse_did_jwk(private)
    enc = "did:jwk:" + b64url_encode(json.dumps({**key.public_jwk, "use": "enc"}).encode())
    with pytest.raises(errors.DidInvalid, match="encryption"):
        dids.parse_did_jwk(enc)
    with pytest.raises(errors.DidInvalid):
        dids.resolve_holder_key(dids.did_jwk(key.public_jwk) + "#1")


def test_unsupported_methods() -> None:
    with pytest.raises(errors.DidMethodUnsupported):
        dids.resolve_holder_key("did:web:holder.example#key-1")
    x25519 = "did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F"
    with pytest.raises(errors.DidMethodUnsupported):
        dids.resolve_holder_key(x25519)
    with pytest.raises(errors.DidMethodUnsupported):
        dids.holder_did(SigningKey.generate().public_jwk, "web")


@pytest.mark.parametrize(
    "did",
    [
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",
    ],
)
def test_published_did_key_examples_decode_like_didkit(did: str) -> None:
    """did:key spec examples (Ed25519, P-256): our decoding agrees with didkit's document."""
    holder = dids.resolve_holder_key(did)
    assert holder.jwk == dids.did_key_jwk(did)
    assert holder.vm_id == f"{did}#{did.removeprefix('did:key:')}"

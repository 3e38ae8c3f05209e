"""Holder did:keys of the jwk_jcs-pub multicodec (0xeb51: the JCS of a public JWK), the DIDs of the
TW DIW app (APPSDK/lib/did_key_gen.dart: prefix d1d603 + the key's JSON, base58btc) and of EBSI."""

from __future__ import annotations

import asyncio
import json

import pytest

from api.credentials import dids, errors, proof
from api.credentials.keys import SigningKey
from tests.support.credentials import CURVES, EBSI_DID_KEY, EBSI_DID_KEY_JWK, ISSUER_ID, NOW
from tests.support.credentials import jwk_jcs_did_key as jcs_did
from trust_ledger.codecs import multibase_encode, varint_encode


def test_ebsi_example_decodes_to_the_published_jwk_and_we_encode_it_back() -> None:
    assert dids.did_key_jwk(EBSI_DID_KEY) == EBSI_DID_KEY_JWK
    assert dids.did_key_jcs(EBSI_DID_KEY_JWK) == EBSI_DID_KEY
    assert dids.is_did_key_jcs(EBSI_DID_KEY) and not dids.is_did_key_jcs(EBSI_DID_KEY.replace("z2", "z3"))
    assert not dids.is_did_key_jcs(dids.did_key(EBSI_DID_KEY_JWK))
    assert not dids.is_did_key_jcs("did:jwk:" + EBSI_DID_KEY.removeprefix("did:key:"))
    holder = dids.resolve_holder_key(EBSI_DID_KEY)
    fingerprint = EBSI_DID_KEY.removeprefix("did:key:")
    assert (holder.did, holder.vm_id, holder.jwk) == (
        EBSI_DID_KEY,
        f"{EBSI_DID_KEY}#{fingerprint}",
        EBSI_DID_KEY_JWK,
    )
    assert dids.resolve_holder_key(f"{EBSI_DID_KEY}#{fingerprint}").jwk == EBSI_DID_KEY_JWK


def test_didkit_does_not_know_jwk_jcs_pub() -> None:
    """Why these did:keys are decoded here only: didkit 0.3.3 has no 0xeb51 (no second source)."""
    with pytest.raises(errors.DidInvalid, match="notFound"):
        asyncio.run(dids.aresolve_did_key(EBSI_DID_KEY))


@pytest.mark.parametrize("curve", CURVES)
def test_round_trip_for_every_holder_curve(curve: str) -> None:
    key = SigningKey.generate(curve)  # type: ignore[arg-type]
    did, kid = dids.holder_did(key.private_jwk(), dids.JWK_JCS_METHOD)
    assert did.startswith("did:key:z") and kid == f"{did}#{did.removeprefix('did:key:')}"
    assert dids.did_key_jwk(did) == key.public_jwk
    holder = dids.resolve_holder_key(kid)
    assert (holder.did, holder.vm_id, holder.jwk) == (did, kid, key.public_jwk)


def test_the_tw_diw_app_writes_its_key_stores_json_not_necessarily_jcs() -> None:
    """did_key_gen.dart prefixes the JSON string the key store returned: another member order (and
    spacing) is the same key."""
    key = SigningKey.generate("P-256")
    did = jcs_did(json.dumps(key.public_jwk).encode())  # kty first, with spaces: not JCS
    assert did != dids.did_key_jcs(key.public_jwk)
    assert dids.resolve_holder_key(did).jwk == key.public_jwk


def test_proof_signed_by_a_jwk_jcs_holder_is_valid() -> None:
    holder = SigningKey.generate("P-256")
    token = proof.create_proof(
        holder, audience=ISSUER_ID, nonce="n-1", issued_at=NOW, binding="did:key:jwk_jcs-pub"
    )
    result = proof.validate_proof(token, issuer_id=ISSUER_ID, nonce="n-1", now=NOW)
    assert result.holder_jwk == holder.public_jwk
    assert result.holder_did == dids.did_key_jcs(holder.public_jwk)


P256 = SigningKey.generate("P-256").public_jwk


@pytest.mark.parametrize(
    ("did", "error", "message"),
    [
        (jcs_did(json.dumps({**P256, "d": "c2VjcmV0"}).encode()), errors.DidInvalid, "private members: d"),
        (jcs_did(b"not json"), errors.DidInvalid, "not JSON"),
        (jcs_did(b'{"kty":"oct","k":"c2VjcmV0"}'), errors.DidInvalid, "private members: k"),
        (jcs_did(b'{"kty":"oct"}'), errors.DidInvalid, "not a public-key type"),
        (jcs_did(json.dumps({**P256, "y": P256["x"]}).encode()), errors.DidInvalid, "jwk_jcs-pub key"),
        (
            jcs_did(b'{"crv":"X25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'),
            errors.DidMethodUnsupported,
            "X25519",
        ),
        (
            "did:key:" + multibase_encode(varint_encode(0x1316) + json.dumps(P256).encode()),  # jwk_jcs-priv
            errors.DidInvalid,
            "secret key",
        ),
    ],
)
def test_jwk_jcs_did_keys_that_hold_no_usable_public_key_are_refused(
    did: str, error: type[errors.DidInvalid], message: str
) -> None:
    with pytest.raises(error, match=message):
        dids.resolve_holder_key(did)

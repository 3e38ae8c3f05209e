"""Signing keys and alg-pinned JWS verification."""

from __future__ import annotations

import json

import pytest
from joserfc import jws
from joserfc.jws import JWSRegistry

from api.credentials import errors
from api.credentials.keys import SIGNING_ALG, ImportedJwk, SigningKey, jwk_thumbprint, read_header, verify_jws
from tests.credentials.forge import flip_signature, hs256_with_public_key, parts, unsigned, with_header
from tests.support.credentials import CURVES, ISSUER_DID


def test_sign_and_verify_round_trip(issuer_key: SigningKey, curve: str) -> None:
    token = issuer_key.sign({"hello": "world"}, {"typ": "JWT"})
    verified = verify_jws(token, issuer_key.public_jwk)
    assert verified.claims() == {"hello": "world"}
    assert verified.header == {"alg": SIGNING_ALG[curve], "kid": f"{ISSUER_DID}#key-1", "typ": "JWT"}


def test_public_jwk_has_no_private_members(issuer_key: SigningKey, curve: str) -> None:
    public = issuer_key.public_jwk
    assert "d" not in public and public["crv"] == curve
    assert set(public) <= {"kty", "crv", "x", "y"}
    assert "d" in issuer_key.private_jwk()


def test_verification_method_is_json_web_key_2020(p256_issuer: SigningKey) -> None:
    vm = p256_issuer.verification_method()
    assert vm == {
        "id": f"{ISSUER_DID}#key-1",
        "type": "JsonWebKey2020",
        "controller": ISSUER_DID,
        "publicKeyJwk": p256_issuer.public_jwk,
    }


def test_default_key_id_is_the_thumbprint() -> None:
    key = SigningKey.generate()
    assert key.key_id == jwk_thumbprint(key.public_jwk)
    assert key.kid == key.key_id and key.alg == "ES256" and key.curve == "P-256"


@pytest.mark.parametrize("curve", CURVES)
def test_private_jwk_reload_signs_for_the_same_public_key(curve: str) -> None:
    key = SigningKey.generate(curve)  # type: ignore[arg-type]
    again = SigningKey.from_jwk(json.dumps(key.private_jwk()), did="did:example:1", key_id="k")
    assert again.public_jwk == key.public_jwk
    verify_jws(again.sign({"a": 1}), key.public_jwk)


def test_loading_a_public_jwk_as_signing_key_is_refused(p256_issuer: SigningKey) -> None:
    with pytest.raises(errors.KeyUnsupported):
        SigningKey.from_jwk(p256_issuer.public_jwk)


def test_header_cannot_override_alg(p256_issuer: SigningKey) -> None:
    with pytest.raises(ValueError, match="alg"):
        p256_issuer.sign({}, {"alg": "HS256"})


def test_tampered_signature_is_signature_invalid(issuer_key: SigningKey) -> None:
    token = issuer_key.sign({"a": 1})
    with pytest.raises(errors.SignatureInvalid) as caught:
        verify_jws(flip_signature(token), issuer_key.public_jwk)
    assert caught.value.reason == "SIGNATURE_INVALID"


def test_other_key_is_signature_invalid(issuer_key: SigningKey, curve: str) -> None:
    other = SigningKey.generate(curve)  # type: ignore[arg-type]
    with pytest.raises(errors.SignatureInvalid):
        verify_jws(issuer_key.sign({"a": 1}), other.public_jwk)


def test_alg_none_is_refused(p256_issuer: SigningKey) -> None:
    with pytest.raises(errors.AlgNone) as caught:
        verify_jws(unsigned({"alg": "none"}, {"a": 1}), p256_issuer.public_jwk)
    assert caught.value.reason == "ALG_NOT_ALLOWED"


def test_hs256_keyed_with_the_public_key_is_refused(issuer_key: SigningKey) -> None:
    token = hs256_with_public_key({"typ": "JWT"}, {"a": 1}, issuer_key.public_jwk)
    assert parts(token)[0]["alg"] == "HS256"
    with pytest.raises(errors.AlgSymmetric) as caught:
        verify_jws(token, issuer_key.public_jwk)
    assert caught.value.reason == "ALG_NOT_ALLOWED"


@pytest.mark.parametrize(
    ("curve", "foreign_alg"), [("P-256", "ES256K"), ("secp256k1", "ES256"), ("Ed25519", "ES256")]
)
def test_alg_of_another_key_type_is_refused(curve: str, foreign_alg: str) -> None:
    key = SigningKey.generate(curve)  # type: ignore[arg-type]
    with pytest.raises(errors.AlgKeyMismatch):
        verify_jws(with_header(key.sign({"a": 1}), alg=foreign_alg), key.public_jwk)


def test_rsa_alg_against_ec_key_is_refused(p256_issuer: SigningKey) -> None:
    with pytest.raises(errors.AlgKeyMismatch):
        verify_jws(with_header(p256_issuer.sign({}), alg="RS256"), p256_issuer.public_jwk)


def test_allow_list_narrows_algs() -> None:
    key = SigningKey.generate("Ed25519")
    token = key.sign({})
    verify_jws(token, key.public_jwk, allowed_algs=["EdDSA"])
    with pytest.raises(errors.AlgKeyMismatch):
        verify_jws(token, key.public_jwk, allowed_algs=["ES256"])


def test_rfc9864_ed25519_alg_name_is_accepted() -> None:
    key = SigningKey.generate("Ed25519")
    token = jws.serialize_compact(
        {"alg": "Ed25519"}, b"{}", key.key, registry=JWSRegistry(algorithms=["Ed25519"])
    )
    assert verify_jws(token, key.public_jwk).header["alg"] == "Ed25519"


def test_verifier_refuses_private_or_symmetric_keys(p256_issuer: SigningKey) -> None:
    token = p256_issuer.sign({})
    with pytest.raises(errors.KeyUnsupported):
        verify_jws(token, p256_issuer.private_jwk())
    with pytest.raises(errors.KeyUnsupported):
        verify_jws(token, {"kty": "oct", "k": "c2VjcmV0"})


@pytest.mark.parametrize("token", ["", "a.b", "not a jws at all", "e30.e30.e30.e30", "!!!.e30.sig"])
def test_malformed_tokens(p256_issuer: SigningKey, token: str) -> None:
    with pytest.raises(errors.MalformedToken):
        verify_jws(token, p256_issuer.public_jwk)


def test_missing_alg_is_malformed(p256_issuer: SigningKey) -> None:
    with pytest.raises(errors.MalformedToken):
        verify_jws(unsigned({"typ": "JWT"}, {}), p256_issuer.public_jwk)


def test_read_header_does_not_verify(p256_issuer: SigningKey) -> None:
    assert read_header(flip_signature(p256_issuer.sign({})))["alg"] == "ES256"


def test_an_imported_jwk_verifies_and_refuses_as_the_jwk_does(issuer_key: SigningKey, curve: str) -> None:
    imported = ImportedJwk(issuer_key.public_jwk)
    assert dict(imported) == issuer_key.public_jwk
    token = issuer_key.sign({"a": 1})
    assert verify_jws(token, imported).claims() == {"a": 1}
    with pytest.raises(errors.SignatureInvalid):
        verify_jws(flip_signature(token), imported)
    with pytest.raises(errors.AlgNone):
        verify_jws(unsigned({"alg": "none"}, {"a": 1}), imported)
    with pytest.raises(errors.AlgSymmetric):
        verify_jws(hs256_with_public_key({"typ": "JWT"}, {"a": 1}, issuer_key.public_jwk), imported)
    foreign = "ES256" if curve != "P-256" else "ES256K"
    with pytest.raises(errors.AlgKeyMismatch):
        verify_jws(with_header(token, alg=foreign), imported)
    with pytest.raises(errors.SignatureInvalid):
        verify_jws(token, ImportedJwk(SigningKey.generate(curve).public_jwk))  # type: ignore[arg-type]
    with pytest.raises(errors.KeyUnsupported):
        ImportedJwk(issuer_key.private_jwk())

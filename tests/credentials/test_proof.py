"""OID4VCI key proofs: wallet-side creation, issuer-side validation with OAuth error codes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api.credentials import dids, errors, proof
from api.credentials.keys import SigningKey
from tests.credentials.forge import flip_signature, hs256_with_public_key, parts, unsigned, with_header
from tests.support.credentials import CURVES, ISSUER_ID, NOW

C_NONCE = "wKI4LT17ac15ES9bw8ac4"


def validate(token: str, **overrides: Any) -> proof.ValidatedProof:
    args: dict[str, Any] = {"issuer_id": ISSUER_ID, "nonce": C_NONCE, "now": NOW}
    return proof.validate_proof(token, **{**args, **overrides})


def make(holder: SigningKey, **overrides: Any) -> str:
    args: dict[str, Any] = {"audience": ISSUER_ID, "nonce": C_NONCE, "issued_at": NOW}
    return proof.create_proof(holder, **{**args, **overrides})


def rejected(token: str, error: type[proof.ProofError], oauth: str = "invalid_proof", **kw: Any) -> Any:
    with pytest.raises(error) as caught:
        validate(token, **kw)
    assert caught.value.oauth_error == oauth
    return caught.value


@pytest.mark.parametrize("curve", CURVES)
def test_jwk_bound_proof_round_trip(curve: str) -> None:
    holder = SigningKey.generate(curve)  # type: ignore[arg-type]
    token = make(holder)
    header, claims, _ = parts(token)
    assert header == {"alg": holder.alg, "typ": "openid4vci-proof+jwt", "jwk": holder.public_jwk}
    assert claims == {"aud": ISSUER_ID, "iat": NOW, "nonce": C_NONCE}
    result = validate(token)
    assert result.holder_jwk == holder.public_jwk and result.holder_did is None


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("binding", ["did:jwk", "did:key"])
def test_did_bound_proof_round_trip(curve: str, binding: str) -> None:
    holder = SigningKey.generate(curve)  # type: ignore[arg-type]
    token = make(holder, binding=binding)
    header = parts(token)[0]
    assert "jwk" not in header and header["kid"].startswith(binding + ":")
    result = validate(token)
    assert result.holder_jwk == holder.public_jwk
    assert result.holder_did == header["kid"].partition("#")[0]


def test_did_key_proof_validated_inside_an_event_loop() -> None:
    holder = SigningKey.generate("P-256")
    token = make(holder, binding="did:key")

    async def endpoint() -> proof.ValidatedProof:
        return validate(token)

    assert asyncio.run(endpoint()).holder_jwk == holder.public_jwk


def test_client_id_becomes_iss_and_is_checked() -> None:
    holder = SigningKey.generate()
    token = make(holder, client_id="wallet-1")
    assert validate(token, client_id="wallet-1").claims["iss"] == "wallet-1"
    rejected(token, proof.ProofIssuerInvalid, client_id="wallet-2")


def test_nonce_predicate_for_a_nonce_store() -> None:
    holder = SigningKey.generate()
    issued = {C_NONCE}
    assert validate(make(holder), nonce=issued.__contains__)
    error = rejected(make(holder), proof.ProofNonceInvalid, "invalid_nonce", nonce=set().__contains__)
    assert error.reason == "NONCE_MISMATCH"


def test_no_nonce_endpoint_means_no_nonce_needed() -> None:
    assert validate(make(SigningKey.generate(), nonce=None), nonce=None)


# --- invalid_nonce ---------------------------------------------------------------------------


def test_wrong_nonce_is_invalid_nonce() -> None:
    rejected(make(SigningKey.generate(), nonce="old-nonce"), proof.ProofNonceInvalid, "invalid_nonce")


def test_missing_nonce_is_invalid_proof() -> None:
    rejected(make(SigningKey.generate(), nonce=None), proof.ProofNonceMissing, "invalid_proof")


# --- invalid_proof -----------------------------------------------------------------------------


@pytest.mark.parametrize("typ", [None, "JWT", "openid4vci-proof+JWT", "kb+jwt"])
def test_wrong_typ(typ: str | None) -> None:
    holder = SigningKey.generate()
    header = {"jwk": holder.public_jwk, **({"typ": typ} if typ else {})}
    token = holder.sign({"aud": ISSUER_ID, "iat": NOW, "nonce": C_NONCE}, header, include_kid=False)
    assert rejected(token, proof.ProofTypInvalid).reason == "TYP_INVALID"


def test_alg_none() -> None:
    holder = SigningKey.generate()
    header, claims, _ = parts(make(holder))
    error = rejected(unsigned({**header, "alg": "none"}, claims), proof.ProofAlgNotAllowed)
    assert isinstance(error, errors.AlgNotAllowed) and error.reason == "ALG_NOT_ALLOWED"


def test_hs256_with_the_public_key_as_secret() -> None:
    holder = SigningKey.generate()
    header, claims, _ = parts(make(holder))
    rejected(hs256_with_public_key(header, claims, holder.public_jwk), proof.ProofAlgNotAllowed)


def test_alg_not_matching_the_header_key() -> None:
    holder = SigningKey.generate("P-256")
    rejected(with_header(make(holder), alg="EdDSA"), proof.ProofAlgNotAllowed)
    rejected(make(holder), proof.ProofAlgNotAllowed, allowed_algs=["EdDSA"])


def test_tampered_signature() -> None:
    error = rejected(flip_signature(make(SigningKey.generate("Ed25519"))), proof.ProofSignatureInvalid)
    assert error.reason == "SIGNATURE_INVALID"


def test_signed_by_a_key_other_than_the_header_key() -> None:
    holder, other = SigningKey.generate(), SigningKey.generate()
    rejected(with_header(make(holder), jwk=other.public_jwk), proof.ProofSignatureInvalid)


def test_kid_did_of_another_holder() -> None:
    holder, other = SigningKey.generate(), SigningKey.generate()
    _did, kid = dids.holder_did(other.public_jwk, "jwk")
    rejected(with_header(make(holder, binding="did:jwk"), kid=kid), proof.ProofSignatureInvalid)


def test_wrong_audience() -> None:
    error = rejected(make(SigningKey.generate(), audience="https://evil.test"), proof.ProofAudienceInvalid)
    assert error.reason == "AUDIENCE_MISMATCH"


@pytest.mark.parametrize("offset", [-301, 301])
def test_iat_outside_the_window(offset: int) -> None:
    error = rejected(make(SigningKey.generate(), issued_at=NOW + offset), proof.ProofIatInvalid)
    assert error.reason == "IAT_INVALID"


def test_iat_window_is_configurable() -> None:
    token = make(SigningKey.generate(), issued_at=NOW - 200)
    assert validate(token)
    rejected(token, proof.ProofIatInvalid, window=60)


def test_missing_iat() -> None:
    holder = SigningKey.generate()
    token = holder.sign(
        {"aud": ISSUER_ID, "nonce": C_NONCE},
        {"typ": proof.PROOF_TYP, "jwk": holder.public_jwk},
        include_kid=False,
    )
    rejected(token, proof.ProofIatInvalid)


def test_private_key_in_the_header() -> None:
    holder = SigningKey.generate()
    error = rejected(with_header(make(holder), jwk=holder.private_jwk()), proof.ProofKeyInvalid)
    assert error.reason == "KEY_UNSUPPORTED"


def test_both_jwk_and_kid_or_neither() -> None:
    holder = SigningKey.generate()
    _did, kid = dids.holder_did(holder.public_jwk, "jwk")
    rejected(with_header(make(holder), kid=kid), proof.ProofKeyInvalid)
    claims = {"aud": ISSUER_ID, "iat": NOW, "nonce": C_NONCE}
    rejected(holder.sign(claims, {"typ": proof.PROOF_TYP}, include_kid=False), proof.ProofKeyInvalid)


def test_x5c_and_unsupported_kid_methods() -> None:
    holder = SigningKey.generate()
    rejected(with_header(make(holder), x5c=["MIIB"]), proof.ProofKeyInvalid)
    token = holder.sign(
        {"aud": ISSUER_ID, "iat": NOW, "nonce": C_NONCE},
        {"typ": proof.PROOF_TYP, "kid": "did:web:wallet.example#key-1"},
        include_kid=False,
    )
    rejected(token, proof.ProofKeyInvalid)


def test_did_key_whose_document_disagrees(monkeypatch: pytest.MonkeyPatch) -> None:
    holder, other = SigningKey.generate(), SigningKey.generate()
    token = make(holder, binding="did:key")
    did = parts(token)[0]["kid"].partition("#")[0]
    document = dids.resolve_did_key(did)
    document["verificationMethod"][0]["publicKeyJwk"] = other.public_jwk
    monkeypatch.setattr(dids, "resolve_did_key", lambda _did: document)
    rejected(token, proof.ProofKeyInvalid)


@pytest.mark.parametrize("token", ["", "abc", "a.b.c"])
def test_malformed(token: str) -> None:
    rejected(token, proof.ProofMalformed)


def test_every_proof_error_is_a_credential_error_with_an_oauth_code() -> None:
    for cls in proof.ProofError.__subclasses__():
        assert issubclass(cls, errors.CredentialError)
        assert cls.oauth_error in ("invalid_proof", "invalid_nonce")
        assert cls.reason != errors.CredentialError.reason

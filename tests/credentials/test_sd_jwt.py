"""SD-JWT VC: both profiles, holder presentation with KB-JWT, every verifier failure reason."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier

from api.credentials import errors
from api.credentials.disclosures import Disclosure, conceal
from api.credentials.kb_jwt import create_kb_jwt
from api.credentials.keys import SigningKey
from api.credentials.sd_jwt import (
    TYP_DC_SD_JWT,
    TYP_VC_SD_JWT,
    IssuedSdJwt,
    SdJwt,
    issue_sd_jwt_vc,
    issue_twdiw_sd_jwt,
    present,
    verify_sd_jwt,
    verify_sd_jwt_vc,
)
from api.credentials.status import status_list_2021_pair, token_status_reference
from tests.credentials.forge import flip_signature, hs256_with_public_key, parts, unsigned, with_payload
from tests.credentials.vectors import (
    RFC9901_A3_KB_AUD,
    RFC9901_A3_KB_IAT,
    RFC9901_A3_KB_NONCE,
    RFC9901_A3_SD_JWT_KB,
    RFC9901_ISSUER_JWK,
)
from tests.support.credentials import CURVES, ISSUER_DID, NOW

VCT = "https://issuer.trust-ledger.test/vct/employee"
SUBJECT = {"given_name": "Mei", "family_name": "Lin", "roles": [{"target": "acme", "names": ["admin"]}]}
AUD = "decentralized_identifier:did:web:verifier.test"
NONCE = "n-0S6_WzA2Mj"
STATUS_URI = "https://issuer.trust-ledger.test/status/1"


def final(issuer: SigningKey, holder: SigningKey, **overrides: Any) -> IssuedSdJwt:
    args: dict[str, Any] = {
        "vct": VCT,
        "claims": SUBJECT,
        "holder_jwk": holder.public_jwk,
        "issued_at": NOW,
        "expires_at": NOW + 3600,
        "status": token_status_reference(42, STATUS_URI),
    }
    return issue_sd_jwt_vc(issuer, **{**args, **overrides})


def twdiw(issuer: SigningKey, holder: SigningKey, **overrides: Any) -> IssuedSdJwt:
    args: dict[str, Any] = {
        "credential_type": "EmployeeCredential",
        "credential_subject": {"name": "林美", "birthDate": "19900101", "employeeId": "E-7"},
        "holder_did": "did:key:zDnaeHolder",
        "holder_jwk": holder.public_jwk,
        "jti": "https://issuer.trust-ledger.test/api/credential/9b7c1f1e-0000-4000-8000-000000000001",
        "credential_status": status_list_2021_pair(
            7, "https://issuer.test/api/status-list/card/r0", "https://issuer.test/api/status-list/card/s0"
        ),
        "credential_schema": {"id": "https://issuer.test/api/schema/card", "type": "JsonSchema"},
        "valid_from": NOW,
        "expires_at": NOW + 3600,
        "nonce": "c-nonce-1",
        "jku": "https://issuer.test/api/keys",
    }
    return issue_twdiw_sd_jwt(issuer, **{**args, **overrides})


def kb(issued: IssuedSdJwt, holder: SigningKey, disclose: list[str] | None = None, **overrides: Any) -> str:
    args: dict[str, Any] = {"audience": AUD, "nonce": NONCE, "issued_at": NOW}
    return present(issued.sd_jwt, disclose=disclose, holder=holder, **{**args, **overrides})


def verify(presentation: str, issuer: SigningKey, **overrides: Any) -> Any:
    args: dict[str, Any] = {"audience": AUD, "nonce": NONCE, "now": NOW + 10}
    return verify_sd_jwt_vc(presentation, issuer.public_jwk, **{**args, **overrides})


# --- issuance shape ---------------------------------------------------------------------------


def test_final_profile_shape(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    issued = final(p256_issuer, holder_key)
    header, payload, _ = parts(SdJwt.parse(issued.sd_jwt).issuer_jwt)
    assert header == {"alg": "ES256", "kid": f"{ISSUER_DID}#key-1", "typ": TYP_DC_SD_JWT}
    assert payload["iss"] == ISSUER_DID and payload["iat"] == payload["nbf"] == NOW
    assert payload["exp"] == NOW + 3600 and payload["vct"] == VCT
    assert payload["cnf"] == {"jwk": holder_key.public_jwk}
    assert payload["status"] == {"status_list": {"idx": 42, "uri": STATUS_URI}}
    assert payload["_sd_alg"] == "sha-256" and len(payload["_sd"]) == len(SUBJECT)
    assert not set(SUBJECT) & set(payload), "every credential field is selectively disclosable"
    assert set(issued.disclosures) == set(SUBJECT)
    assert issued.sd_jwt.endswith("~")


def test_twdiw_profile_shape(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    issued = twdiw(p256_issuer, holder_key)
    header, payload, _ = parts(SdJwt.parse(issued.sd_jwt).issuer_jwt)
    assert header == {
        "alg": "ES256",
        "kid": f"{ISSUER_DID}#key-1",
        "typ": TYP_VC_SD_JWT,
        "jku": "https://issuer.test/api/keys",
    }
    # the official vc-handler's VCDM 1.1 JWT (CredentialPrepareTask, CredentialSignTask), + iat
    assert list(payload) == ["iss", "sub", "iat", "nbf", "exp", "jti", "nonce", "cnf", "vc"]
    assert payload["nonce"] == "c-nonce-1" and payload["cnf"] == {"jwk": holder_key.public_jwk}
    vc = payload["vc"]
    assert list(vc) == ["@context", "type", "credentialSubject", "credentialStatus", "credentialSchema"]
    assert vc["@context"] == ["https://www.w3.org/2018/credentials/v1"]
    assert vc["type"] == ["VerifiableCredential", "EmployeeCredential"]
    assert set(vc["credentialSubject"]) == {"_sd", "_sd_alg"} and len(vc["credentialSubject"]["_sd"]) == 3
    revocation, suspension = vc["credentialStatus"]
    assert revocation["type"] == suspension["type"] == "StatusList2021Entry"
    assert (revocation["statusPurpose"], suspension["statusPurpose"]) == ("revocation", "suspension")
    assert revocation["statusListIndex"] == suspension["statusListIndex"] == "7"
    assert revocation["statusListCredential"] != suspension["statusListCredential"]
    assert vc["credentialSchema"] == {"id": "https://issuer.test/api/schema/card", "type": "JsonSchema"}
    assert twdiw(p256_issuer, holder_key, nonce=None).payload["nonce"], "a nonce is always there"


def test_reserved_claims_cannot_be_credential_fields(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    for name in ("iss", "vct", "cnf", "status", "exp", "_sd"):
        with pytest.raises(ValueError):
            final(p256_issuer, holder_key, claims={name: "x"})


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("holder_curve", CURVES)
def test_final_round_trip_all_key_types(issuer_key: SigningKey, holder_curve: str) -> None:
    holder = SigningKey.generate(holder_curve)  # type: ignore[arg-type]
    result = verify(kb(final(issuer_key, holder), holder, ["given_name", "roles"]), issuer_key)
    assert result.disclosed == {"given_name": "Mei", "roles": SUBJECT["roles"]}
    assert "family_name" not in result.claims
    assert result.claims["vct"] == VCT and result.holder_jwk == holder.public_jwk
    assert result.kb_claims["nonce"] == NONCE and result.typ == TYP_DC_SD_JWT


def test_twdiw_round_trip_all_key_types(issuer_key: SigningKey, holder_key: SigningKey) -> None:
    result = verify(kb(twdiw(issuer_key, holder_key), holder_key, ["name"]), issuer_key)
    assert result.claims["vc"]["credentialSubject"] == {"name": "林美"}
    assert result.disclosed == {"name": "林美"} and result.typ == TYP_VC_SD_JWT
    assert result.claims["vc"]["credentialStatus"][0]["statusListIndex"] == "7"


def test_disclose_nothing(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    result = verify(kb(final(p256_issuer, holder_key), holder_key, []), p256_issuer)
    assert result.disclosed == {}


def test_issuer_key_resolver_gets_header_and_payload(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    seen: list[tuple[str, str]] = []

    def resolve(header: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        seen.append((header["kid"], payload["iss"]))
        return p256_issuer.public_jwk

    presentation = kb(final(p256_issuer, holder_key), holder_key)
    verify_sd_jwt_vc(presentation, resolve, audience=AUD, nonce=NONCE, now=NOW)
    assert seen == [(f"{ISSUER_DID}#key-1", ISSUER_DID)]


def test_without_key_binding_when_not_required(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    issued = final(p256_issuer, holder_key)
    result = verify_sd_jwt_vc(issued.sd_jwt, p256_issuer.public_jwk, require_key_binding=False, now=NOW)
    assert result.kb_claims is None and result.disclosed["family_name"] == "Lin"


def test_present_rejects_unknown_claim_names(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    with pytest.raises(ValueError):
        kb(final(p256_issuer, holder_key), holder_key, ["nope"])


# --- the RFC 9901 vector ------------------------------------------------------------------------


def test_rfc9901_a3_sd_jwt_vc_with_key_binding() -> None:
    result = verify_sd_jwt_vc(
        RFC9901_A3_SD_JWT_KB,
        RFC9901_ISSUER_JWK,
        audience=RFC9901_A3_KB_AUD,
        nonce=RFC9901_A3_KB_NONCE,
        now=RFC9901_A3_KB_IAT,
    )
    assert result.claims["vct"] == "urn:eudi:pid:de:1"
    assert result.claims["age_equal_or_over"] == {"18": True}
    assert result.claims["nationalities"] == ["DE"]
    assert result.kb_claims["sd_hash"] == "OX5C7z5Oqut2faLedsskE9uM6hL-E7rUib_9Yx-asFM"


def test_rfc9901_a3_wrong_nonce_and_audience() -> None:
    with pytest.raises(errors.NonceMismatch):
        verify_sd_jwt_vc(
            RFC9901_A3_SD_JWT_KB,
            RFC9901_ISSUER_JWK,
            audience=RFC9901_A3_KB_AUD,
            nonce="x",
            now=RFC9901_A3_KB_IAT,
        )
    with pytest.raises(errors.AudienceMismatch):
        verify_sd_jwt_vc(
            RFC9901_A3_SD_JWT_KB,
            RFC9901_ISSUER_JWK,
            audience="x",
            nonce=RFC9901_A3_KB_NONCE,
            now=RFC9901_A3_KB_IAT,
        )


# --- failure reasons ----------------------------------------------------------------------------


def _reason(exc: pytest.ExceptionInfo[errors.CredentialError]) -> str:
    return exc.value.reason


def test_tampered_issuer_signature(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    parsed = SdJwt.parse(kb(final(p256_issuer, holder_key), holder_key))
    forged = SdJwt(flip_signature(parsed.issuer_jwt), parsed.disclosures, parsed.kb_jwt).serialize()
    with pytest.raises(errors.SignatureInvalid) as caught:
        verify(forged, p256_issuer)
    assert _reason(caught) == "SIGNATURE_INVALID"


def test_tampered_issuer_payload(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    parsed = SdJwt.parse(final(p256_issuer, holder_key).sd_jwt)
    forged = SdJwt(with_payload(parsed.issuer_jwt, exp=NOW + 10**6), parsed.disclosures).serialize()
    with pytest.raises(errors.SignatureInvalid):
        verify_sd_jwt_vc(forged, p256_issuer.public_jwk, require_key_binding=False, now=NOW)


def test_issuer_alg_none(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    parsed = SdJwt.parse(final(p256_issuer, holder_key).sd_jwt)
    header, payload, _ = parts(parsed.issuer_jwt)
    forged = SdJwt(unsigned({**header, "alg": "none"}, payload), parsed.disclosures).serialize()
    with pytest.raises(errors.AlgNone) as caught:
        verify_sd_jwt_vc(forged, p256_issuer.public_jwk, require_key_binding=False, now=NOW)
    assert _reason(caught) == "ALG_NOT_ALLOWED"


def test_issuer_hs256_with_public_key(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    parsed = SdJwt.parse(final(p256_issuer, holder_key).sd_jwt)
    header, payload, _ = parts(parsed.issuer_jwt)
    forged = SdJwt(hs256_with_public_key(header, payload, p256_issuer.public_jwk), parsed.disclosures)
    with pytest.raises(errors.AlgSymmetric):
        verify_sd_jwt_vc(forged.serialize(), p256_issuer.public_jwk, require_key_binding=False, now=NOW)


def test_disclosure_tampered(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    issued = final(p256_issuer, holder_key)
    original = Disclosure.parse(issued.disclosures["family_name"])
    tampered = Disclosure.create("family_name", "Wang", salt=original.salt).encoded
    parsed = SdJwt.parse(issued.sd_jwt)
    forged = SdJwt(parsed.issuer_jwt, (tampered,)).presented
    presentation = forged + create_kb_jwt(holder_key, forged, audience=AUD, nonce=NONCE, issued_at=NOW)
    with pytest.raises(errors.DisclosureMismatch) as caught:
        verify(presentation, p256_issuer)
    assert _reason(caught) == "DISCLOSURE_MISMATCH"


def test_disclosure_from_another_credential(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    mine, other = final(p256_issuer, holder_key), final(p256_issuer, holder_key)
    parsed = SdJwt.parse(mine.sd_jwt)
    forged = SdJwt(parsed.issuer_jwt, (other.disclosures["given_name"],)).presented
    presentation = forged + create_kb_jwt(holder_key, forged, audience=AUD, nonce=NONCE, issued_at=NOW)
    with pytest.raises(errors.DisclosureMismatch):
        verify(presentation, p256_issuer)


def test_protected_claim_sent_as_disclosure_is_rejected(
    p256_issuer: SigningKey, holder_key: SigningKey
) -> None:
    """A (mis)issued token whose vct is selectively disclosable: SD-JWT VC forbids it."""
    concealed, disclosures = conceal({"vct": VCT, "given_name": "Mei"})
    payload = {
        "iss": ISSUER_DID,
        "iat": NOW,
        "exp": NOW + 60,
        "cnf": {"jwk": holder_key.public_jwk},
        **concealed,
    }
    token = p256_issuer.sign(payload, {"typ": TYP_DC_SD_JWT})
    sd_jwt = SdJwt(token, tuple(d.encoded for d in disclosures)).serialize()
    with pytest.raises(errors.DisclosureMismatch, match="vct"):
        verify(kb(IssuedSdJwt(sd_jwt, payload, {}), holder_key), p256_issuer)


def test_kb_jwt_by_another_key(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    thief = SigningKey.generate("P-256")
    with pytest.raises(errors.HolderBindingInvalid) as caught:
        verify(kb(final(p256_issuer, holder_key), thief), p256_issuer)
    assert _reason(caught) == "HOLDER_BINDING_INVALID"


def test_kb_jwt_missing(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    with pytest.raises(errors.HolderBindingMissing) as caught:
        verify(final(p256_issuer, holder_key).sd_jwt, p256_issuer)
    assert isinstance(caught.value, errors.HolderBindingInvalid)


def test_kb_jwt_alg_none(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    parsed = SdJwt.parse(kb(final(p256_issuer, holder_key), holder_key))
    header, payload, _ = parts(parsed.kb_jwt or "")
    forged = SdJwt(parsed.issuer_jwt, parsed.disclosures, unsigned({**header, "alg": "none"}, payload))
    with pytest.raises(errors.AlgNone):
        verify(forged.serialize(), p256_issuer)


def test_kb_jwt_wrong_typ(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    issued = final(p256_issuer, holder_key)
    body = {"iat": NOW, "aud": AUD, "nonce": NONCE, "sd_hash": "x"}
    presentation = issued.sd_jwt + holder_key.sign(body, {"typ": "JWT"}, include_kid=False)
    with pytest.raises(errors.TypInvalid):
        verify(presentation, p256_issuer)


def test_wrong_nonce(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    with pytest.raises(errors.NonceMismatch) as caught:
        verify(kb(final(p256_issuer, holder_key), holder_key, nonce="replayed"), p256_issuer)
    assert _reason(caught) == "NONCE_MISMATCH"


def test_wrong_audience(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    """The unprefixed client_id is a different audience (OID4VP binds to the full prefixed id)."""
    with pytest.raises(errors.AudienceMismatch) as caught:
        verify(kb(final(p256_issuer, holder_key), holder_key, audience="did:web:verifier.test"), p256_issuer)
    assert _reason(caught) == "AUDIENCE_MISMATCH"


def test_stale_and_future_kb_iat(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    issued = final(p256_issuer, holder_key)
    with pytest.raises(errors.IatInvalid):
        verify(kb(issued, holder_key, issued_at=NOW - 600), p256_issuer)
    with pytest.raises(errors.IatInvalid):
        verify(kb(issued, holder_key, issued_at=NOW + 600), p256_issuer)


def test_sd_hash_mismatch_when_a_disclosure_is_dropped_after_binding(
    p256_issuer: SigningKey, holder_key: SigningKey
) -> None:
    parsed = SdJwt.parse(kb(final(p256_issuer, holder_key), holder_key, ["given_name", "family_name"]))
    forged = SdJwt(parsed.issuer_jwt, parsed.disclosures[:1], parsed.kb_jwt).serialize()
    with pytest.raises(errors.SdHashMismatch) as caught:
        verify(forged, p256_issuer)
    assert _reason(caught) == "SD_HASH_MISMATCH"


def test_expired(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    issued = final(p256_issuer, holder_key, expires_at=NOW - 3600, issued_at=NOW - 7200)
    with pytest.raises(errors.Expired) as caught:
        verify(kb(issued, holder_key), p256_issuer)
    assert _reason(caught) == "EXPIRED"


def test_not_yet_valid(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    issued = final(p256_issuer, holder_key, valid_from=NOW + 3600, expires_at=NOW + 7200)
    with pytest.raises(errors.NotYetValid) as caught:
        verify(kb(issued, holder_key), p256_issuer)
    assert _reason(caught) == "NOT_YET_VALID"


def test_wrong_typ_and_wrong_issuer(p256_issuer: SigningKey, holder_key: SigningKey) -> None:
    presentation = kb(final(p256_issuer, holder_key), holder_key)
    with pytest.raises(errors.TypInvalid):
        verify(presentation, p256_issuer, allowed_typs=(TYP_VC_SD_JWT,))
    with pytest.raises(errors.IssuerMismatch):
        verify(presentation, p256_issuer, expected_issuer="did:web:someone-else.test")
    with pytest.raises(errors.TypInvalid):
        verify_sd_jwt(
            presentation, p256_issuer.public_jwk, audience=AUD, nonce=NONCE, now=NOW, allowed_typs=["x"]
        )


@pytest.mark.parametrize("text", ["", "no-tilde", "~~", "a~~b~"])
def test_malformed_sd_jwt(p256_issuer: SigningKey, text: str) -> None:
    with pytest.raises(errors.MalformedToken):
        verify(text, p256_issuer)


# --- the sd-jwt reference implementation as an independent verifier ----------------------------


def _reference_verify(presentation: str, issuer: SigningKey, holder: SigningKey) -> dict[str, Any]:
    issuer_jwk = JWK.from_json(json.dumps(issuer.public_jwk))
    verifier = SDJWTVerifier(presentation, lambda _iss, _header: issuer_jwk)
    # Its KB-JWT check defaults to ES256; pass the holder's alg explicitly.
    verifier._verify_key_binding_jwt(AUD, NONCE, sign_alg=holder.alg)
    return verifier.get_verified_payload()


@pytest.mark.parametrize("holder_curve", CURVES)
def test_reference_implementation_verifies_final_profile(issuer_key: SigningKey, holder_curve: str) -> None:
    holder = SigningKey.generate(holder_curve)  # type: ignore[arg-type]
    payload = _reference_verify(
        kb(final(issuer_key, holder), holder, ["given_name", "roles"]), issuer_key, holder
    )
    assert payload["given_name"] == "Mei" and payload["roles"] == SUBJECT["roles"]
    assert "family_name" not in payload and payload["vct"] == VCT


def test_reference_implementation_verifies_twdiw_profile(
    issuer_key: SigningKey, holder_key: SigningKey
) -> None:
    payload = _reference_verify(
        kb(twdiw(issuer_key, holder_key), holder_key, ["name"]), issuer_key, holder_key
    )
    assert payload["vc"]["credentialSubject"] == {"name": "林美"}
    assert payload["vc"]["credentialStatus"][1]["statusPurpose"] == "suspension"


def test_reference_implementation_checks_its_default_key_binding(
    p256_issuer: SigningKey, holder_key: SigningKey
) -> None:
    issuer_jwk = JWK.from_json(json.dumps(p256_issuer.public_jwk))
    presentation = kb(final(p256_issuer, holder_key), holder_key)
    verifier = SDJWTVerifier(presentation, lambda _i, _h: issuer_jwk, expected_aud=AUD, expected_nonce=NONCE)
    assert verifier.get_verified_payload()["family_name"] == "Lin"
    with pytest.raises(ValueError, match="nonce"):
        SDJWTVerifier(presentation, lambda _i, _h: issuer_jwk, expected_aud=AUD, expected_nonce="other")

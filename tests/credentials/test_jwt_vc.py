"""jwt_vc_json credentials and the holder's VP-JWT."""

from __future__ import annotations

from typing import Any

import pytest

from api.credentials import dids, errors
from api.credentials.jwt_vc import VCDM1_CONTEXT, create_vp_jwt, issue_jwt_vc, verify_jwt_vc, verify_vp_jwt
from api.credentials.keys import SigningKey
from api.credentials.status import bitstring_status_entry
from tests.credentials.forge import flip_signature, parts, unsigned, with_payload
from tests.support.credentials import CURVES, ISSUER_DID, NOW

AUD = "decentralized_identifier:did:web:verifier.test"
NONCE = "vp-nonce-123"
STATUS = bitstring_status_entry(94567, "https://issuer.trust-ledger.test/status/3")


def holder_for(curve: str, method: str = "jwk") -> SigningKey:
    key = SigningKey.generate(curve)  # type: ignore[arg-type]
    did, kid = dids.holder_did(key.public_jwk, method)
    return SigningKey(key=key.key, key_id=kid.partition("#")[2], did=did)


def credential(issuer: SigningKey, holder: SigningKey, **overrides: Any) -> str:
    args: dict[str, Any] = {
        "holder_did": holder.did,
        "types": ["EmployeeCredential"],
        "credential_subject": {"roles": [{"target": "acme", "names": ["admin"]}]},
        "valid_from": NOW,
        "expires_at": NOW + 3600,
        "credential_status": STATUS,
    }
    return issue_jwt_vc(issuer, **{**args, **overrides})


def vp(holder: SigningKey, *tokens: str, **overrides: Any) -> str:
    args: dict[str, Any] = {"audience": AUD, "nonce": NONCE, "issued_at": NOW}
    return create_vp_jwt(holder, list(tokens), **{**args, **overrides})


def verify(presentation: str, issuer: SigningKey, **overrides: Any) -> Any:
    args: dict[str, Any] = {"audience": AUD, "nonce": NONCE, "now": NOW + 5}
    return verify_vp_jwt(presentation, issuer.public_jwk, **{**args, **overrides})


def test_credential_shape(p256_issuer: SigningKey) -> None:
    holder = holder_for("P-256")
    header, claims, _ = parts(credential(p256_issuer, holder, jti="urn:uuid:1234"))
    assert header == {"alg": "ES256", "kid": f"{ISSUER_DID}#key-1", "typ": "JWT"}
    assert (claims["iss"], claims["sub"], claims["nbf"], claims["exp"], claims["jti"]) == (
        ISSUER_DID,
        holder.did,
        NOW,
        NOW + 3600,
        "urn:uuid:1234",
    )
    vc = claims["vc"]
    assert vc["@context"][0] == VCDM1_CONTEXT
    assert vc["type"] == ["VerifiableCredential", "EmployeeCredential"]
    assert vc["credentialSubject"]["id"] == holder.did and vc["issuer"] == ISSUER_DID
    assert vc["issuanceDate"] == "2027-01-15T08:00:00Z" and vc["id"] == "urn:uuid:1234"
    assert vc["expirationDate"] == "2027-01-15T09:00:00Z"
    assert vc["credentialStatus"] == STATUS and STATUS["statusListIndex"] == "94567"


@pytest.mark.parametrize("holder_curve", CURVES)
@pytest.mark.parametrize("method", ["jwk", "key"])
def test_vp_round_trip(issuer_key: SigningKey, holder_curve: str, method: str) -> None:
    holder = holder_for(holder_curve, method)
    result = verify(vp(holder, credential(issuer_key, holder)), issuer_key)
    assert result.holder == holder.did
    [only] = result.credentials
    assert only.holder == holder.did and only.credential["credentialSubject"]["roles"][0]["target"] == "acme"


def test_credential_alone_verifies(issuer_key: SigningKey) -> None:
    holder = holder_for("Ed25519")
    verified = verify_jwt_vc(
        credential(issuer_key, holder), issuer_key.public_jwk, now=NOW, expected_issuer=ISSUER_DID
    )
    assert verified.claims["iss"] == ISSUER_DID


def test_wrong_nonce_audience_and_stale_iat(p256_issuer: SigningKey) -> None:
    holder = holder_for("P-256")
    token = credential(p256_issuer, holder)
    with pytest.raises(errors.NonceMismatch):
        verify(vp(holder, token, nonce="other"), p256_issuer)
    with pytest.raises(errors.AudienceMismatch):
        verify(vp(holder, token, audience="did:web:verifier.test"), p256_issuer)
    with pytest.raises(errors.IatInvalid):
        verify(vp(holder, token, issued_at=NOW - 1000, lifetime=5000), p256_issuer)


def test_vp_signed_by_another_key_than_its_kid(p256_issuer: SigningKey) -> None:
    holder, thief = holder_for("P-256"), holder_for("P-256")
    impostor = SigningKey(key=thief.key, key_id=holder.key_id, did=holder.did)
    with pytest.raises(errors.HolderBindingInvalid):
        verify(vp(impostor, credential(p256_issuer, holder)), p256_issuer)


def test_credential_of_another_holder(p256_issuer: SigningKey) -> None:
    holder, thief = holder_for("P-256"), holder_for("P-256")
    with pytest.raises(errors.HolderBindingInvalid, match="sub"):
        verify(vp(thief, credential(p256_issuer, holder)), p256_issuer)


def test_vp_alg_none(p256_issuer: SigningKey) -> None:
    holder = holder_for("P-256")
    header, claims, _ = parts(vp(holder, credential(p256_issuer, holder)))
    with pytest.raises(errors.AlgNone):
        verify(unsigned({**header, "alg": "none"}, claims), p256_issuer)


def test_tampered_or_forged_credential(p256_issuer: SigningKey) -> None:
    holder = holder_for("P-256")
    token = credential(p256_issuer, holder)
    with pytest.raises(errors.SignatureInvalid):
        verify(vp(holder, flip_signature(token)), p256_issuer)
    with pytest.raises(errors.SignatureInvalid):
        verify(vp(holder, with_payload(token, exp=NOW + 10**8)), p256_issuer)
    other_issuer = SigningKey.generate("P-256", did=ISSUER_DID, key_id="key-1")
    with pytest.raises(errors.SignatureInvalid):
        verify(vp(holder, credential(other_issuer, holder)), p256_issuer)


def test_expired_and_not_yet_valid_credentials(p256_issuer: SigningKey) -> None:
    holder = holder_for("P-256")
    with pytest.raises(errors.Expired):
        verify(
            vp(holder, credential(p256_issuer, holder, valid_from=NOW - 7200, expires_at=NOW - 3600)),
            p256_issuer,
        )
    with pytest.raises(errors.NotYetValid):
        verify(
            vp(holder, credential(p256_issuer, holder, valid_from=NOW + 3600, expires_at=NOW + 7200)),
            p256_issuer,
        )


def test_expired_vp(p256_issuer: SigningKey) -> None:
    holder = holder_for("P-256")
    with pytest.raises(errors.Expired):
        verify(vp(holder, credential(p256_issuer, holder), lifetime=1), p256_issuer, now=NOW + 120)


def test_issuer_mismatch_and_bad_typ(p256_issuer: SigningKey) -> None:
    holder = holder_for("P-256")
    token = credential(p256_issuer, holder)
    with pytest.raises(errors.IssuerMismatch):
        verify_jwt_vc(token, p256_issuer.public_jwk, now=NOW, expected_issuer="did:web:other.test")
    retyped = p256_issuer.sign(parts(token)[1], {"typ": "vc+sd-jwt"})
    with pytest.raises(errors.TypInvalid):
        verify_jwt_vc(retyped, p256_issuer.public_jwk, now=NOW)
    forged_issuer = p256_issuer.sign(
        {**parts(token)[1], "vc": {**parts(token)[1]["vc"], "issuer": "did:x:y"}}
    )
    with pytest.raises(errors.IssuerMismatch):
        verify_jwt_vc(forged_issuer, p256_issuer.public_jwk, now=NOW)


def test_issuer_key_resolver(p256_issuer: SigningKey) -> None:
    holder = holder_for("Ed25519", "key")
    kids: list[str] = []

    def resolve(header: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        kids.append(header["kid"])
        assert payload["iss"] == ISSUER_DID
        return p256_issuer.public_jwk

    verify_vp_jwt(vp(holder, credential(p256_issuer, holder)), resolve, audience=AUD, nonce=NONCE, now=NOW)
    assert kids == [f"{ISSUER_DID}#key-1"]


def test_a_vcdm_2_body_in_a_vc_claim_is_not_jwt_vc_json(p256_issuer: SigningKey) -> None:
    """jwt_vc_json is VCDM 1.1 (OID4VCI 1.0 Appendix A.1.1); a VCDM 2.0 body belongs in VC-JOSE-COSE,
    which has no `vc` claim. What we issued before issue 16 is refused, signed by the right key."""
    holder = holder_for("P-256")
    _header, claims, _ = parts(credential(p256_issuer, holder))
    vc = {**claims["vc"], "@context": ["https://www.w3.org/ns/credentials/v2"]}
    token = p256_issuer.sign({**claims, "vc": vc}, {"typ": "JWT"})
    with pytest.raises(errors.ClaimMissing, match=r"VCDM 1\.1"):
        verify_jwt_vc(token, p256_issuer.public_jwk, now=NOW + 5)

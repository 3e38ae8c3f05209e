"""Signed status list credentials: verified with joserfc, decoded back to the chain's bitstring."""

from __future__ import annotations

import random

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError
from joserfc.jwk import ECKey

from api.status.encodings import MIN_ENTRIES, bit, bitstring_with, decode_ietf, decode_twdiw, decode_w3c
from api.status.publication import (
    MEDIA_TYPE_JWT,
    MEDIA_TYPE_STATUSLIST_JWT,
    MEDIA_TYPE_VC_JWT,
    ietf_token,
    publish,
    status_list_2021_credential,
    twdiw_credential,
    w3c_credential,
)
from api.status.signing import JwsSigner, LocalEcSigner
from projections.api import StatusListVersion

ISSUER = "did:example:issuer"
URI = "https://issuer.example/status-list/EmployeeCredential/r1"
NOW = 1_767_225_600  # 2026-01-01T00:00:00Z
SET = sorted(random.Random("publication").sample(range(MIN_ENTRIES), 1_311))


@pytest.fixture(scope="module")
def signer() -> LocalEcSigner:
    return LocalEcSigner.generate(ISSUER)


def _version(
    size: int = MIN_ENTRIES, indices: list[int] = SET, purpose: str = "revocation"
) -> StatusListVersion:
    return StatusListVersion(
        list_id=7,
        owner_did=ISSUER,
        purpose=purpose,
        size=size,
        uri=URI,
        bitstring=bitstring_with(size, indices),
        block_number=42,
        block_time=NOW - 60,
        tx_hash="0x" + "ab" * 32,
    )


def _verify(token: str, signer: LocalEcSigner) -> jwt.Token:
    return jwt.decode(token, signer.public_key(), algorithms=["ES256"])


def test_local_signer_is_a_jws_signer_with_a_did_url_kid(signer: LocalEcSigner) -> None:
    assert isinstance(signer, JwsSigner)
    assert signer.kid.startswith(ISSUER + "#")
    assert signer.alg == "ES256"
    assert "d" not in signer.public_jwk() and signer.public_jwk()["crv"] == "P-256"


def test_w3c_bitstring_status_list_credential_as_vc_jwt(signer: LocalEcSigner) -> None:
    published = w3c_credential(_version(), signer, now=NOW, ttl=300)
    token = _verify(published.token, signer)

    assert token.header == {"typ": "vc+jwt", "alg": "ES256", "kid": signer.kid}
    vc = token.claims
    assert vc["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert vc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert vc["id"] == URI
    assert vc["issuer"] == vc["iss"] == ISSUER
    assert (vc["validFrom"], vc["validUntil"]) == ("2026-01-01T00:00:00Z", "2026-01-01T00:10:00Z")
    assert (vc["iat"], vc["exp"]) == (NOW, NOW + 600)
    assert "vc" not in vc, "VCDM 2.0 JWTs carry the credential itself as the payload"
    subject = vc["credentialSubject"]
    assert subject["id"] == URI + "#list"
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert subject["ttl"] == 300_000  # milliseconds
    assert subject["encodedList"].startswith("u")
    assert decode_w3c(subject["encodedList"]) == _version().bitstring

    assert published.media_type == MEDIA_TYPE_VC_JWT == "application/vc+jwt"
    assert (published.list_id, published.uri, published.purpose) == (7, URI, "revocation")
    assert (published.issued_at, published.expires_at, published.block_number) == (NOW, NOW + 600, 42)
    assert published.cache_control() == "public, max-age=300"


def test_ietf_status_list_token(signer: LocalEcSigner) -> None:
    published = ietf_token(_version(purpose="suspension"), signer, now=NOW, ttl=43_200, validity=86_400)
    token = _verify(published.token, signer)

    assert token.header == {"typ": "statuslist+jwt", "alg": "ES256", "kid": signer.kid}
    claims = token.claims
    assert claims["sub"] == URI
    assert (claims["iat"], claims["exp"], claims["ttl"]) == (NOW, NOW + 86_400, 43_200)  # ttl in seconds
    assert claims["status_list"]["bits"] == 1
    assert set(claims["status_list"]) == {"bits", "lst"}
    assert decode_ietf(claims["status_list"]["lst"]) == _version().bitstring
    assert published.media_type == MEDIA_TYPE_STATUSLIST_JWT == "application/statuslist+jwt"
    # Valid per RFC 7519 while fresh, expired after `exp`.
    registry = jwt.JWTClaimsRegistry(
        now=NOW + 60, sub={"essential": True, "value": URI}, iat={"essential": True}
    )
    registry.validate(claims)
    with pytest.raises(ExpiredTokenError):
        jwt.JWTClaimsRegistry(now=NOW + 86_401).validate(claims)


def test_twdiw_status_list_2021_credential_as_vcdm11_jwt(signer: LocalEcSigner) -> None:
    published = twdiw_credential(_version(purpose="suspension"), signer, now=NOW, ttl=300, validity=3_600)
    token = _verify(published.token, signer)

    assert token.header["typ"] == "JWT" and "jku" not in token.header
    claims = token.claims
    assert (claims["iss"], claims["jti"], claims["sub"]) == (ISSUER, URI, URI + "#list")
    # nbf a minute early: the official verifier wants nbf strictly before its own clock
    assert (claims["nbf"], claims["iat"], claims["exp"]) == (NOW - 60, NOW, NOW + 3_600)
    assert isinstance(claims["nonce"], str) and claims["nonce"]  # StatusListValidateTask needs one
    with_jku = twdiw_credential(_version(), signer, now=NOW, jku="https://issuer.test/api/keys")
    assert _verify(with_jku.token, signer).header["jku"] == "https://issuer.test/api/keys"
    vc = claims["vc"]
    assert vc["@context"][0] == "https://www.w3.org/2018/credentials/v1"
    assert vc["type"] == ["VerifiableCredential", "StatusList2021Credential"]
    assert (vc["issuanceDate"], vc["expirationDate"]) == ("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z")
    subject = vc["credentialSubject"]
    assert subject["type"] == "StatusList2021"
    assert subject["statusPurpose"] == "suspension"
    encoded = subject["encodedList"]
    assert encoded.startswith("H4sI") and len(encoded) % 4 == 0  # standard Base64, padded, no 'u'
    assert decode_twdiw(encoded) == _version().bitstring
    assert published.media_type == MEDIA_TYPE_JWT


def test_status_list_2021_credential_as_the_ccg_report_writes_it(signer: LocalEcSigner) -> None:
    """What a jwt_vc_json card's W3C URL serves (issue 16 item 7): base64url encodedList without
    padding or prefix (the report's example), no TW DIW jku or nonce; `id` the URL it is served at."""
    url = URI + "/w3c"
    published = status_list_2021_credential(_version(), signer, url=url, now=NOW, validity=3_600)
    assert publish(_version(), signer, "sl2021", url=url).profile == "sl2021"
    token = _verify(published.token, signer)
    assert token.header == {"typ": "JWT", "alg": token.header["alg"], "kid": token.header["kid"]}
    claims = token.claims
    assert (claims["iss"], claims["jti"], claims["sub"]) == (ISSUER, url, url + "#list")
    assert (claims["nbf"], claims["exp"]) == (NOW, NOW + 3_600) and "nonce" not in claims
    vc = claims["vc"]
    assert vc["id"] == url and vc["type"] == ["VerifiableCredential", "StatusList2021Credential"]
    encoded = vc["credentialSubject"]["encodedList"]
    assert encoded.startswith("H4sI") and not {"+", "/", "="} & set(encoded)
    assert decode_w3c(encoded) == _version().bitstring
    assert (published.profile, published.media_type) == ("sl2021", MEDIA_TYPE_JWT)


def test_short_chain_lists_are_padded_to_the_minimum_except_in_the_ietf_token(signer: LocalEcSigner) -> None:
    version = _version(size=256, indices=[0, 5, 255])
    w3c = _verify(publish(version, signer, "w3c", now=NOW).token, signer).claims
    twdiw = _verify(publish(version, signer, "twdiw", now=NOW).token, signer).claims
    ietf = _verify(publish(version, signer, "ietf", now=NOW).token, signer).claims

    for encoded, decode in (
        (w3c["credentialSubject"]["encodedList"], decode_w3c),
        (twdiw["vc"]["credentialSubject"]["encodedList"], decode_twdiw),
    ):
        bits = decode(encoded)
        assert len(bits) * 8 == MIN_ENTRIES
        assert [bit(bits, i) for i in (0, 1, 5, 255, 256, MIN_ENTRIES - 1)] == [1, 0, 1, 1, 0, 0]
    assert decode_ietf(ietf["status_list"]["lst"]) == version.bitstring  # 256 entries as on chain


def test_a_token_signed_by_another_key_does_not_verify(signer: LocalEcSigner) -> None:
    impostor = LocalEcSigner(ECKey.generate_key("P-256"), ISSUER, kid=signer.kid)
    token = publish(_version(), impostor, "ietf", now=NOW).token
    with pytest.raises(BadSignatureError):
        _verify(token, signer)


def test_bad_options_are_refused(signer: LocalEcSigner) -> None:
    with pytest.raises(ValueError, match="unknown status list profile"):
        publish(_version(), signer, "ldp")
    with pytest.raises(ValueError, match="validity must be at least the ttl"):
        w3c_credential(_version(), signer, ttl=600, validity=60)
    with pytest.raises(ValueError, match="unknown status purpose"):
        ietf_token(_version(purpose="message"), signer)

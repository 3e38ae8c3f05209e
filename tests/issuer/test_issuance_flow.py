"""End to end: DWVC-101 -> the reference wallet collects over OID4VCI -> DWVC-201 -> DWVC-301 ->
the published status lists show it (both formats, and the TW DIW profile)."""

from __future__ import annotations

import base64
import json
from typing import Any

from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier

from api.credentials.dids import resolve_holder_key
from api.credentials.jwt_vc import verify_jwt_vc
from api.credentials.keys import read_payload, verify_jws
from api.credentials.sd_jwt import SdJwt, verify_sd_jwt_vc
from api.status.encodings import (
    INVALID,
    SUSPENDED,
    VALID,
    bit,
    decode_ietf,
    decode_twdiw,
    decode_w3c,
    token_status,
)
from api.wallet import Wallet
from tests.support.issuer import ISSUER_DID, RunningIssuer


def _list(issuer: RunningIssuer, url: str, accept: str) -> dict[str, Any]:
    response = issuer.api("GET", url.removeprefix(issuer.url), headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(accept)
    return verify_jws(response.text, issuer.key.public_jwk).claims()


def _w3c_bit(issuer: RunningIssuer, url: str, index: int) -> int:
    claims = _list(issuer, url, "application/vc+jwt")
    assert "BitstringStatusListCredential" in claims["type"]
    return bit(decode_w3c(claims["credentialSubject"]["encodedList"]), index)


def _status_list_2021_bit(issuer: RunningIssuer, url: str, index: int) -> int:
    """Bit `index` of the StatusList2021Credential a jwt_vc_json card names (its VC-JWT)."""
    vc = _list(issuer, url, "application/jwt")["vc"]
    assert vc["id"] == url and "StatusList2021Credential" in vc["type"]
    return bit(decode_w3c(vc["credentialSubject"]["encodedList"]), index)


def _ietf_bit(issuer: RunningIssuer, url: str, index: int) -> int:
    claims = _list(issuer, url, "application/statuslist+jwt")
    assert claims["sub"] == url
    return bit(decode_ietf(claims["status_list"]["lst"]), index)  # decoded to MSB-first


def _token_status(issuer: RunningIssuer, url: str, index: int) -> int:
    """Entry `index` of the `bits: 2` Status List Token an SD-JWT VC names (issue 16 item 3)."""
    claims = _list(issuer, url, "application/statuslist+jwt")
    assert claims["sub"] == url and claims["status_list"]["bits"] == 2
    return token_status(claims["status_list"], index)


def test_sd_jwt_vc_issued_collected_revoked_and_published(issuer: RunningIssuer, tmp_path) -> None:
    created = issuer.offer(dataTag="batch7")
    assert set(created) == {"transactionId", "qrCode", "deepLink", "warnings"}
    assert base64.b64decode(created["qrCode"].removeprefix("data:image/png;base64,")).startswith(b"\x89PNG")
    assert created["deepLink"].startswith("openid-credential-offer://?credential_offer_uri=")
    pending = issuer.api("GET", f"/api/credential/nonce/{created['transactionId']}")
    assert pending.status_code == 404 and pending.json()["code"] == "61010"

    wallet = Wallet(tmp_path / "wallet")
    (stored,) = wallet.accept_offer(created["deepLink"], format="dc+sd-jwt")
    assert stored.format == "dc+sd-jwt" and stored.issuer == issuer.url

    result = issuer.api("GET", f"/api/credential/nonce/{created['transactionId']}")
    assert result.status_code == 200
    assert result.json()["credential"] == stored.raw
    verified = verify_sd_jwt_vc(stored.raw, issuer.key.public_jwk, require_key_binding=False)
    assert verified.claims["iss"] == ISSUER_DID and verified.disclosed == {
        "name": "林美",
        "employee_no": "E-042",
    }
    assert verified.header["kid"] == f"{ISSUER_DID}#key-1"

    # the sd-jwt reference implementation verifies it too (every field a disclosure)
    reference = SDJWTVerifier(
        stored.raw, lambda _iss, _header: JWK.from_json(json.dumps(issuer.key.public_jwk))
    )
    assert reference.get_verified_payload()["employee_no"] == "E-042"
    assert len(SdJwt.parse(stored.raw).disclosures) == 2

    listed = issuer.api("GET", "/api/credential/datatag/batch7").json()["vcList"]
    (row,) = listed
    assert row["vcUid"] == "employee" and row["credentialStatus"] == "0"
    cid = row["cid"]

    status = verified.claims["status"]["status_list"]
    url, index = status["uri"], status["idx"]
    assert url.startswith(f"{issuer.url}/status-lists/EmployeeCredential/r") and "-s" in url
    revocation_url = url.rsplit("-", 1)[0]  # the on-chain revocation list the token derives from
    assert _token_status(issuer, url, index) == VALID
    assert _ietf_bit(issuer, revocation_url, index) == 0 and _w3c_bit(issuer, revocation_url, index) == 0

    suspended = issuer.api("PUT", f"/api/credential/{cid}/suspension")
    assert suspended.json()["credentialStatus"] == "SUSPENDED" and suspended.json()["final"] is True
    assert _token_status(issuer, url, index) == SUSPENDED
    assert issuer.api("PUT", f"/api/credential/{cid}/recovery").json()["final"] is True
    assert _token_status(issuer, url, index) == VALID

    revoked = issuer.api("PUT", f"/api/credential/{cid}/revocation")
    assert revoked.status_code == 200
    assert revoked.json()["credentialStatus"] == "REVOKED" and revoked.json()["final"] is True
    assert _token_status(issuer, url, index) == INVALID
    assert _ietf_bit(issuer, revocation_url, index) == 1
    assert _w3c_bit(issuer, revocation_url, index) == 1
    assert issuer.api("GET", "/api/credential/datatag/batch7").json()["vcList"][0]["credentialStatus"] == "2"


def test_jwt_vc_json_carries_both_status_list_2021_entries(issuer: RunningIssuer, tmp_path) -> None:
    created = issuer.offer()
    (stored,) = Wallet(tmp_path / "wallet").accept_offer(created["deepLink"], format="jwt_vc_json")
    vc = verify_jwt_vc(stored.raw, issuer.key.public_jwk, expected_issuer=ISSUER_DID)
    assert vc.credential["credentialSubject"]["name"] == "林美"
    assert vc.holder == Wallet(tmp_path / "wallet").holder_did
    entries = {e["statusPurpose"]: e for e in vc.credential["credentialStatus"]}
    assert set(entries) == {"revocation", "suspension"}
    assert {e["type"] for e in entries.values()} == {"StatusList2021Entry"}  # VCDM 1.1's
    cid = vc.claims["jti"].rsplit("/", 1)[1]

    suspended = issuer.api("PUT", f"/api/credential/{cid}/suspension")
    assert suspended.json()["credentialStatus"] == "SUSPENDED" and suspended.json()["final"] is True
    suspension = entries["suspension"]
    index = int(suspension["statusListIndex"])
    assert _status_list_2021_bit(issuer, suspension["statusListCredential"], index) == 1
    recovered = issuer.api("PUT", f"/api/credential/{cid}/recovery")
    assert recovered.json()["credentialStatus"] == "ACTIVE" and recovered.json()["final"] is True
    assert _status_list_2021_bit(issuer, suspension["statusListCredential"], index) == 0
    revocation = entries["revocation"]
    assert (
        _status_list_2021_bit(issuer, revocation["statusListCredential"], int(revocation["statusListIndex"]))
        == 0
    )


def test_one_offer_both_formats_are_one_card(issuer: RunningIssuer, tmp_path) -> None:
    created = issuer.offer(dataTag="both")
    stored = Wallet(tmp_path / "wallet").accept_offer(created["deepLink"])
    assert sorted(s.format for s in stored) == ["dc+sd-jwt", "jwt_vc_json"]
    assert len(issuer.api("GET", "/api/credential/datatag/both").json()["vcList"]) == 1


def test_twdiw_profile_vc_sd_jwt_with_status_list_2021_pair(issuer: RunningIssuer, tmp_path) -> None:
    created = issuer.offer("twcard")
    (stored,) = Wallet(tmp_path / "wallet").accept_offer(created["deepLink"])
    assert stored.format == "vc+sd-jwt"
    verified = verify_sd_jwt_vc(stored.raw, issuer.key.public_jwk, require_key_binding=False)
    assert verified.header["typ"] == "vc+sd-jwt" and verified.header["jku"] == f"{issuer.url}/api/keys"
    claims = verified.claims
    assert claims["vc"]["credentialSubject"] == {"name": "林美", "employee_no": "E-042"}
    revocation, suspension = claims["vc"]["credentialStatus"]
    assert revocation["type"] == suspension["type"] == "StatusList2021Entry"
    assert revocation["statusListIndex"] == suspension["statusListIndex"]
    cid = claims["jti"].rsplit("/", 1)[1]
    assert claims["jti"] == f"{issuer.url}/api/credential/{cid}"
    payload = read_payload(SdJwt.parse(stored.raw).issuer_jwt)
    # the holder's key, named as the official verifier reads holders: a jwk_jcs-pub did:key
    assert resolve_holder_key(payload["sub"]).jwk == Wallet(tmp_path / "wallet").holder.key.public_jwk

    token = issuer.api("POST", "/token", data={})  # the twdiw token answer carries c_nonce: see test_oid4vci
    assert token.status_code == 400

    assert issuer.api("PUT", f"/api/credential/{cid}/revocation").status_code == 200
    path = revocation["statusListCredential"].removeprefix(issuer.url)
    response = issuer.api("GET", path, headers={"Accept": "application/jwt"})
    assert response.headers["content-type"].startswith("application/jwt")
    listed = verify_jws(response.text, issuer.key.public_jwk).claims()["vc"]
    enveloped = issuer.api("GET", path).json()["statusList"]  # as the official vc-handler answers
    assert (
        verify_jws(enveloped, issuer.key.public_jwk).claims()["vc"]["credentialSubject"]
        == (
            listed["credentialSubject"]  # signed on request: only the dates may differ
        )
    )
    assert listed["type"] == ["VerifiableCredential", "StatusList2021Credential"]
    encoded = listed["credentialSubject"]["encodedList"]
    assert bit(decode_twdiw(encoded), int(revocation["statusListIndex"])) == 1

"""OID4VCI endpoints over real HTTP: metadata, offer URI, token, nonce and credential errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from api.credentials.dids import did_key_jcs
from api.credentials.keys import SigningKey, read_header, read_payload
from api.credentials.proof import create_proof
from api.issuer.metadata import PRE_AUTHORIZED_GRANT
from api.wallet import Wallet, WalletError
from tests.support.issuer import RunningIssuer


def _offer(issuer: RunningIssuer, vc_uid: str = "employee") -> tuple[dict[str, Any], dict[str, Any]]:
    created = issuer.offer(vc_uid)
    (uri,) = parse_qs(urlsplit(created["deepLink"]).query)["credential_offer_uri"]
    response = issuer.api("GET", uri.removeprefix(issuer.url), headers={"Access-Token": ""})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    return created, response.json()


def _code(offer: dict[str, Any]) -> str:
    return offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]


def _token(issuer: RunningIssuer, code: str, **extra: str):
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, **extra}
    return issuer.api("POST", "/token", data=form)


def _nonce(issuer: RunningIssuer) -> str:
    response = issuer.api("POST", "/nonce")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    return response.json()["c_nonce"]


def _credential(issuer: RunningIssuer, token: str, proof: str, config: str = "employee_sd_jwt"):
    body = {"credential_configuration_id": config, "proofs": {"jwt": [proof]}}
    return issuer.api("POST", "/credential", json=body, headers={"Authorization": f"Bearer {token}"})


def _error(response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    return response.json()["error"]


@pytest.fixture
def holder() -> SigningKey:
    return SigningKey.generate("P-256")


def test_metadata_names_every_endpoint_and_configuration(issuer: RunningIssuer) -> None:
    metadata = issuer.api("GET", "/.well-known/openid-credential-issuer").json()
    assert metadata["credential_issuer"] == issuer.url
    assert metadata["credential_endpoint"] == f"{issuer.url}/credential"
    assert metadata["nonce_endpoint"] == f"{issuer.url}/nonce"
    configs = metadata["credential_configurations_supported"]
    assert configs["employee_sd_jwt"]["format"] == "dc+sd-jwt" and "vct" in configs["employee_sd_jwt"]
    assert configs["employee_jwt_vc"]["credential_definition"]["type"][-1] == "EmployeeCredential"
    assert configs["twcard_vc_sd_jwt"]["format"] == "vc+sd-jwt"
    server = issuer.api("GET", "/.well-known/oauth-authorization-server").json()
    assert server["token_endpoint"] == f"{issuer.url}/token"


def test_offer_uri_is_unique_and_carries_the_offer(issuer: RunningIssuer) -> None:
    first, offer = _offer(issuer)
    second, _ = _offer(issuer)
    assert first["deepLink"] != second["deepLink"]
    assert offer["credential_issuer"] == issuer.url
    assert offer["credential_configuration_ids"] == ["employee_sd_jwt", "employee_jwt_vc"]


def test_reused_unknown_and_expired_codes_are_invalid_grant(issuer: RunningIssuer) -> None:
    _, offer = _offer(issuer)
    assert _token(issuer, _code(offer)).status_code == 200
    assert _error(_token(issuer, _code(offer))) == "invalid_grant"
    assert _error(_token(issuer, "no-such-code")) == "invalid_grant"
    assert (
        _error(issuer.api("POST", "/token", data={"grant_type": PRE_AUTHORIZED_GRANT})) == "invalid_request"
    )
    assert _error(issuer.api("POST", "/token", data={"grant_type": "password"})) == "unsupported_grant_type"

    created, late = _offer(issuer)
    issuer.clock.offset = issuer.ctx.config.offer_ttl + 1
    assert _error(_token(issuer, _code(late))) == "invalid_grant"
    (uri,) = parse_qs(urlsplit(created["deepLink"]).query)["credential_offer_uri"]
    expired = issuer.api("GET", uri.removeprefix(issuer.url))
    assert expired.status_code == 404 and expired.json()["code"] == "12000"


def test_tx_code_is_required_checked_and_accepted_by_the_wallet(issuer: RunningIssuer, tmp_path) -> None:
    created = issuer.offer("pincard", fields=[{"ename": "name", "content": "Mei"}])
    assert len(created["txCode"]) == 6
    (uri,) = parse_qs(urlsplit(created["deepLink"]).query)["credential_offer_uri"]
    offer = issuer.api("GET", uri.removeprefix(issuer.url)).json()
    assert offer["grants"][PRE_AUTHORIZED_GRANT]["tx_code"] == {"input_mode": "numeric", "length": 6}
    assert _error(_token(issuer, _code(offer))) == "invalid_request"
    assert _error(
        _token(issuer, _code(offer), tx_code="000000" if created["txCode"] != "000000" else "1")
    ) == ("invalid_grant")
    (stored,) = Wallet(tmp_path / "w").accept_offer(created["deepLink"], tx_code=created["txCode"])
    assert stored.claims["name"] == "Mei"


def test_credential_endpoint_errors(issuer: RunningIssuer, holder: SigningKey) -> None:
    _, offer = _offer(issuer)
    token = _token(issuer, _code(offer)).json()["access_token"]

    def proof(nonce: str | None, audience: str = issuer.url) -> str:
        return create_proof(holder, audience=audience, nonce=nonce, binding="did:jwk")

    missing = issuer.api("POST", "/credential", json={"credential_configuration_id": "employee_sd_jwt"})
    assert _error(missing, 401) == "invalid_token" and "invalid_token" in missing.headers["www-authenticate"]
    assert _error(_credential(issuer, "forged", proof(_nonce(issuer))), 401) == "invalid_token"
    assert _error(_credential(issuer, token, proof("not-a-nonce-we-gave"))) == "invalid_nonce"
    assert _error(_credential(issuer, token, proof(None))) == "invalid_proof"
    assert (
        _error(_credential(issuer, token, proof(_nonce(issuer), audience="https://elsewhere")))
        == "invalid_proof"
    )
    forged = proof(_nonce(issuer))
    forged = forged[:-4] + ("AAAA" if not forged.endswith("AAAA") else "BBBB")
    assert _error(_credential(issuer, token, forged)) == "invalid_proof"
    assert _error(_credential(issuer, token, proof(_nonce(issuer)), "badge_sd_jwt")) == (
        "unknown_credential_configuration"
    )
    nonce = _nonce(issuer)
    assert _credential(issuer, token, proof(nonce)).status_code == 200
    assert (
        _error(_credential(issuer, token, proof(nonce), "employee_jwt_vc")) == "invalid_nonce"
    )  # single use
    assert _credential(issuer, token, proof(_nonce(issuer)), "employee_jwt_vc").status_code == 200
    assert _error(_credential(issuer, token, proof(_nonce(issuer))), 401) == "invalid_token"  # spent


def test_twdiw_token_response_carries_c_nonce(issuer: RunningIssuer, holder: SigningKey) -> None:
    _, offer = _offer(issuer, "twcard")
    body = _token(issuer, _code(offer)).json()
    assert isinstance(body["c_nonce"], str) and body["token_type"] == "Bearer"
    proof = create_proof(holder, audience=issuer.url, nonce=body["c_nonce"], binding="jwk")
    response = _credential(issuer, body["access_token"], proof, "twcard_vc_sd_jwt")
    assert response.status_code == 200 and response.json()["credentials"][0]["credential"].count("~") == 3


def test_wallet_reports_a_reused_offer(issuer: RunningIssuer, tmp_path) -> None:
    created = issuer.offer()
    Wallet(tmp_path / "w").accept_offer(created["deepLink"], format="dc+sd-jwt")
    with pytest.raises(WalletError):
        Wallet(tmp_path / "w2").accept_offer(created["deepLink"], format="dc+sd-jwt")


def test_proof_by_a_jwk_jcs_did_key_holder_is_accepted(issuer: RunningIssuer, holder: SigningKey) -> None:
    """The TW DIW app's holder DID: a did:key of multicodec jwk_jcs-pub (0xeb51), whose kid (DID#DID)
    makes a proof header longer than joserfc's default 512 bytes (both were invalid_proof)."""
    did = did_key_jcs(holder.public_jwk)
    _, offer = _offer(issuer)
    token = _token(issuer, _code(offer)).json()["access_token"]
    for config in ("employee_sd_jwt", "employee_jwt_vc"):
        nonce = _nonce(issuer)
        proof = create_proof(holder, audience=issuer.url, nonce=nonce, binding="did:key:jwk_jcs-pub")
        assert read_header(proof)["kid"] == f"{did}#{did.removeprefix('did:key:')}"
        response = _credential(issuer, token, proof, config)
        assert response.status_code == 200, response.text
        claims = read_payload(response.json()["credentials"][0]["credential"].split("~")[0])
        if config == "employee_sd_jwt":
            assert claims["cnf"]["jwk"] == holder.public_jwk
        else:
            assert claims["sub"] == did

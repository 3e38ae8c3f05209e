"""Fail closed: once its trust views are halted the issuer refuses to issue, in the TW DIW error format
(59999, 503) and in OAuth format on the OID4VCI credential endpoint, naming the block and the reason."""

from __future__ import annotations

from api.credentials.keys import SigningKey
from api.credentials.proof import create_proof
from tests.issuer.test_oid4vci import _code, _credential, _offer, _token
from tests.support.issuer import FIELDS, RunningIssuer
from tests.support.waiting import wait_until


def test_a_halted_follower_makes_the_issuer_refuse_to_issue(issuer: RunningIssuer) -> None:
    _, offer = _offer(issuer)  # an offer made while the views were fresh; its wallet comes later
    token = _token(issuer, _code(offer)).json()["access_token"]

    replaced = issuer.chain.w3.eth.block_number
    issuer.chain.w3.provider.make_request("anvil_reorg", [1, []])  # the block the views rely on changes
    wait_until(lambda: issuer.service.halted is not None, 60, "the follower to halt")

    refused = issuer.api("POST", "/api/qrcode/data", json={"vcUid": "employee", "fields": FIELDS})
    assert refused.status_code == 503, refused.text
    body = refused.json()
    assert body["code"] == "59999"
    assert body["message"].startswith("TRUST_DATA_STALE: issuing is refused")
    assert f"the follower halted at block {replaced}" in body["message"]
    assert "reorg below the finality horizon" in body["message"]

    holder = SigningKey.generate("P-256")
    nonce = issuer.api("POST", "/nonce").json()["c_nonce"]
    proof = create_proof(holder, audience=issuer.url, nonce=nonce, binding="jwk")
    denied = _credential(issuer, token, proof)
    assert denied.status_code == 400, denied.text
    assert denied.json()["error"] == "credential_request_denied"
    assert denied.json()["error_description"].startswith("TRUST_DATA_STALE")

    health = issuer.api("GET", "/health").json()
    assert health["status"] == "degraded" and health["halted"] is True
    assert health["follower"]["haltedBlock"] == replaced
    assert health["trustData"]["stale"] is True and health["trustData"]["haltedBlock"] == replaced

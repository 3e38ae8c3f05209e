"""Whole flows with the real modules and the reference wallet over HTTP on Anvil: the issuer module
issues (DWVC-101 -> OID4VCI), the wallet presents (OID4VP) to the verifier module, the business
system reads DWVP-01-201; a revocation or suspension through DWVC-301 makes the next presentation
fail with REVOKED / SUSPENDED, a recovery makes it pass again."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.credentials.keys import SigningKey
from api.local_servers import LocalServers
from api.wallet import Wallet
from resolver.app import create_app as create_resolver_app
from tests.support.issuer import EMPLOYEE, ISSUER_DID, RunningIssuer, serve_issuer
from tests.support.verifier import TOKEN, register_verifier, verifier_app

VERIFIER_DID = "did:web:gate.flows.test"
CLAIMS = [{"ename": "name", "cname": "姓名"}, {"ename": "employee_no"}]


def templates(issuer_url: str) -> dict[str, dict[str, Any]]:
    """The verifier's templates; an SD-JWT VC is asked for by the issuer's vct URI (issue 16 item 9)."""
    vct = {"vct_values": [f"{issuer_url}/vct/employee"]}
    return {
        "employee": {"credentials": [{"id": "employee", "type": EMPLOYEE, "claims": CLAIMS, **vct}]},
        "employee_jwt": {"credentials": [{"id": "employee", "type": EMPLOYEE, "format": "jwt_vc_json"}]},
        "employee_tw": {
            "profile": "twdiw",
            "credentials": [
                {"id": "employee", "type": EMPLOYEE, "format": "vc+sd-jwt", "claims": CLAIMS[:1]}
            ],
        },
        "login": {
            "siop": True,
            "credentials": [{"id": "employee", "type": EMPLOYEE, "claims": CLAIMS[:1], **vct}],
        },
    }


@dataclass
class Flow:
    """The issuer, the verifier, the resolver the wallet asks, and one holder's wallet."""

    issuer: RunningIssuer
    verifier: str
    resolver: str
    wallet: Wallet

    def issue(self, vc_uid: str, data_tag: str) -> str:
        """An offer collected by the wallet; the card's cid."""
        offer = self.issuer.offer(vc_uid, dataTag=data_tag)
        self.wallet.accept_offer(offer["deepLink"])
        listed = self.issuer.api("GET", f"/api/credential/datatag/{data_tag}").json()["vcList"]
        return listed[0]["cid"]

    def present(self, ref: str) -> dict[str, Any]:
        """DWVP-01-101, the wallet answers, DWVP-01-201: the business system's result."""
        headers = {"Access-Token": TOKEN}
        transaction_id = str(uuid.uuid4())
        opened = httpx.get(
            f"{self.verifier}/api/oidvp/qrcode",
            params={"ref": ref, "transactionId": transaction_id},
            headers=headers,
            timeout=60,
        )
        assert opened.status_code == 200, opened.text
        request = self.wallet.read_request(opened.json()["authUri"], resolver_url=self.resolver)
        assert request.verifier_trusted and not request.warnings
        response = self.wallet.respond(request, self.wallet.match(request))
        self.wallet.post_response(request, response)
        result = httpx.post(
            f"{self.verifier}/api/oidvp/result",
            json={"transactionId": transaction_id},
            headers=headers,
            timeout=60,
        )
        assert result.status_code == 200, result.text
        return result.json()

    def set_status(self, cid: str, action: str) -> None:
        """DWVC-301, which answers once the ledger and the views hold the transaction."""
        answer = self.issuer.api("PUT", f"/api/credential/{cid}/{action}")
        assert answer.status_code == 200, answer.text


def reason(result: dict[str, Any]) -> str:
    assert result["verifyResult"] is False and result["data"] == []
    return result["reasons"][0]["code"]


@pytest.fixture
def flow(chain, sqlite_var: Path, tmp_path: Path) -> Iterator[Flow]:
    var = sqlite_var
    with serve_issuer(chain, var) as issuer, contextlib.ExitStack() as stack:
        key = SigningKey.generate(did=VERIFIER_DID, key_id="key-1")
        issuer.wait_for_block(register_verifier(chain, key, label="gate"))
        resolver = LocalServers(stack).serve(create_resolver_app(issuer.service.views))
        url, _ = stack.enter_context(
            verifier_app(issuer.service, key, var / "verifier", templates(issuer.url))
        )
        yield Flow(issuer, url, resolver, Wallet(tmp_path / "wallet"))


def test_issue_present_revoke_present_again(flow: Flow) -> None:
    cid = flow.issue("employee", "flow1")
    trusted = flow.present("employee")
    assert trusted["verifyResult"] is True, trusted
    assert trusted["holder_did"] == flow.wallet.holder_did
    assert trusted["data"][0]["issuer"] == ISSUER_DID
    assert {c["ename"]: c["value"] for c in trusted["data"][0]["claims"]} == {
        "name": "林美",
        "employee_no": "E-042",
    }
    assert flow.present("employee_jwt")["verifyResult"] is True
    flow.set_status(cid, "revocation")
    assert reason(flow.present("employee")) == "REVOKED"
    assert reason(flow.present("employee_jwt")) == "REVOKED"


def test_suspension_then_recovery(flow: Flow) -> None:
    cid = flow.issue("employee", "flow2")
    flow.set_status(cid, "suspension")
    assert reason(flow.present("employee_jwt")) == "SUSPENDED"
    assert reason(flow.present("employee")) == "SUSPENDED"  # dc+sd-jwt: through its bits: 2 list
    flow.set_status(cid, "recovery")
    assert flow.present("employee_jwt")["verifyResult"] is True
    assert flow.present("employee")["verifyResult"] is True


def test_twdiw_card_and_siop_login_through_the_wallet(flow: Flow) -> None:
    flow.issue("twcard", "flow3")
    result = flow.present("employee_tw")
    assert result["verifyResult"] is True, result
    assert result["data"][0]["claims"] == [{"ename": "name", "cname": "姓名", "value": "林美"}]
    flow.issue("employee", "flow4")
    login = flow.present("login")
    assert login["verifyResult"] is True and login["holder_did"] == flow.wallet.holder_did, login


def test_suspended_issuer_makes_its_cards_fail(flow: Flow) -> None:
    flow.issue("employee", "flow5")
    block = flow.issuer.chain.gateway("dev1").set_status(ISSUER_DID, "suspended").block_number
    flow.issuer.wait_for_block(block)
    assert reason(flow.present("employee")) == "ISSUER_NOT_ACTIVE"

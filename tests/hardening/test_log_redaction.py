"""Issue 13.13: the access log recorded capability URLs (whoever reads the log could collect a
credential offer or open a presentation request). The real `trust-ledger dev` process's JSON log
after real requests carries none of them."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.support.hardening import DevServer
from tests.support.waiting import wait_until
from trust_ledger.logs import REDACTED

DWVC_101 = {
    "vcUid": "employee",
    "fields": [{"ename": "name", "content": "Alice"}, {"ename": "employee_no", "content": "7"}],
}


def access_lines(server: DevServer) -> list[str]:
    lines = server.log.read_text(errors="replace").splitlines()
    return [json.loads(line)["event"] for line in lines if '"logger": "uvicorn.access"' in line]


def logged(server: DevServer, fragment: str) -> str:
    """The access line containing ``fragment`` (waiting for uvicorn to write it)."""
    found: list[str] = []

    def seen() -> bool:
        found[:] = [line for line in access_lines(server) if fragment in line]
        return bool(found)

    wait_until(seen, 30, what=f"an access line with {fragment}")
    return found[-1]


def test_capability_urls_are_redacted_in_the_access_log(dev_server: DevServer) -> None:
    base = dev_server.base
    issuer = {"Access-Token": dev_server.issuer_token}
    offer = httpx.post(f"{base}/api/qrcode/data", json=DWVC_101, headers=issuer, timeout=60).json()
    (offer_uri,) = parse_qs(urlsplit(offer["deepLink"]).query)["credential_offer_uri"]
    offer_id = offer_uri.rsplit("/", 1)[1]
    assert httpx.get(offer_uri, timeout=30).status_code == 200
    nonce = httpx.get(f"{base}/api/credential/nonce/{offer['transactionId']}", headers=issuer, timeout=30)
    assert nonce.status_code < 500, nonce.text

    transaction_id = f"tx-{uuid.uuid4()}"
    opened = httpx.get(
        f"{base}/api/oidvp/qrcode",
        params={"ref": "employee", "transactionId": transaction_id},
        headers={"Access-Token": dev_server.verifier_token},
        timeout=60,
    ).json()
    (request_uri,) = parse_qs(urlsplit(opened["authUri"]).query)["request_uri"]
    request_id = request_uri.rsplit("/", 1)[1]
    assert httpx.get(request_uri, timeout=30).status_code == 200

    assert logged(dev_server, f"GET /credential-offer/{REDACTED} ")
    assert logged(dev_server, f"GET /api/credential/nonce/{REDACTED} ")
    assert logged(dev_server, f"transactionId={REDACTED}")
    assert logged(dev_server, f"GET /oidvp/request/{REDACTED} ")
    whole_log = dev_server.log.read_text(errors="replace")
    for secret in (offer_id, request_id, transaction_id, offer["transactionId"]):
        assert secret not in whole_log, f"{secret} is in the log"

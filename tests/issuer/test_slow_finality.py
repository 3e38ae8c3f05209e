"""DWVC-301 on a chain with real finality (issue 13 item 3).

A real Anvil mining a block a second whose `finalized` tag lags 8 blocks, and an issuer whose
follower reads only up to that tag. The answer comes once the transaction is mined, with the
status the card will have (``final: false``); the views, the published lists and DWVC-202 show it
once its block is final. While the chain call is in flight nothing else waits: not /health, not a
junk POST /token, and a second change of the same card is refused at once (the claim in the
records, not a lock).
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from anvil.accounts import dev_account
from anvil.devchain import anvil_command, free_port, rpc_url, wait_for_rpc
from api.credentials.keys import verify_jws
from api.credentials.sd_jwt import verify_sd_jwt_vc
from api.issuer.metadata import PRE_AUTHORIZED_GRANT
from api.status.encodings import token_status
from api.wallet import Wallet
from tests.support.chain import ROOT_DID, DevChain
from tests.support.issuer import RunningIssuer, serve_issuer
from tests.support.waiting import wait_until
from trust_ledger.chain.deployment import deploy
from trust_ledger.chain.follower import Horizon

SLOTS_PER_EPOCH = 4  # Anvil's `finalized` is two epochs (8 blocks, 8 s) behind the head


@pytest.fixture(scope="module")
def slow_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevChain]:
    port = free_port()
    command = anvil_command(port, block_time=1)
    command[command.index("--slots-in-an-epoch") + 1] = str(SLOTS_PER_EPOCH)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        w3 = wait_for_rpc(rpc_url(port))
        deployment = deploy(w3, dev_account("anchor"), ROOT_DID, rpc_url(port))
        manifest = tmp_path_factory.mktemp("slow-chain") / "deployment.json"
        deployment.save(manifest)
        yield DevChain(w3, deployment, manifest)
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def slow_issuer(slow_chain: DevChain, sqlite_var: Path) -> Iterator[RunningIssuer]:
    with serve_issuer(slow_chain, sqlite_var, horizon=Horizon(use_finalized=True)) as running:
        yield running


def _mining(chain: DevChain, seconds: int) -> None:
    """Stop (0) or restart interval mining: keeps a transaction in the mempool while we look."""
    chain.w3.provider.make_request("evm_setIntervalMining", [seconds])


def _pending_transactions(chain: DevChain) -> int:
    return int(chain.w3.provider.make_request("txpool_status", [])["result"]["pending"], 16)


def _row(issuer: RunningIssuer, data_tag: str) -> dict[str, Any]:
    (row,) = issuer.api("GET", f"/api/credential/datatag/{data_tag}").json()["vcList"]
    return row


def _revocation_bit(issuer: RunningIssuer, url: str, index: int) -> int:
    response = issuer.api("GET", url.removeprefix(issuer.url), params={"format": "ietf"})
    assert response.status_code == 200, response.text
    return token_status(verify_jws(response.text, issuer.key.public_jwk).claims()["status_list"], index)


def test_revocation_answers_once_mined_and_the_views_catch_up_at_finality(
    slow_issuer: RunningIssuer, slow_chain: DevChain, tmp_path: Path
) -> None:
    issuer = slow_issuer
    created = issuer.offer(dataTag="slow")
    (stored,) = Wallet(tmp_path / "wallet").accept_offer(created["deepLink"], format="dc+sd-jwt")
    claims = verify_sd_jwt_vc(stored.raw, issuer.key.public_jwk, require_key_binding=False).claims
    status = claims["status"]["status_list"]
    cid = _row(issuer, "slow")["cid"]
    issuer.wait_for_block(slow_chain.w3.eth.block_number)  # the new lists are final and published
    assert _revocation_bit(issuer, status["uri"], status["idx"]) == 0

    # Hold the revocation's transaction in the mempool: the chain call is in flight.
    _mining(slow_chain, 0)
    answer: dict[str, Any] = {}

    def revoke() -> None:
        response = issuer.api("PUT", f"/api/credential/{cid}/revocation")
        answer.update(status=response.status_code, body=response.json(), at=time.monotonic())

    revocation = threading.Thread(target=revoke)
    try:
        revocation.start()
        wait_until(lambda: _pending_transactions(slow_chain) == 1, 30, what="the revocation in the mempool")

        # a junk token request meanwhile is answered, and /health is not delayed
        junk = httpx.post(
            f"{issuer.url}/token",
            data={"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": "junk"},
            timeout=5,
        )
        assert junk.status_code == 400 and junk.json()["error"] == "invalid_grant"
        latencies = []
        for _ in range(5):
            started = time.monotonic()
            health = httpx.get(f"{issuer.url}/health", timeout=5)
            latencies.append(time.monotonic() - started)
            assert health.status_code == 200
        assert max(latencies) < 1.0, latencies
        # a second change of the same card is refused at once, not queued behind a lock
        racing = httpx.put(f"{issuer.url}/api/credential/{cid}/suspension", headers=issuer.headers, timeout=5)
        assert racing.status_code == 400 and racing.json()["code"] == "61050", racing.text
        assert racing.json()["credentialStatus"] == "ACTIVE"
        assert "being written to the chain" in racing.json()["detail"]
        assert revocation.is_alive() and _pending_transactions(slow_chain) == 1, "still in flight"
    finally:
        resumed = time.monotonic()
        _mining(slow_chain, 1)
    revocation.join(30)

    # answered as soon as mined (a block comes within a second), not at finality (8 s later)
    assert answer["status"] == 200, answer
    assert answer["at"] - resumed < 5.0
    body = answer["body"]
    assert body["credentialStatus"] == "REVOKED" and body["final"] is False
    receipt = slow_chain.w3.eth.get_transaction_receipt(body["transactionHash"])
    assert receipt["status"] == 1
    row = _row(issuer, "slow")
    assert (row["credentialStatus"], row["transactionHash"], row["final"]) == (
        "2",
        body["transactionHash"],
        False,
    )
    assert _revocation_bit(issuer, status["uri"], status["idx"]) == 0, "the published list waits for finality"

    issuer.wait_for_block(receipt["blockNumber"])
    row = _row(issuer, "slow")
    assert (row["credentialStatus"], row["final"]) == ("2", True)
    assert _revocation_bit(issuer, status["uri"], status["idx"]) == 1

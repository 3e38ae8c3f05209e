"""`trust-ledger dev`: one command brings up chain, follower, views, resolver, a demo issuer and a
demo verifier on one port; Ctrl-C stops everything; the next run resumes from var/."""

from __future__ import annotations

import json
import signal
import subprocess
import uuid

import httpx

from anvil.devchain import free_port, port_open
from api.wallet import Wallet
from tests.support.cli_process import CLI, own_world
from tests.support.waiting import wait_until


def test_dev_serves_resolves_stops_and_resumes(tmp_path):
    env = own_world(tmp_path)
    http_port, chain_port = free_port(), free_port()
    url = f"http://127.0.0.1:{http_port}/1.0/identifiers/did:example:demo"

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            [*CLI, "dev", "--port", str(http_port), "--chain-port", str(chain_port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        wait_until(lambda: port_open(http_port) or process.poll() is not None, 60, what="dev to serve")
        assert process.poll() is None, process.stdout.read()
        return process

    def issue_demo_credential() -> list:
        """DWVC-101 to the demo issuer on the same port, then the reference wallet collects."""
        config = json.loads((tmp_path / "dev-issuer" / "issuer.json").read_text())
        answer = httpx.post(
            f"http://127.0.0.1:{http_port}/api/qrcode/data",
            headers={"Access-Token": config["access_tokens"][0]},
            json={
                "vcUid": "employee",
                "fields": [{"ename": "name", "content": "Alice"}, {"ename": "employee_no", "content": "7"}],
            },
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        return Wallet(tmp_path / "wallet").accept_offer(answer.json()["deepLink"])

    def verify_demo_credential(wallet_dir) -> dict:
        """DWVP-01-101 at the demo verifier on the same port; the wallet presents; DWVP-01-201."""
        config = json.loads((tmp_path / "dev-verifier" / "verifier.json").read_text())
        headers = {"Access-Token": config["access_tokens"][0]}
        base = f"http://127.0.0.1:{http_port}"
        transaction_id = str(uuid.uuid4())
        opened = httpx.get(
            f"{base}/api/oidvp/qrcode",
            params={"ref": "employee", "transactionId": transaction_id},
            headers=headers,
            timeout=60,
        )
        assert opened.status_code == 200, opened.text
        outcome = Wallet(wallet_dir).present(opened.json()["authUri"], resolver_url=base)
        assert outcome.accepted, outcome.describe()
        result = httpx.post(
            f"{base}/api/oidvp/result", json={"transactionId": transaction_id}, headers=headers, timeout=60
        )
        return result.json()

    def check_seeded_world() -> None:
        """The demo hierarchy, the data space and three demo cards, one of them revoked."""
        base = f"http://127.0.0.1:{http_port}"
        entry = httpx.get(f"{base}/1.0/entities/did:web:clinic.health.gov.example", timeout=30).json()
        assert entry["effectiveStatus"]["status"] == "suspended", entry
        assert (
            httpx.get(f"{base}/1.0/identifiers/did:elsi:EU.EORI.NLNOCHEAPER", timeout=30).status_code == 200
        )
        token = json.loads((tmp_path / "dev-issuer" / "issuer.json").read_text())["access_tokens"][0]

        def demo_cards() -> list:
            answer = httpx.get(
                f"{base}/api/credential/datatag/demo", headers={"Access-Token": token}, timeout=30
            )
            return answer.json().get("vcList", [])

        wait_until(
            lambda: sorted(card["credentialStatus"] for card in demo_cards()) == ["0", "0", "2"],
            120,
            what="three demo cards, one revoked",
        )
        assert len(Wallet(tmp_path / "dev-wallet").credentials()) == 6  # 3 cards x 2 formats
        vct = f"{base}/vct/employee"  # the demo cards' vct serves its Type Metadata on the one port
        assert httpx.get(vct, timeout=30).json()["vct"] == vct

    def stop(process: subprocess.Popen) -> str:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
        return output

    first = start()
    try:
        registered = subprocess.run(
            [
                *CLI,
                "entity",
                "register",
                "--parent",
                "root",
                "--label",
                "demo",
                "--did",
                "did:example:demo",
                "--controller",
                "dev1",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert registered.returncode == 0, registered.stderr
        wait_until(lambda: httpx.get(url).status_code == 200, 60, what="the resolver to see the new entity")
        assert len(issue_demo_credential()) == 2, "dc+sd-jwt and jwt_vc_json from one offer"
        assert verify_demo_credential(tmp_path / "wallet")["verifyResult"] is True
        check_seeded_world()
    finally:
        output = stop(first)
    assert "new deployment" in output and output.rstrip().endswith("stopped")
    assert not port_open(chain_port), "Ctrl-C stops the chain too"

    second = start()
    try:
        assert httpx.get(url).json()["id"] == "did:example:demo"
        assert len(issue_demo_credential()) == 2, "the demo issuer still issues after a resume"
        assert verify_demo_credential(tmp_path / "wallet")["verifyResult"] is True, (
            "and the verifier verifies"
        )
    finally:
        output = stop(second)
    assert "resumed from var/" in output


def test_dev_stops_the_chain_it_started_when_it_fails_to_start(tmp_path):
    """Before: a failure after Anvil started (here the demo issuer's directory cannot be made)
    left the Anvil child running, orphaned."""
    env = own_world(tmp_path)
    (tmp_path / "dev-issuer").write_text("a file where dev wants its issuer's directory")
    chain_port = free_port()
    failed = subprocess.run(
        [*CLI, "dev", "--port", str(free_port()), "--chain-port", str(chain_port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert failed.returncode != 0
    assert (tmp_path / "deployment.json").exists(), "the chain was up and deployed before the failure"
    assert not port_open(chain_port), "Anvil still runs after dev failed"
    assert not (tmp_path / "anvil.pid").exists()

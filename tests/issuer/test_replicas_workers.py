"""`serve issuer --workers 2` over SQLite (issue 19 item 3): every piece of the issuer's state is in
SQLite files the workers share (records, status allocations, c_nonces, sealing keys), so flows whose
steps land on either worker (a new connection per step: SO_REUSEPORT spreads them) complete, and a
worker killed under load (SIGKILL) costs no status index and no record: the pool starts it again and
the holders' retries complete their flows or end with a clear OAuth error."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
from pathlib import Path

import httpx

from anvil.devchain import free_port
from api.credentials.keys import SigningKey, read_payload
from tests.e2e.test_follower_leadership import leading
from tests.e2e.test_workers import children
from tests.support.issuer import FIELDS, ISSUER_DID, TEMPLATES, TOKEN, register_issuer
from tests.support.replicas import Holder, issue_with_retries, replicas, with_retries, write_config
from tests.support.waiting import wait_until

FLOWS = 40


class NewConnections:
    """GETs on `url`, each over a new connection (so the kernel may hand it to either worker)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30)


def offer(url: str, data_tag: str) -> str:
    answer = httpx.post(
        url + "/api/qrcode/data",
        json={"vcUid": "employee", "dataTag": data_tag, "fields": FIELDS},
        headers={"Access-Token": TOKEN},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["deepLink"]


def test_issuer_workers_share_sqlite_state_and_survive_a_killed_worker(
    chain, sqlite_var: Path, tmp_path: Path
) -> None:
    key = SigningKey.generate("P-256", did=ISSUER_DID, key_id="key-1")
    register_issuer(chain, key)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = write_config(
        tmp_path / "issuer.json",
        {
            "did": ISSUER_DID,
            "base_url": url,
            "signing_key": {"key_id": "key-1", "jwk": key.private_jwk()},
            "templates": TEMPLATES,
            "access_tokens": [TOKEN],
            "status_list_size": 1024,
        },
    )
    with replicas(chain, tmp_path, {"TRUST_LEDGER_PRIVATE_KEY": "dev2"}) as started:
        pool = started.start("issuer", config, "--workers", "2", name="pool", port=port)
        wait_until(lambda: len(children(pool.process.pid)) == 2, 30, what="two workers")
        seen = {leading(NewConnections(url)) for _ in range(40)}
        assert seen == {True, False}, "not two workers answering, one of them following"
        var = tmp_path / "var-pool"
        assert {"issuer-records.sqlite", "issuer-status.sqlite"} <= {p.name for p in var.iterdir()}

        outcomes: list[tuple[str, str]] = []
        guard = threading.Lock()
        work = iter(range(FLOWS))

        def holders() -> None:
            for _ in work:
                deep_link = with_retries(lambda: offer(url, "workers"))
                outcome = issue_with_retries(lambda: url, Holder(url), deep_link, "employee_sd_jwt")
                with guard:
                    outcomes.append(outcome)

        threads = [threading.Thread(target=holders) for _ in range(4)]
        for thread in threads:
            thread.start()
        wait_until(lambda: len(outcomes) >= FLOWS // 4, 300, what="flows before the kill")
        victim = min(children(pool.process.pid))
        os.kill(victim, signal.SIGKILL)
        wait_until(
            lambda: len(children(pool.process.pid)) == 2 and victim not in children(pool.process.pid),
            60,
            what="the pool to start the killed worker again",
        )
        for thread in threads:
            thread.join(600)

        issued = [value for kind, value in outcomes if kind == "issued"]
        refused = [value for kind, value in outcomes if kind == "refused"]
        assert len(outcomes) == FLOWS
        assert len(refused) <= 4, refused  # at most the flows in flight on the killed worker
        assert all("already" in reason for reason in refused), refused
        indices = [read_payload(c.split("~")[0])["status"]["status_list"] for c in issued]
        assert len({(s["uri"], s["idx"]) for s in indices}) == len(issued)
        with sqlite3.connect(var / "issuer-status.sqlite") as db:
            (rows, distinct) = db.execute(
                "SELECT COUNT(*), COUNT(DISTINCT list_row || '/' || idx) FROM status_allocations"
            ).fetchone()
        assert rows == distinct >= 2 * len(issued)
        listed = httpx.get(
            url + "/api/credential/datatag/workers?size=100", headers={"Access-Token": TOKEN}, timeout=30
        )
        assert listed.json()["totalElements"] == len(issued) + sum(
            "already been issued" in r for r in refused
        )

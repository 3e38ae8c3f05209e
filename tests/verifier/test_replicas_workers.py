"""`serve verifier --workers 2` over SQLite (issue 19 item 3): sessions, the callback queue and the
static QR route's rate buckets are in the SQLite file the workers share, so a request opened over
one connection is answered and read over others (SO_REUSEPORT spreads them), one bucket limits an
address whichever worker it reaches, and each result is called back once."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import httpx

from anvil.devchain import free_port
from api.credentials.keys import SigningKey, read_payload
from tests.e2e.test_workers import children
from tests.support.issuer import Clock
from tests.support.replicas import CallbackTarget, replicas, write_config
from tests.support.verifier import ISSUER, TEMPLATES, TOKEN, VERIFIER, Request, World, build_hierarchy
from tests.support.waiting import wait_until

FLOWS = 12


def test_verifier_workers_share_sessions_callbacks_and_rate_buckets(
    chain, sqlite_var: Path, tmp_path: Path
) -> None:
    issuer_key = SigningKey.generate(did=ISSUER, key_id="key-1")
    verifier_key = SigningKey.generate(did=VERIFIER, key_id="key-1")
    lists, _ = build_hierarchy(chain, issuer_key, verifier_key)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as stack:
        business = CallbackTarget(stack)
        config = write_config(
            tmp_path / "verifier.json",
            {
                "did": VERIFIER,
                "base_url": url,
                "signing_key": {"key_id": "key-1", "jwk": verifier_key.private_jwk()},
                "templates": TEMPLATES,
                "access_tokens": [TOKEN],
                "callback_url": business.url,
                "static_qr_burst": 4,
                "static_qr_rate": 0.01,
            },
        )
        started = stack.enter_context(replicas(chain, tmp_path, {}))
        pool = started.start("verifier", config, "--workers", "2", name="pool", port=port)
        wait_until(lambda: len(children(pool.process.pid)) == 2, 30, what="two workers")
        world = World(chain, None, url, None, issuer_key, verifier_key, lists, Clock())

        opened = []
        for _ in range(FLOWS):  # every step over a new connection: either worker
            link = world.open_link("employee", isCallback="Y")
            token = httpx.get(link.request_uri, timeout=30).text
            request = Request(
                link.transaction_id, link.auth_uri, link.client_id, link.request_uri, read_payload(token)
            )
            presentation = world.present_sd_jwt(world.sd_jwt(), request)
            form = {"state": request.state, "vp_token": json.dumps({"employee": [presentation]})}
            assert httpx.post(f"{url}/oidvp/response", data=form, timeout=60).status_code == 200
            assert world.result(request)["verifyResult"] is True
            again = httpx.post(f"{url}/oidvp/response", data=form, timeout=60)
            assert again.status_code == 400 and "REPLAYED" in again.json()["error_description"]
            opened.append(request.transaction_id)
        wait_until(lambda: sorted(business.answered) == sorted(opened), 30, what="every callback")
        assert sorted(business.received) == sorted(opened), "a result was called back twice"

        codes = [
            httpx.get(f"{url}/api/verifier/deeplink/vp/employee", timeout=30).status_code for _ in range(12)
        ]
        assert codes.count(200) == 4, codes  # one bucket of 4, not one per worker

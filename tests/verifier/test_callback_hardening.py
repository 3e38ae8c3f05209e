"""Callback amplification through the static QR route (issue 13 item 6), over real HTTP.

Junk answers (a wallet error, a vp_token that is no credential) are never called back; the
queue of deliveries is bounded; deliveries run concurrently with a per-target limit and retry
without holding up the others; DWVP-02-101 is rate-limited per client address; expired sessions
are purged after their retention.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import REGISTRY

from api.credentials.keys import read_payload
from api.local_servers import LocalServers
from api.verifier.callbacks import CallbackSender
from api.verifier.sessions import Session, SessionStore
from tests.support.verifier import World, serve_verifier
from tests.support.waiting import wait_until


class BusinessSystem:
    """A callback endpoint that records every delivery attempt (and can fail some at first)."""

    def __init__(self, stack: contextlib.ExitStack, fail_first: set[str] = frozenset()) -> None:
        self.attempts: list[tuple[str, int]] = []  # (transactionId, status answered)
        self.delivered: list[dict[str, Any]] = []
        self._fail_first = set(fail_first)
        app = FastAPI()

        @app.post("/callback")
        async def callback(request: Request) -> JSONResponse:
            body = await request.json()
            transaction_id = body["transactionId"]
            if transaction_id in self._fail_first:
                self._fail_first.discard(transaction_id)
                self.attempts.append((transaction_id, 503))
                return JSONResponse({"code": "503"}, status_code=503)
            self.attempts.append((transaction_id, 200))
            self.delivered.append(body)
            return JSONResponse({"code": "0", "message": "SUCCESS"})

        self.url = LocalServers(stack).serve(app) + "/callback"


@pytest.fixture
def business() -> Iterator[BusinessSystem]:
    with contextlib.ExitStack() as stack:
        yield BusinessSystem(stack)


@pytest.fixture
def black_hole() -> Iterator[str]:
    """A TCP port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(512)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/callback"
    listener.close()


def _counted(outcome: str) -> float:
    return REGISTRY.get_sample_value("trust_ledger_callbacks_total", {"outcome": outcome}) or 0.0


def _junk_answer(world: World, kind: str) -> httpx.Response:
    """What anyone can do without a credential: scan the static QR, answer rubbish."""
    static = httpx.get(f"{world.url}/api/verifier/deeplink/vp/employee", timeout=30)
    assert static.status_code == 200, static.text
    query = parse_qs(urlparse(static.json()["data"]["deepLink"]).query)
    claims = read_payload(httpx.get(query["request_uri"][0], timeout=30).text)
    form = (
        {"error": "access_denied", "error_description": "junk"}
        if kind == "error"
        else {"vp_token": json.dumps({"employee": ["not-a-credential"]})}
    )
    return httpx.post(claims["response_uri"], data={"state": claims["state"], **form}, timeout=30)


def test_junk_answers_are_not_called_back_and_the_real_one_arrives_at_once(
    chain, sqlite_var: Path, business: BusinessSystem
) -> None:
    with serve_verifier(
        chain, sqlite_var, callback_url=business.url, static_qr_burst=100, callback_max_pending=8
    ) as world:
        for n in range(30):
            answer = _junk_answer(world, "error" if n % 2 else "vp_token")
            assert answer.status_code == 200  # processed (OID4VP 1.0 §8.2), refused, not called back
        request = world.open_request("employee", isCallback="Y")
        presented = time.monotonic()
        assert world.post_vp(request, world.present_sd_jwt(world.sd_jwt(), request)).status_code == 200
        wait_until(lambda: len(business.delivered) == 1, 10, what="the real callback")
        took = time.monotonic() - presented
        assert took < 2.0, took
        assert [d["transactionId"] for d in business.delivered] == [request.transaction_id]
        assert business.attempts == [(request.transaction_id, 200)], "junk produced callbacks"
        assert world.ctx.callbacks.most_pending <= 8


def test_a_refused_credential_is_still_called_back(chain, sqlite_var: Path, business: BusinessSystem) -> None:
    """A genuine credential refused for a trust reason (here: revoked) is news for the business
    system; only junk is silenced."""
    with serve_verifier(chain, sqlite_var, callback_url=business.url) as world:
        index = world.new_index()
        world.on_chain("dev2", "set_statuses", world.lists["revocation"], [index])
        request = world.open_request("employee", isCallback="Y")
        response = world.post_vp(request, world.present_sd_jwt(world.sd_jwt(index=index), request))
        assert response.status_code == 200  # processed (OID4VP 1.0 §8.2); the result refuses
        wait_until(lambda: len(business.delivered) == 1, 10, what="the callback of the refusal")
        assert business.delivered[0]["verifyResult"] is False
        assert business.delivered[0]["resultDescription"].startswith("REVOKED")


def test_static_qr_is_rate_limited_per_client_address(
    chain, sqlite_var: Path, business: BusinessSystem
) -> None:
    with serve_verifier(chain, sqlite_var, callback_url=business.url, static_qr_burst=3) as world:
        url = f"{world.url}/api/verifier/deeplink/vp/employee"
        answers = [httpx.get(url, timeout=30) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        refused = answers[-1]
        assert refused.json()["code"] == "42900" and "too many requests" in refused.json()["message"]
        assert int(refused.headers["retry-after"]) >= 1
        # another client address has its own bucket
        other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
        with other:
            assert other.get(url, timeout=30).status_code == 200


def test_a_black_hole_target_fills_a_bounded_queue_and_blocks_no_caller(black_hole: str) -> None:
    dropped, failed = _counted("dropped_queue_full"), _counted("failed")
    sender = CallbackSender(black_hole, max_pending=5, timeout=0.5, attempts=2, backoff=0.1)
    try:
        result = {"verifyResult": True, "resultDescription": "success", "data": []}
        timings, accepted = [], []
        for n in range(20):
            started = time.monotonic()
            accepted.append(sender.send({**result, "transactionId": f"t-{n}"}))
            timings.append(time.monotonic() - started)
        assert accepted == [True] * 5 + [False] * 15
        assert max(timings) < 0.05, "sending never waits for the target"
        assert sender.most_pending == 5
        assert _counted("dropped_queue_full") - dropped == 15
        wait_until(lambda: sender.pending == 0, 10, what="the black-hole deliveries to time out")
        assert _counted("failed") - failed == 5
    finally:
        sender.close()


def test_a_retry_waits_without_holding_up_other_deliveries() -> None:
    with contextlib.ExitStack() as stack:
        business = BusinessSystem(stack, fail_first={"flaky"})
        sender = CallbackSender(business.url, per_target=1, backoff=0.5)
        stack.callback(sender.close)
        result = {"verifyResult": True, "resultDescription": "success", "data": []}
        sender.send({**result, "transactionId": "flaky"})
        sender.send({**result, "transactionId": "real"})
        wait_until(lambda: len(business.delivered) == 2, 10, what="both deliveries")
        # the flaky delivery's backoff did not hold its target slot: the other went through meanwhile
        assert business.attempts == [("flaky", 503), ("real", 200), ("flaky", 200)]


def _session(n: int, created: int, ttl: int = 300) -> Session:
    return Session(
        f"t-{n}", "employee", f"r-{n}", f"s-{n}", f"n-{n}", True, created, created + ttl, None, None
    )


def test_sessions_past_their_retention_are_purged_in_the_background(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "sessions.sqlite", retention=100)
    now = 10_000
    store.open(_session(1, now - 1_000))  # expired 700 s ago, never answered: purged
    store.open(_session(2, now - 1_000))  # answered 500 s ago: purged, its result with it
    assert store.answer("s-2", now - 900, {"verifyResult": True})
    store.open(_session(3, now - 350))  # expired 50 s ago: kept (within retention)
    store.open(_session(4, now - 200))  # answered 20 s ago: kept
    assert store.answer("s-4", now - 20, {"verifyResult": True})
    store.open(_session(5, now))  # open: kept
    try:
        store.start_purging(lambda: now, every=0.05)
        wait_until(lambda: store.count() == 3, 10, what="the background purge")
        assert store.by_transaction("t-1") is None and store.by_transaction("t-2") is None
        assert {s for s in ("t-3", "t-4", "t-5") if store.by_transaction(s) is not None} == {
            "t-3",
            "t-4",
            "t-5",
        }
    finally:
        store.close()

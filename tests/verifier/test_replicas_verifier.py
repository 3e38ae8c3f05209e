"""Two `trust-ledger serve verifier` processes over one PostgreSQL and one Anvil behave as one
verifier (issue 19 item 1): a request opened on A is fetched and answered on B and its result read
on both; of two answers racing on A and B one wins (the database's conditional UPDATE) and its
result is called back once; the static QR route's rate bucket is one across replicas; a replica
killed mid-flow (SIGKILL) leaves the flow and its queued callback to the other."""

from __future__ import annotations

import contextlib
import json
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from anvil.devchain import free_port
from api.credentials.keys import SigningKey, read_payload
from tests.support.issuer import Clock
from tests.support.replicas import CallbackTarget, Replica, Replicas, replicas, write_config
from tests.support.stores import postgres_schema
from tests.support.verifier import ISSUER, TEMPLATES, TOKEN, VERIFIER, Request, World, build_hierarchy
from tests.support.waiting import wait_until

RACES = 12


@dataclass
class Verifiers:
    a: Replica
    b: Replica
    world: World
    business: CallbackTarget
    env: dict[str, str]
    started: Replicas
    config: Path
    port: int


@pytest.fixture
def two_verifiers(chain, tmp_path: Path) -> Iterator[Verifiers]:
    """Verifier replicas A and B (A's URL is the base URL both answer for) over a fresh schema,
    the issuer and verifier on chain, and a business system taking callbacks."""
    issuer_key = SigningKey.generate(did=ISSUER, key_id="key-1")
    verifier_key = SigningKey.generate(did=VERIFIER, key_id="key-1")
    lists, _ = build_hierarchy(chain, issuer_key, verifier_key)
    with contextlib.ExitStack() as stack:
        business = CallbackTarget(stack)
        env = stack.enter_context(postgres_schema("verifiers"))
        started = stack.enter_context(replicas(chain, tmp_path, env))
        port = free_port()
        config = write_config(
            tmp_path / "verifier.json",
            {
                "did": VERIFIER,
                "base_url": f"http://127.0.0.1:{port}",
                "signing_key": {"key_id": "key-1", "jwk": verifier_key.private_jwk()},
                "templates": TEMPLATES,
                "access_tokens": [TOKEN],
                "callback_url": business.url,
            },
        )
        a = started.start("verifier", config, name="a", port=port)
        b = started.start("verifier", config, name="b")
        world = World(chain, None, a.url, None, issuer_key, verifier_key, lists, Clock())
        yield Verifiers(a, b, world, business, env, started, config, port)


def open_on(world: World, replica: Replica, **params: str) -> Request:
    """DWVP-01-101 on `replica`."""
    world.url = replica.url
    return world.open_link("employee", **params)


def fetch_on(replica: Replica, link: Request) -> Request:
    """The request object behind `link`, fetched from `replica` (the link names the base URL)."""
    path = link.request_uri.split("/", 3)[3]
    token = httpx.get(f"{replica.url}/{path}", timeout=30)
    assert token.status_code == 200, token.text
    claims = read_payload(token.text)
    return Request(link.transaction_id, link.auth_uri, link.client_id, link.request_uri, claims, token.text)


def answer_on(replica: Replica, world: World, request: Request) -> httpx.Response:
    """The wallet's direct_post of a fresh presentation to `replica`."""
    presentation = world.present_sd_jwt(world.sd_jwt(), request)
    form = {"state": request.state, "vp_token": json.dumps({"employee": [presentation]})}
    return httpx.post(f"{replica.url}/oidvp/response", data=form, timeout=60)


def result_on(replica: Replica, world: World, request: Request) -> httpx.Response:
    world.url = replica.url
    return world.read_result(request)


def queued(env: dict[str, str]) -> int:
    with psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        dbname=env["POSTGRES_DBNAME"],
        autocommit=True,
    ) as connection:
        row = connection.execute(
            f'SELECT COUNT(*) FROM "{env["POSTGRES_SCHEMA"]}".verifier_callbacks'
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_request_on_a_response_on_b_result_on_both_one_answer_one_rate_bucket(
    two_verifiers: Verifiers,
) -> None:
    a, b, world = two_verifiers.a, two_verifiers.b, two_verifiers.world
    request = fetch_on(b, open_on(world, a))
    answered = answer_on(b, world, request)
    assert answered.status_code == 200, answered.text
    results = [result_on(r, world, request) for r in (a, b)]
    assert [r.status_code for r in results] == [200, 200]
    assert results[0].json() == results[1].json() and results[0].json()["verifyResult"] is True
    for replica in (a, b):  # a second answer, on either replica
        again = answer_on(replica, world, request)
        assert again.status_code == 400 and "REPLAYED" in again.json()["error_description"], again.text
    assert result_on(a, world, request).json() == results[0].json()  # the first result stands

    # the static QR route: 16 requests from one address alternating A and B meet one bucket of 10
    # (refilled at 0.5/s), not one per replica (which would let all 16 through)
    started = time.monotonic()
    codes = [
        httpx.get(f"{replica.url}/api/verifier/deeplink/vp/employee", timeout=30).status_code
        for replica in [a, b] * 8
    ]
    refilled = math.ceil((time.monotonic() - started) * 0.5)
    assert set(codes) == {200, 429}
    assert 10 <= codes.count(200) <= 10 + refilled, codes


def test_answers_racing_on_both_replicas_one_wins_and_is_called_back_once(two_verifiers: Verifiers) -> None:
    a, b, world, business = two_verifiers.a, two_verifiers.b, two_verifiers.world, two_verifiers.business
    outcomes: list[list[int]] = []
    opened = []
    for _ in range(RACES):
        request = fetch_on(a, open_on(world, b, isCallback="Y"))
        opened.append(request.transaction_id)
        codes: list[int] = []
        start = threading.Barrier(2)

        def post(
            replica: Replica, request: Request = request, codes: list[int] = codes, start: Any = start
        ) -> None:
            start.wait()
            codes.append(answer_on(replica, world, request).status_code)

        threads = [threading.Thread(target=post, args=(r,)) for r in (a, b)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        outcomes.append(sorted(codes))
        assert result_on(a, world, request).json() == result_on(b, world, request).json()
    assert outcomes == [[200, 400]] * RACES, outcomes
    wait_until(lambda: sorted(business.answered) == sorted(opened), 30, what="every callback")
    assert sorted(business.received) == sorted(opened), "a result was called back twice"
    wait_until(lambda: queued(two_verifiers.env) == 0, 30, what="the delivered callbacks to leave the queue")


def test_a_replica_killed_mid_flow_leaves_the_flow_and_its_callback_to_the_other(
    two_verifiers: Verifiers,
) -> None:
    a, b, world, business, env = (
        two_verifiers.a,
        two_verifiers.b,
        two_verifiers.world,
        two_verifiers.business,
        two_verifiers.env,
    )
    request = fetch_on(a, open_on(world, a))
    a.kill()  # after the request object was served, before the wallet answers
    assert answer_on(b, world, request).status_code == 200
    assert result_on(b, world, request).json()["verifyResult"] is True

    # B delivers a callback; the target holds it open while B is killed; a fresh replica C (the
    # operator restarting one) claims the delivery once B's lease has run out, and delivers it.
    business.release.clear()
    request = fetch_on(b, open_on(world, b, isCallback="Y"))
    assert answer_on(b, world, request).status_code == 200
    assert business.held.wait(30), "B never attempted the callback"
    b.kill()
    assert queued(env) == 1, "the callback left the queue with the replica that died"
    business.release.set()  # B's attempt is answered into a dead connection
    c = two_verifiers.started.start("verifier", two_verifiers.config, name="c", port=two_verifiers.port)
    wait_until(
        lambda: business.answered.count(request.transaction_id) == 2,
        90,
        what="the callback from the new replica",
    )
    assert business.received.count(request.transaction_id) == 2  # at least once: B's cut-off attempt, C's
    wait_until(lambda: queued(env) == 0, 30, what="the delivered callback to leave the queue")
    assert result_on(c, world, request).json()["verifyResult"] is True

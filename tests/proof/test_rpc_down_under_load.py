"""The chain's RPC cut for 30 s under resolution load: every answer still a 200, the staleness said
(X-Chain-Reachable: false, /health degraded), and the follower catches up once the RPC is back.

A `serve resolver` process follows Anvil through a SwitchableProxy; client threads resolve known
DIDs without pause; while the proxy is down, new entities are registered on the real chain
(directly, not through the proxy) and must resolve once it is back up.
"""

from __future__ import annotations

import time

import httpx
import pytest

from anvil.accounts import dev_account
from anvil.pump import EventPump
from tests.proof.support import HealthWatch, Load, identifiers, record, summarise
from tests.support.waiting import wait_until

pytestmark = pytest.mark.proof

KNOWN = 50
LATE = 5
THREADS = 4
OUTAGE = 30.0


def test_rpc_down_for_30s_under_load(chain, start_resolver, proxy):
    known_block = EventPump(
        chain.w3, chain.gateway("anchor"), "did:example:load", "load"
    ).register_children_range("did:example:known-", 0, KNOWN)
    resolver = start_resolver(env={"TRUST_LEDGER_RPC_URL": proxy.url})
    resolver.wait_for_block(known_block)
    paths = [identifiers(f"did:example:known-{i}") for i in range(KNOWN)]
    late = [f"did:example:late-{i}" for i in range(LATE)]
    anchor = chain.gateway("anchor")  # straight to Anvil, not through the proxy

    def resolves(did: str) -> bool:
        return resolver.get(identifiers(did)).status_code == 200

    with Load(resolver.url, paths, threads=THREADS) as load, HealthWatch(resolver.url, load) as health:
        time.sleep(3)
        down_at = load.now()
        proxy.down()
        late_blocks = []
        for number, did in enumerate(late):
            time.sleep(max(0.0, down_at + 2 + number * 5 - load.now()))
            late_blocks.append(anchor.register("root", f"late{number}", did, dev_account("dev4").address))
        wait_until(
            lambda: any(a.chain_reachable == "false" for a in load.between(down_at, load.now())),
            OUTAGE,
            what="an answer saying the chain is unreachable",
        )
        stale_probes = {did: resolver.get(identifiers(did)).status_code for did in late}
        time.sleep(max(0.0, down_at + OUTAGE - load.now()))
        up_at = load.now()
        proxy.up()
        wait_until(lambda: all(map(resolves, late)), 120, what="the entities registered meanwhile to resolve")
        caught_up_at = load.now()
        time.sleep(3)
    end = load.stopped

    answers = load.answers
    failed = [a for a in answers if not a.ok]
    assert not failed, f"{len(failed)} of {len(answers)} resolutions failed, e.g. {failed[:3]}"

    # The staleness is said while the RPC is down, and only then.
    before, during, after = (
        load.between(0, down_at),
        load.between(down_at, up_at),
        load.between(caught_up_at, end),
    )
    assert before and during and after
    # answered before the cut (a request sent just before it can be answered after the follower saw it)
    answered_before = [a for a in before if a.sent + a.seconds < down_at]
    assert answered_before and {a.chain_reachable for a in answered_before} == {"true"}
    unreachable = [a for a in answers if a.chain_reachable == "false"]
    assert unreachable and all(down_at <= a.sent + a.seconds and a.sent < caught_up_at for a in unreachable)
    assert {a.chain_reachable for a in after} == {"true"}
    degraded = [
        (at, body) for at, status, body in health.seen if status == 200 and body["status"] == "degraded"
    ]
    assert degraded, "/health never said degraded while the RPC was down"
    assert all(down_at <= at < caught_up_at and body["chainReachable"] is False for at, body in degraded)
    assert health.seen[-1][2]["status"] == "ok"

    # The views are stale, not wrong: what happened meanwhile is not there until the RPC is back.
    cut_block = max(a.block for a in before)
    assert max(a.block for a in during) <= cut_block
    assert stale_probes == dict.fromkeys(late, 404)
    assert min(a.block for a in after) >= late_blocks[-1].block_number
    for did in late:
        document = resolver.get(identifiers(did))
        assert document.status_code == 200 and document.json()["id"] == did
    assert httpx.get(resolver.url + "/health").json()["chainReachable"] is True

    first_false = min(a.sent for a in unreachable)
    last_false = max(a.sent for a in unreachable)
    reachable_again = min(a.sent for a in answers if a.sent >= up_at and a.chain_reachable == "true")
    overall = summarise(answers, end)
    record(
        "rpc-down",
        f"{overall['requests']} resolutions by {THREADS} threads over {end:.0f} s, "
        f"{overall['errors']} failed; RPC down {up_at - down_at:.1f} s: X-Chain-Reachable false "
        f"{first_false - down_at:.1f} s after the cut, for {last_false - first_false:.1f} s; "
        f"reachable again {reachable_again - up_at:.1f} s after it is back, and the {LATE} entities "
        f"registered meanwhile resolve {caught_up_at - up_at:.1f} s after; "
        f"p50 {overall['p50_ms']} ms, p99 {overall['p99_ms']} ms",
        {
            "threads": THREADS,
            "known_dids": KNOWN,
            "entities_registered_during_outage": LATE,
            "rpc_down_seconds": round(up_at - down_at, 2),
            "unreachable_said_after_cut_seconds": round(first_false - down_at, 2),
            "staleness_window_seconds": round(last_false - first_false, 2),
            "answers_saying_unreachable": len(unreachable),
            "health_degraded_seconds": round(
                max(at for at, _ in degraded) - min(at for at, _ in degraded), 2
            ),
            "reachable_again_after_rpc_back_seconds": round(reachable_again - up_at, 2),
            "caught_up_after_rpc_back_seconds": round(caught_up_at - up_at, 2),
            "ledger_block_at_cut": cut_block,
            "overall": overall,
            "before_cut": summarise(before, down_at),
            "rpc_down": summarise(during, up_at - down_at),
            "after_catch_up": summarise(after, end - caught_up_at),
        },
    )

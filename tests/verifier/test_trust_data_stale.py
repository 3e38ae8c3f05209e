"""Fail closed: over its real HTTP API the verifier refuses (TRUST_DATA_STALE, verifyResult false)
when its trust views are halted or stale, and says so in /health, the resolver's /health and the
metrics, with the block and the reason."""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from projections.service import watch_service
from resolver.app import create_app
from tests.support.netproxy import SwitchableProxy
from tests.support.verifier import ISSUER, World, serve_verifier
from tests.support.waiting import wait_until
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.chain.rpc import JsonRpc
from trust_ledger.metrics import metrics_response


def present(world: World) -> dict:
    """A valid SD-JWT presentation through DWVP-01-101, the wallet's direct_post and DWVP-01-201."""
    request = world.open_request("employee")
    world.post_vp(request, world.present_sd_jwt(world.sd_jwt(), request))
    return world.result(request)


def stale_reason(result: dict) -> str:
    """The TRUST_DATA_STALE message of a refused DWVP-01-201 result."""
    assert result["verifyResult"] is False, result
    (reason,) = result["reasons"]
    assert reason["code"] == "TRUST_DATA_STALE", result
    assert result["resultDescription"] == f"TRUST_DATA_STALE: {reason['message']}"
    return reason["message"]


def health(world: World) -> dict:
    response = httpx.get(world.url + "/health", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def gauges() -> dict[str, float]:
    body, _ = metrics_response()
    return {s.name: s.value for f in text_string_to_metric_families(body.decode()) for s in f.samples}


def test_a_halted_follower_makes_the_verifier_refuse_and_shows_everywhere(world: World) -> None:
    assert present(world)["verifyResult"] is True

    replaced = world.chain.w3.eth.block_number
    world.chain.w3.provider.make_request("anvil_reorg", [1, []])  # the block the views rely on changes
    wait_until(lambda: world.service.halted is not None, 60, "the follower to halt")

    message = stale_reason(present(world))
    assert f"the follower halted at block {replaced}" in message
    assert "reorg below the finality horizon" in message

    answer = health(world)
    assert answer["status"] == "degraded" and answer["halted"] is True
    assert answer["follower"]["haltedBlock"] == replaced
    assert "reorg below the finality horizon" in answer["follower"]["haltedReason"]
    assert answer["trustData"]["stale"] is True

    resolver = TestClient(create_app(world.service.views, chain_status=world.service.chain_status))
    resolver_health = resolver.get("/health").json()
    assert resolver_health["status"] == "degraded" and resolver_health["halted"] is True
    assert resolver_health["follower"]["haltedBlock"] == replaced
    document = resolver.get(f"/1.0/identifiers/{ISSUER}")
    assert document.status_code == 200, "the resolver keeps serving from the views, with its headers"
    assert document.headers["x-chain-reachable"] == "false"

    watch_service(world.service)
    values = gauges()
    assert values["trust_ledger_follower_halted"] == 1.0
    assert values["trust_ledger_follower_halted_block"] == replaced
    assert values["trust_ledger_trust_data_stale"] == 1.0


def world_behind(
    proxy: SwitchableProxy, chain, var: Path, **overrides
) -> contextlib.AbstractContextManager[World]:
    """The verifier world with its follower reading the chain through `proxy`."""
    reader = TrustGateway(JsonRpc(proxy.url, timeout=2), chain.deployment)
    return serve_verifier(chain, var, reader=reader, **overrides)


def test_the_chain_unreachable_for_longer_than_the_bound_makes_the_verifier_refuse(
    chain, proxy: SwitchableProxy, sqlite_var: Path
) -> None:
    with world_behind(proxy, chain, sqlite_var, trust_freshness={"max_pass_age": 4}) as world:
        wait_until(lambda: health(world)["status"] == "ok", 60, "a fresh pass")
        assert present(world)["verifyResult"] is True

        proxy.down()
        wait_until(lambda: health(world)["status"] == "degraded", 60, "the views to age past the bound")
        message = stale_reason(present(world))
        assert "the follower last reached the chain" in message and "(bound 4s)" in message
        assert "the views are at block" in message
        assert health(world)["halted"] is False, "unreachable is not halted: it recovers"

        proxy.up()
        wait_until(lambda: health(world)["status"] == "ok", 60, "the follower to reach the chain again")
        assert present(world)["verifyResult"] is True

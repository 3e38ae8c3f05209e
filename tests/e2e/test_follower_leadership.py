"""Several serving processes over one store: one follows the chain, the others stand by and take
over when it dies (issue 19). Real `serve resolver` processes, real Anvil, SIGKILL."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.test_resolver_http import PACKET, build, identifiers
from tests.support.stores import postgres_schema
from tests.support.waiting import wait_until

LEADER_GAUGE = re.compile(r"^trust_ledger_follower_leader (\S+)$", re.MULTILINE)


def leading(resolver) -> bool:
    match = LEADER_GAUGE.search(resolver.get("/metrics").text)
    assert match, "the resolver's /metrics has no trust_ledger_follower_leader gauge"
    return float(match.group(1)) == 1.0


def services_of(resolver, did: str) -> list[str]:
    return [service["id"] for service in resolver.get(identifiers(did)).json()["service"]]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_one_process_follows_and_a_standby_takes_over_when_it_is_killed(
    chain, start_resolver, tmp_path, backend
):
    with postgres_schema("lead") as pg_env:
        if backend == "postgres":
            shared = {"env": pg_env}
        else:  # two processes over the same SQLite files
            (tmp_path / "shared").mkdir()
            shared = {"var": tmp_path / "shared"}
        built = build(chain)
        first = start_resolver(**shared)
        first.wait_for_block(built["block"])
        second = start_resolver(**shared)
        assert leading(first)
        assert not leading(second), "two processes follow the chain at once"
        assert second.get("/health").json()["chainReachable"] is True  # the leader's report, read

        first.process.kill()
        first.process.wait(30)
        killed = time.monotonic()
        change = chain.gateway("dev2").add_service(PACKET, "verifier", "OID4VP", "https://pd.example/vp")
        wait_until(lambda: leading(second), 30, what="the standby to take the follower lease")
        takeover = time.monotonic() - killed
        second.wait_for_block(change.block_number)
        # every log recorded once: the change shows once, after the registration's service
        assert services_of(second, PACKET) == [f"{PACKET}#issuer", f"{PACKET}#verifier"]
        assert takeover < 10, f"the standby took {takeover:.1f}s to take over"
        print(f"{backend}: takeover {takeover:.2f}s after SIGKILL")
        second.process.terminate()
        second.process.wait(30)

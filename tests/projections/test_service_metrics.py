"""The ingest-lag gauges report how far the views are behind the chain head, exactly."""

from __future__ import annotations

from prometheus_client import REGISTRY

from anvil.accounts import dev_account
from projections.service import LedgerService, watch_service
from trust_ledger.chain.follower import Horizon


def gauge(name: str) -> float:
    value = REGISTRY.get_sample_value(name)
    assert value is not None, f"{name} is not exported"
    return value


def test_lag_is_the_head_minus_the_block_the_views_reflect(chain, sqlite_var) -> None:
    anchor = chain.gateway()
    for i in range(4):
        anchor.register("root", f"lag{i}", f"did:web:lag{i}.test", dev_account(f"dev{i}").address)
    service = LedgerService.open(chain.gateway(signer=None), Horizon(confirmations=0))
    try:
        watch_service(service)
        head = chain.w3.eth.get_block("latest")
        behind = 3
        assert service.follower is not None and service.projector is not None
        service.follower.poll(until_block=head["number"] - behind)
        service.projector.run_once()
        views = service.views.freshness()
        assert views.block_number == head["number"] - behind
        assert gauge("trust_ledger_views_block") == head["number"] - behind
        assert gauge("trust_ledger_ingest_lag_blocks") == behind
        assert gauge("trust_ledger_ingest_lag_seconds") == head["timestamp"] - views.block_time

        service.follower.poll()
        service.projector.run_once()
        assert gauge("trust_ledger_ingest_lag_blocks") == 0
        assert gauge("trust_ledger_ingest_lag_seconds") == 0
    finally:
        service.stop()

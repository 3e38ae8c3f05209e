"""Prometheus metrics of a serving process: ingest lag, follower halted and its last pass's age,
whether the trust data is stale, resolutions, verifications, errors by code.

Counters live in prometheus_client's default registry (one per process); the lag gauges read the
ledger service at scrape time. ``metrics_response`` renders the text exposition format for /metrics.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, generate_latest

from projections.api import FollowerStatus
from projections.trust_freshness import FreshnessBounds, TrustFreshness, judge_live_views

if TYPE_CHECKING:
    from trust_ledger.service import LedgerService

RESOLUTIONS = Counter(
    "trust_ledger_resolutions", "DID resolutions answered, by result (ok or the error code)", ["result"]
)
VERIFICATIONS = Counter(
    "trust_ledger_verifications", "Presentations decided, by result (trusted or the reason code)", ["result"]
)
ERRORS = Counter("trust_ledger_http_errors", "Error answers, by API family and code", ["api", "code"])
INGEST_LAG_BLOCKS = Gauge(
    "trust_ledger_ingest_lag_blocks", "Chain head minus the last block the views reflect"
)
INGEST_LAG_SECONDS = Gauge(
    "trust_ledger_ingest_lag_seconds", "Block time of the chain head minus that of the last block ingested"
)
VIEWS_BLOCK = Gauge("trust_ledger_views_block", "The chain block the views reflect")
CHAIN_REACHABLE = Gauge("trust_ledger_chain_reachable", "1 when the last follower pass reached the chain")
FOLLOWER_HALTED = Gauge(
    "trust_ledger_follower_halted", "1 when the follower writing the views has stopped for good (see /health)"
)
FOLLOWER_HALTED_BLOCK = Gauge(
    "trust_ledger_follower_halted_block", "The block the follower halted at (0 while it follows)"
)
FOLLOWER_PASS_AGE = Gauge(
    "trust_ledger_follower_last_pass_age_seconds",
    "Seconds since the follower last reached the chain (-1 when no follower ever reported)",
)
VIEWS_BEHIND_HORIZON = Gauge(
    "trust_ledger_views_behind_horizon_blocks", "The finality horizon minus the block the views are synced to"
)
TRUST_DATA_STALE = Gauge(
    "trust_ledger_trust_data_stale",
    "1 when the views are halted or stale by the default bounds: the issuer and verifier refuse",
)


def watch_service(service: LedgerService) -> None:
    """Make the lag and follower gauges read `service` (and the follower's status beside its views,
    so a read-only replica shows the following process's) whenever /metrics is scraped."""
    VIEWS_BLOCK.set_function(lambda: service.views.freshness().block_number or 0)
    CHAIN_REACHABLE.set_function(lambda: 1.0 if service.chain_status() else 0.0)
    INGEST_LAG_BLOCKS.set_function(lambda: _lag(service)[0])
    INGEST_LAG_SECONDS.set_function(lambda: _lag(service)[1])
    FOLLOWER_HALTED.set_function(lambda: 1.0 if _status(service).halted else 0.0)
    FOLLOWER_HALTED_BLOCK.set_function(lambda: float(_status(service).halted_block or 0))
    FOLLOWER_PASS_AGE.set_function(lambda: _pass_age(_status(service)))
    VIEWS_BEHIND_HORIZON.set_function(lambda: _behind(service))
    TRUST_DATA_STALE.set_function(lambda: 1.0 if _verdict(service).stale else 0.0)


def _status(service: LedgerService) -> FollowerStatus:
    return service.views.follower_status() or FollowerStatus(reported_at=0.0)


def _pass_age(status: FollowerStatus) -> float:
    return -1.0 if status.checked_at is None else max(0.0, time.time() - status.checked_at)


def _verdict(service: LedgerService) -> TrustFreshness:
    return judge_live_views(service.views, FreshnessBounds())


def _behind(service: LedgerService) -> float:
    verdict = _verdict(service)
    if verdict.horizon_block is None or verdict.views_block is None:
        return 0.0
    return float(max(0, verdict.horizon_block - verdict.views_block))


def _lag(service: LedgerService) -> tuple[float, float]:
    follower = service.follower
    head = follower.head if follower is not None else None
    freshness = service.views.freshness()
    if head is None or freshness.block_number is None:
        return 0.0, 0.0
    synced = max(freshness.block_number, _status(service).synced_block or -1)
    behind = max(0, head.number - synced)
    seen = freshness.block_time if freshness.block_time is not None else int(time.time())
    return float(behind), float(max(0, head.timestamp - seen)) if behind else 0.0


def metrics_response() -> tuple[bytes, str]:
    """The body and content type of a /metrics answer."""
    return generate_latest(), CONTENT_TYPE_LATEST

"""Prometheus metrics of a serving process: ingest lag, resolutions, verifications, errors by code.

Counters live in prometheus_client's default registry (one per process); the lag gauges read the
ledger service at scrape time. ``metrics_response`` renders the text exposition format for /metrics.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, generate_latest

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


def watch_service(service: LedgerService) -> None:
    """Make the lag gauges read `service` whenever /metrics is scraped."""
    VIEWS_BLOCK.set_function(lambda: service.views.freshness().block_number or 0)
    CHAIN_REACHABLE.set_function(lambda: 1.0 if service.chain_status() else 0.0)
    INGEST_LAG_BLOCKS.set_function(lambda: _lag(service)[0])
    INGEST_LAG_SECONDS.set_function(lambda: _lag(service)[1])


def _lag(service: LedgerService) -> tuple[float, float]:
    follower = service.follower
    head = follower.head if follower is not None else None
    freshness = service.views.freshness()
    if head is None or freshness.block_number is None:
        return 0.0, 0.0
    behind = max(0, head.number - freshness.block_number)
    seen = freshness.block_time if freshness.block_time is not None else int(time.time())
    return float(behind), float(max(0, head.timestamp - seen)) if behind else 0.0


def metrics_response() -> tuple[bytes, str]:
    """The body and content type of a /metrics answer."""
    return generate_latest(), CONTENT_TYPE_LATEST

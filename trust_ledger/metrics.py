"""Prometheus metrics of a serving process: ingest lag, follower halted and its last pass's age,
whether the trust data is stale, resolutions, verifications, errors by code.

Counters live in prometheus_client's default registry (one per process); the lag gauges read the
ledger service at scrape time (``projections.service.watch_service`` wires them).
``metrics_response`` renders the text exposition format for /metrics.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, generate_latest

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
FOLLOWER_LEADER = Gauge(
    "trust_ledger_follower_leader",
    "1 while this process holds the follower lease (follows and projects), 0 as a standby or replica",
)
TRUST_DATA_STALE = Gauge(
    "trust_ledger_trust_data_stale",
    "1 when the views are halted or stale by the default bounds: the issuer and verifier refuse",
)


def metrics_response() -> tuple[bytes, str]:
    """The body and content type of a /metrics answer."""
    return generate_latest(), CONTENT_TYPE_LATEST

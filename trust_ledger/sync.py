"""Read-your-writes: bring the ledger up to a transaction an admin command just sent."""

from __future__ import annotations

import time
from collections.abc import Callable

from trust_ledger.chain.follower import Follower, Horizon, Web3LogSource
from trust_ledger.chain.gateway import TrustGateway, TxResult
from trust_ledger.ledger import TrustLedger


def follower_for(gateway: TrustGateway, ledger: TrustLedger, horizon: Horizon) -> Follower:
    """A follower of the gateway's deployment into `ledger`."""
    return Follower(
        ledger,
        gateway.decoder,
        Web3LogSource(gateway.w3, gateway.decoder),
        start_block=gateway.deployment.deployment_block,
        horizon=horizon,
    )


def wait_until_ingested(
    result: TxResult,
    gateway: TrustGateway,
    ledger: TrustLedger,
    horizon: Horizon,
    timeout: float = 600.0,
    on_wait: Callable[[str], None] | None = None,
) -> None:
    """Return once the ledger holds every event of `result`.

    This process ingests up to the transaction's block itself, even when a follower runs
    elsewhere: ingestion is exactly-once, so whoever records a log first wins and the other
    skips it.
    """
    if not result.events:
        return
    target = max(event.position for event in result.events)
    follower = follower_for(gateway, ledger, horizon)
    deadline = time.monotonic() + timeout
    told = False
    while (ledger.position() or -1) < target:
        follower.poll(until_block=result.block_number)
        if (ledger.position() or -1) >= target:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"block {result.block_number} did not reach the finality horizon ({horizon.describe()}) "
                f"within {timeout:.0f}s; the transaction {result.tx_hash} is on chain, the ledger will follow"
            )
        if on_wait and not told:
            on_wait(f"waiting for block {result.block_number} to pass {horizon.describe()}")
            told = True
        time.sleep(1.0)

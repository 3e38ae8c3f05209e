"""Helpers of the follower tests (their fixtures are in tests/follower/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

from trust_ledger.chain.decoding import quantity
from trust_ledger.chain.follower import RpcLogSource
from trust_ledger.ledger import TrustLedger

PUMP_DID = "did:example:pump"


def follower_process_env(chain, var: Path) -> dict[str, str]:
    """The environment of a `trust-ledger` process on the test chain with its SQLite store in `var`."""
    env = {**os.environ, "TRUST_LEDGER_DEPLOYMENT": str(chain.manifest), "TRUST_LEDGER_VAR": str(var)}
    for name in ("PERSISTENCE_MODULE", "TRUSTLEDGER_PERSISTENCE_MODULE", "TRUST_LEDGER_RPC_URL"):
        env.pop(name, None)
    return env


def sqlite_ledger(var: Path) -> TrustLedger:
    """The ledger a `trust-ledger` process with TRUST_LEDGER_VAR=`var` writes (SQLite, var/ledger.sqlite)."""
    return TrustLedger(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "TRUSTLEDGER_PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(var / "ledger.sqlite"),
        }
    )


def chain_log_positions(chain) -> list[int]:
    """The position (block * 10^6 + log index) of every log of our contracts on the chain, in order."""
    reader = chain.gateway(None)
    source = RpcLogSource(reader.rpc, reader.decoder)
    raw_logs = source.get_logs(chain.deployment.deployment_block, reader.block_number())
    return sorted(
        quantity(raw["blockNumber"]) * 1_000_000 + quantity(raw["logIndex"])
        for raw in raw_logs
        if reader.decoder.is_ours(raw)
    )


def assert_ledger_is_chain_prefix(ledger: TrustLedger, chain_positions: list[int]) -> int:
    """The ledger holds exactly the chain's logs up to its tracked position, a prefix of the chain
    with no gap and no duplicate, its cursor agrees, and replaying its whole notification log from
    zero gives its current state. Returns the tracked position (0 when nothing is ingested yet).

    Every log of these tests lands in one entity's history (registrations, services, ...)."""
    tracked = ledger.position() or 0
    cursor = ledger.cursor()
    if cursor is not None:
        assert cursor.position == tracked, f"cursor at {cursor.position}, tracking at {tracked}"
    histories = [[item["position"] for item in ledger.history(e["did"])] for e in ledger.all_entities()]
    for history in histories:
        assert history == sorted(set(history)), "an entity's history is out of order or repeats a log"
    held = sorted(position for history in histories for position in history)
    expected = [position for position in chain_positions if position <= tracked]
    if held != expected:
        missing = sorted(set(expected) - set(held))[:5]
        extra = sorted(set(held) - set(expected))[:5]
        raise AssertionError(
            f"the ledger is not the chain's prefix up to {tracked}: {len(held)} events held, "
            f"{len(expected)} on chain; missing {missing}, extra {extra}, "
            f"{len(held) - len(set(held))} duplicates"
        )
    assert ledger.replay_state() == ledger.current_state(), "replay from zero differs from the state"
    return tracked

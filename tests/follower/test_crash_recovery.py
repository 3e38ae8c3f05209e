"""kill -9 the follower process during a 10,000-event catch-up: no loss, no duplicate."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time

from tests.cli_process import CLI
from tests.conftest import wait_until
from tests.follower.conftest import PUMP_DID
from trust_ledger.store import open_ledger

EVENTS = 10_000
KILLS = 5


def test_sigkill_during_catch_up_loses_and_duplicates_nothing(chain, pump, tmp_path):
    pump(EVENTS)
    env = {**os.environ, "TRUST_LEDGER_DEPLOYMENT": str(chain.manifest), "TRUST_LEDGER_VAR": str(tmp_path)}
    for name in ("PERSISTENCE_MODULE", "TRUSTLEDGER_PERSISTENCE_MODULE"):
        env.pop(name, None)
    command = [*CLI, "follow", "--poll-interval", "0.1"]
    ledger_file = tmp_path / "ledger.sqlite"

    def tracked_position() -> int:
        if not ledger_file.exists():
            return 0
        ledger = open_ledger(tmp_path)
        try:
            return ledger.position() or 0
        finally:
            ledger.close()

    final_position = chain.w3.eth.block_number * 1_000_000
    rng = random.Random(20261124)
    kill_points = []
    for _ in range(KILLS):
        before = tracked_position()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(
                lambda b=before, p=process: tracked_position() > b or p.poll() is not None,
                timeout=120,
                what="the follower to make progress",
            )
            time.sleep(rng.uniform(0.0, 0.5))  # a random moment to pull the plug, not a wait for a result
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        kill_points.append(tracked_position())
    assert any(point < final_position for point in kill_points), f"no kill landed mid-catch-up: {kill_points}"

    subprocess.run([*CLI, "follow", "--once"], env=env, check=True, capture_output=True, timeout=300)

    gateway = chain.gateway(None)
    node = gateway.node_of(PUMP_DID)
    chain_logs = gateway.w3.eth.get_logs(
        {"fromBlock": 0, "toBlock": "latest", "address": gateway.registry.address, "topics": [None, node]}
    )
    chain_positions = [log["blockNumber"] * 1_000_000 + log["logIndex"] for log in chain_logs]
    ledger = open_ledger(tmp_path)
    history_positions = [entry["position"] for entry in ledger.history(PUMP_DID)]
    assert len(chain_positions) == EVENTS + 1  # registration + every ServiceAdded
    assert history_positions == sorted(chain_positions), (
        "the ledger must equal the chain: no loss, no duplicate"
    )
    assert len(ledger.entity_by_did(PUMP_DID)["services"]) == EVENTS
    assert ledger.replay_state() == ledger.current_state()

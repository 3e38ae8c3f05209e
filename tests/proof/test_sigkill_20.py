"""kill -9 the `trust-ledger follow` process 20 times during a 10,000-event catch-up.

After each kill the store must equal the chain up to what it has ingested (a prefix of the chain's
logs, no gap, no duplicate; replay from zero equals the state); a final `follow --once` then makes
it equal completely.

Where a kill lands: each run is killed at a random moment after it has opened the ledger (its
"following chain" line). Most runs are killed uniformly within the time a run takes from there to
its first commit: while it fetches, decodes or writes its first batch. That time is measured as the
test goes and scaled to what is left to ingest (decoding every remaining log comes before the first
commit). Three runs, one in each third of the kills, are let commit once and are killed uniformly
within a quarter of that time after it: while they write their second batch. A run that happens to
finish the whole catch-up before its kill does not count (a machine faster than the estimate): its
store is checked complete and the next run starts a new catch-up into a fresh store, so all 20
counted kills land mid-catch-up.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.proof.support import record
from tests.support.cli_process import CLI
from tests.support.follower import (
    PUMP_DID,
    assert_ledger_is_chain_prefix,
    chain_log_positions,
    follower_process_env,
    sqlite_ledger,
)

pytestmark = pytest.mark.proof

EVENTS = 10_000
KILLS = 20
MAX_RUNS = 40
SEED = int(os.environ.get("PROOF_SEED", "20261124"))


def tracked_position(var: Path) -> int:
    """The follower's committed chain position, read straight from its SQLite tracking table
    (cheap enough to poll every 10 ms; only used to time the kills, never to judge the store)."""
    try:
        connection = sqlite3.connect(f"file:{var / 'ledger.sqlite'}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return 0
    try:
        row = connection.execute(
            "SELECT max(notification_id) FROM tracking WHERE application_name LIKE 'chain-%'"
        ).fetchone()
        return row[0] or 0
    except sqlite3.Error:
        return 0
    finally:
        connection.close()


class FollowerRun:
    """One `trust-ledger follow` process; knows when it opened the ledger (its first stderr line)."""

    def __init__(self, env: dict[str, str]):
        self.process = subprocess.Popen(
            [*CLI, "follow", "--poll-interval", "0.1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.opened = threading.Event()
        self.opened_at = 0.0
        self.stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)
            if line.startswith("following chain") and not self.opened.is_set():
                self.opened_at = time.monotonic()
                self.opened.set()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


def test_sigkill_20_times_during_catch_up_loses_and_duplicates_nothing(chain, pump, tmp_path):
    started = time.monotonic()
    pump(EVENTS)
    pumped = time.monotonic() - started
    chain_positions = chain_log_positions(chain)
    assert len(chain_positions) == EVENTS + 2  # the root's and the pump's registrations, every ServiceAdded
    final = chain_positions[-1]
    rng = random.Random(SEED)

    store = 0
    var = tmp_path / f"store-{store}"
    var.mkdir()
    thirds = [range(i * KILLS // 3, (i + 1) * KILLS // 3) for i in range(3)]
    let_commit = {rng.choice(third) for third in thirds}  # kills that come after the run's first commit
    # Seconds from opening the ledger to the first commit, and how many logs were left then.
    first_commit, left_then = 2.5, len(chain_positions)
    kills: list[dict] = []
    runs = 0
    while len(kills) < KILLS:
        runs += 1
        assert runs <= MAX_RUNS, f"only {len(kills)} kills landed mid-catch-up in {MAX_RUNS} runs"
        after_commit = len(kills) in let_commit
        before = tracked_position(var)
        run = FollowerRun(follower_process_env(chain, var))
        try:
            assert run.opened.wait(120), f"the follower did not start: {''.join(run.stderr)[-2000:]}"
            left = sum(1 for p in chain_positions if p > before)
            expected = first_commit * (left + 4_000) / (left_then + 4_000)  # ~ decode all + 1 batch
            delay = rng.uniform(0.0, 0.25 if after_commit else 1.0) * expected
            deadline = None if after_commit else delay
            commits: list[float] = []
            seen = before
            while deadline is None or time.monotonic() - run.opened_at < deadline:
                assert run.process.poll() is None, f"the follower exited: {''.join(run.stderr)[-2000:]}"
                assert time.monotonic() - run.opened_at < 120, "the follower made no progress in 120 s"
                position = tracked_position(var)
                if position > seen:
                    commits.append(time.monotonic() - run.opened_at)
                    seen = position
                    if deadline is None:
                        deadline = commits[0] + delay
                time.sleep(0.01)
        finally:
            killed_at = time.monotonic() - run.opened_at
            run.kill()
        after = tracked_position(var)
        if commits:
            first_commit, left_then = commits[0], left

        ledger = sqlite_ledger(var)
        try:
            position = assert_ledger_is_chain_prefix(ledger, chain_positions)
        finally:
            ledger.close()
        assert position == after
        if position >= final:  # this run finished the catch-up before its kill: start a new one
            store += 1
            var = tmp_path / f"store-{store}"
            var.mkdir()
            continue
        kills.append(
            {
                "store": store,
                "killed_after_open_s": round(killed_at, 3),
                "expected_first_commit_s": round(expected, 3),
                "planned": "after its first commit" if after_commit else "before its first commit",
                "commits_in_run": len(commits),
                "position_before": before,
                "position_after": position,
                "events_held": sum(1 for p in chain_positions if p <= position),
            }
        )

    completion = subprocess.run(
        [*CLI, "follow", "--once"],
        env=follower_process_env(chain, var),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completion.returncode == 0, completion.stderr
    ledger = sqlite_ledger(var)
    try:
        assert assert_ledger_is_chain_prefix(ledger, chain_positions) >= final  # equal: the whole chain
        assert len(ledger.entity_by_did(PUMP_DID)["services"]) == EVENTS
    finally:
        ledger.close()

    mid_batch = sum(k["commits_in_run"] == 0 for k in kills)
    held = [k["events_held"] for k in kills]
    record(
        "sigkill-20",
        f"{KILLS} SIGKILLs during a {EVENTS:,}-event catch-up ({runs} runs, {store + 1} catch-up(s)); "
        f"store = chain prefix after every kill; {mid_batch} kills before the run's first commit, "
        f"{KILLS - mid_batch} after 1+ commits; events held at the kills {min(held)}..{max(held)}; "
        "final follow --once: equal",
        {
            "events": EVENTS,
            "kills": KILLS,
            "runs": runs,
            "catch_ups": store + 1,
            "seed": SEED,
            "kills_before_first_commit_of_run": mid_batch,
            "kills_after_commits": KILLS - mid_batch,
            "kill_points": kills,
            "pump_seconds": round(pumped, 1),
            "total_seconds": round(time.monotonic() - started, 1),
        },
    )

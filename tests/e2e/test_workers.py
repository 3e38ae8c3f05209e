"""`serve resolver --workers N`: N processes on one port (SO_REUSEPORT), one of them following the
chain, a worker that dies started again (issue 19 item 3). Real processes, real Anvil, SIGKILL."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx

from tests.e2e.test_follower_leadership import leading
from tests.e2e.test_resolver_http import PACKET, build, identifiers
from tests.support.waiting import wait_until


def children(pid: int) -> set[int]:
    """The live child processes of `pid` (read from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def flock_holders(path: Path) -> set[int]:
    """The processes holding a flock on `path` (from /proc/locks)."""
    inode = path.stat().st_ino
    holders = set()
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if "FLOCK" in parts and parts[-3].endswith(f":{inode}"):
            holders.add(int(parts[4]))
    return holders


def sample_leaders(resolver, connections: int = 40) -> list[bool]:
    """The leader gauge as answered over `connections` new connections (spread over the workers)."""
    return [leading(resolver) for _ in range(connections)]


def test_workers_share_the_port_one_follows_and_a_killed_worker_is_replaced(chain, start_resolver):
    built = build(chain)
    pool = start_resolver(serve_options=["--workers", "2"])
    pool.wait_for_block(built["block"])
    wait_until(lambda: len(children(pool.process.pid)) == 2, 30, what="two workers")
    seen = sample_leaders(pool)
    assert True in seen and False in seen, "not two workers answering, one of them the leader"

    lock = next(pool.var.glob("*.follower.lock"))
    (leader,) = flock_holders(lock)
    assert leader in children(pool.process.pid)
    os.kill(leader, signal.SIGKILL)
    change = chain.gateway("dev2").add_service(PACKET, "verifier", "OID4VP", "https://pd.example/vp")

    def replaced() -> bool:
        workers = children(pool.process.pid)
        return len(workers) == 2 and leader not in workers

    wait_until(replaced, 30, what="the pool to start a new worker")
    pool.wait_for_block(change.block_number)  # a standby took over following
    (new_leader,) = flock_holders(lock)
    assert new_leader != leader
    answers = [httpx.get(pool.url + identifiers(PACKET), timeout=30) for _ in range(20)]
    assert {answer.status_code for answer in answers} == {200}
    assert [s["id"] for s in answers[0].json()["service"]] == [f"{PACKET}#issuer", f"{PACKET}#verifier"]

    pool.process.terminate()  # the pool stops its workers
    pool.process.wait(30)
    assert children(pool.process.pid) == set()

"""Resolver throughput and latency against on-chain resolution and a trivial endpoint, one run.

One fresh Anvil; a registry grown from 1,000 to 10,000 (and optionally 100,000) entities by
an EventPump; 20 "hot" DIDs with 100 versions each. The views (SQLite) are written in this
process; a separate `trust-ledger serve resolver --no-follow` process serves them, and
client threads here measure it over HTTP. Baselines measured in the same run:
- the trivial endpoint GET /1.0/methods of the same server (HTTP's own cost, the limit);
- resolution straight from the chain (contract calls + eth_getLogs over the DID's node and a
  fold of its events, the ethr-did-resolver way), for DIDs with 1 and with 100 versions.

    python bench/resolve.py [--entities 10000] [--large 100000] [--requests 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from rich.console import Console
from rich.table import Table

from anvil.accounts import dev_account
from anvil.devchain import ephemeral_chain, free_port, port_open
from anvil.pump import EventPump
from bench.chain_resolution import resolve_from_chain
from projections import Projector, open_views
from trust_ledger.chain.follower import Horizon, follower_for
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.chain.rpc import JsonRpc
from trust_ledger.ledger import TrustLedger

RESULTS = Path(__file__).with_name("results")
PREFIX = "did:example:e"
HOT = 20
CLI = [sys.executable, "-c", "from trust_ledger.cli import main; main()"]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def http_load(base: str, paths: list[str], threads: int) -> dict[str, float]:
    """GET every path once, spread over `threads` keep-alive clients; rate and latency percentiles."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()

    def worker(share: list[str]) -> None:
        mine: list[float] = []
        with httpx.Client(base_url=base, timeout=30) as client:
            for path in share:
                started = time.perf_counter()
                response = client.get(path)
                mine.append(time.perf_counter() - started)
                if response.status_code != 200:
                    failures.append(response.status_code)
        with lock:
            latencies.extend(mine)

    shares = [paths[i::threads] for i in range(threads)]
    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(share,)) for share in shares]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} failed requests, e.g. HTTP {failures[0]}")
    return {
        "per_second": len(paths) / elapsed,
        "p50_ms": percentile(latencies, 0.5) * 1e3,
        "p99_ms": percentile(latencies, 0.99) * 1e3,
    }


def chain_load(gateway: TrustGateway, dids: list[str]) -> dict[str, float]:
    latencies = []
    for did in dids:
        started = time.perf_counter()
        resolve_from_chain(gateway, did)
        latencies.append(time.perf_counter() - started)
    total = sum(latencies)
    return {
        "per_second": len(dids) / total,
        "p50_ms": percentile(latencies, 0.5) * 1e3,
        "p99_ms": percentile(latencies, 0.99) * 1e3,
    }


def identifiers(did: str) -> str:
    return "/1.0/identifiers/" + quote(did, safe="")


class Registry:
    """The chain, the ledger and the views of the benchmark, grown in steps."""

    def __init__(self, w3, deployment, directory: str):
        self.gateway = TrustGateway(JsonRpc(deployment.rpc_url), deployment)
        self.pump = EventPump(w3, self.gateway.with_signer(dev_account("anchor")), "did:example:bench")
        self.env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": f"{directory}/ledger.sqlite",
        }
        self.ledger = TrustLedger(env=self.env)
        self.views = open_views(self.env)
        self.follower = follower_for(self.gateway, self.ledger, Horizon())
        self.projector = Projector(self.ledger, self.views.recorder)
        self.size = 0
        self.timings: dict[str, float] = {}

    def grow_to(self, size: int, console: Console) -> None:
        console.print(f"registering entities {self.size:,}..{size:,} on chain ...")
        self.pump.register_children_range(PREFIX, self.size, size - self.size)
        self.size = size
        self.catch_up(f"{size:,} entities")

    def catch_up(self, label: str) -> None:
        started = time.perf_counter()
        self.follower.poll()
        followed = time.perf_counter()
        self.projector.run_once()
        projected = time.perf_counter()
        self.timings[f"follow ({label})"] = followed - started
        self.timings[f"project ({label})"] = projected - followed


def serve_views(env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [*CLI, "serve", "resolver", "--no-follow", "--port", str(port)],
        env={**os.environ, **env, "TRUST_LEDGER_DEPLOYMENT": "/nonexistent"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not port_open(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the resolver did not start")
        time.sleep(0.1)
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=0, help="also measure p50 at this registry size")
    parser.add_argument("--requests", type=int, default=3_000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    console = Console()
    rng = random.Random(7)
    rows: dict[str, dict[str, float]] = {}

    with ephemeral_chain() as (w3, deployment), tempfile.TemporaryDirectory() as directory:
        registry = Registry(w3, deployment, directory)
        registry.grow_to(1_000, console)
        hot = [f"{PREFIX}{i}" for i in range(HOT)]
        for did in hot:  # 99 more changes: 100 versions each
            registry.pump.pump(99, 99, node=registry.gateway.node_of(did), first=0)
        registry.catch_up("hot DIDs")
        port = free_port()
        server = serve_views(registry.env, port)
        base = f"http://127.0.0.1:{port}"
        try:

            def cold_paths(count: int) -> list[str]:
                return [identifiers(f"{PREFIX}{rng.randrange(HOT, registry.size)}") for _ in range(count)]

            http_load(base, cold_paths(300), args.threads)  # warm-up
            rows["HTTP resolve, 1,000 entities"] = http_load(base, cold_paths(args.requests), args.threads)
            registry.grow_to(args.entities, console)
            size = f"{args.entities:,} entities"
            rows["trivial JSON endpoint (HTTP limit)"] = http_load(
                base, ["/1.0/methods"] * args.requests, args.threads
            )
            rows[f"HTTP resolve, 1 version, {size}"] = http_load(
                base, cold_paths(args.requests), args.threads
            )
            rows[f"HTTP resolve, 100 versions, {size}"] = http_load(
                base, [identifiers(rng.choice(hot)) for _ in range(args.requests)], args.threads
            )
            cold_dids = [f"{PREFIX}{rng.randrange(HOT, registry.size)}" for _ in range(200)]
            rows[f"chain resolve, 1 version, {size}"] = chain_load(registry.gateway, cold_dids)
            rows[f"chain resolve, 100 versions, {size}"] = chain_load(
                registry.gateway, [rng.choice(hot) for _ in range(200)]
            )
            if args.large:
                registry.grow_to(args.large, console)
                rows[f"HTTP resolve, {args.large:,} entities"] = http_load(
                    base, cold_paths(args.requests), args.threads
                )
        finally:
            server.terminate()
            server.wait(30)

    baseline = rows["trivial JSON endpoint (HTTP limit)"]
    table = Table(title=f"resolution, {args.threads} client threads, {args.requests:,} requests per HTTP row")
    for column in ("what", "per s", "p50 ms", "p99 ms", "p50 x trivial"):
        table.add_column(column, justify="left" if column == "what" else "right")
    for name, row in rows.items():
        table.add_row(
            name,
            f"{row['per_second']:,.0f}",
            f"{row['p50_ms']:.2f}",
            f"{row['p99_ms']:.2f}",
            f"{row['p50_ms'] / baseline['p50_ms']:.1f}",
        )
    console.print(table)
    for name, seconds in registry.timings.items():
        console.print(f"  {name}: {seconds:.1f} s")

    RESULTS.mkdir(exist_ok=True)
    report = {
        "benchmark": "resolve",
        "threads": args.threads,
        "requests": args.requests,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "rows": rows,
        "p50_ratio_to_trivial": {name: row["p50_ms"] / baseline["p50_ms"] for name, row in rows.items()},
        "catch_up_seconds": registry.timings,
    }
    (RESULTS / "resolve.json").write_text(json.dumps(report, indent=2) + "\n")
    console.print(f"written {RESULTS / 'resolve.json'}")


if __name__ == "__main__":
    main()

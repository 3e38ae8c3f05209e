"""Resolver throughput and latency over HTTP, measured with wrk beside its peers in one run.

One fresh Anvil. Ours: a registry of `--entities` entities (an EventPump registers them on chain,
the follower and projector of this process write the SQLite views), `--dids` DIDs each with 1, 10
and 100 changes (the registration, then ServiceAdded events), served by a separate
`trust-ledger serve resolver --no-follow` process. Baselines measured in the same run, on the
same chain and machine, with the same wrk (`-t<threads> -c<connections>`, `--duration` seconds
after a one-second warm-up, a Lua script cycling through the DIDs of a row; any non-2xx answer
or socket error fails the run):
- the peer: ethr-did-resolver on an ERC-1056 EthereumDIDRegistry deployed on the same Anvil,
  `--dids` did:ethr identities with 1, 10 and 100 changes (service attributes, one block each),
  behind a minimal Node HTTP server (bench/ethr_peer.cjs);
- nginx (two workers, no access log) serving the bytes our resolver answers for one DID, from a
  file: the ceiling of HTTP on this machine.
Rows: current resolution per history length (ours and the peer), one DID (ours and nginx),
historical resolution (`versionId`, `versionTime`, halfway through a 100-change history) against
current resolution of the same DIDs, and the scale pair: random DIDs at `--entities` entities
(served from a copy of the stores made then) beside the registry grown to `--large` in the ledger
and random DIDs among all of them, the two measured one after the other. Every row is run
`--repeat` times, round after round (so drift touches all rows alike); the median is reported.

    python -m bench.resolve [--entities 1000] [--large 100000] [--dids 10] [--duration 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from eth_utils import keccak
from rich.console import Console
from rich.table import Table

from anvil.accounts import dev_account
from anvil.devchain import ephemeral_chain, free_port
from anvil.pump import EventPump
from bench.ethr_peer import EthrRegistry, ethr_resolver_serving
from bench.httpbench import nginx_serving, run_wrk, wait_for_port, wrk_available
from bench.profiling import print_profile, summarize
from bench.results_dir import RESULTS
from bench.summary import resolver_rows
from projections import Projector, open_views
from trust_ledger.chain.follower import Horizon, follower_for
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.chain.rpc import JsonRpc
from trust_ledger.domain.chain_log import ChainLog
from trust_ledger.ledger import TrustLedger

PREFIX = "did:example:e"
HISTORIES = "1,10,100"
"""Changes per DID, one row each (the registration is the first; the last is the historical rows')."""
SCALE_SAMPLE = 500  # random DIDs per scale row
CLI = [sys.executable, "-c", "from trust_ledger.cli import main; main()"]


def identifiers(did: str, query: str = "") -> str:
    return "/1.0/identifiers/" + quote(did, safe="") + (f"?{query}" if query else "")


class Registry:
    """The chain, the ledger and the views of the benchmark, grown in steps."""

    def __init__(self, w3: Any, deployment: Any, directory: str):
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
        self.seeded = False
        self.registered_in = 0  # the block of the last registration on chain
        self.timings: dict[str, float] = {}

    def grow_to(self, size: int, console: Console) -> None:
        console.print(f"registering entities {self.size:,}..{size:,} on chain ...")
        started = time.perf_counter()
        self.registered_in = self.pump.register_children_range(PREFIX, self.size, size - self.size)
        self.timings[f"register on chain ({size:,} entities)"] = time.perf_counter() - started
        self.size = size
        self.catch_up(f"{size:,} entities")

    def seed_to(self, size: int, console: Console, per_block: int = 1_000) -> None:
        """Grow the registry to `size` entities in the ledger and views only, not on chain (on a busy
        2-core machine the pump registered the first 1,000 at a few hundred a second, and 99,000 more
        took over six minutes before the follower even started): EntityRegistered logs exactly as
        the pump's registrations emit them (the last real one copied, with the next labels, DIDs,
        nodes and log positions, 1,000 to a block after the chain's head) ingested by the ledger,
        then projected into the views as the follower's are. The chain is not followed again."""
        template = self._last_registration()
        parent = bytes.fromhex(template.args["parent"][2:])
        first_block = int(self.gateway.rpc.call("eth_blockNumber"), 16) + 1
        console.print(f"seeding entities {self.size:,}..{size:,} into the ledger (not on chain) ...")
        started = time.perf_counter()
        for offset in range(0, size - self.size, per_block):
            block = first_block + offset // per_block
            batch = []
            for log_index, i in enumerate(
                range(self.size + offset, min(size, self.size + offset + per_block))
            ):
                label = f"e{i}"
                node = keccak(parent + keccak(text=label))
                batch.append(
                    replace(
                        template,
                        block_number=block,
                        block_hash="0x" + keccak(text=f"bench block {block}").hex(),
                        block_time=template.block_time + 1 + offset // per_block,
                        tx_hash="0x" + keccak(text=f"bench tx {block}").hex(),
                        log_index=log_index,
                        args={
                            **template.args,
                            "node": "0x" + node.hex(),
                            "label": label,
                            "did": f"{PREFIX}{i}",
                        },
                    )
                )
            self.ledger.ingest(batch)
        self.seeded = True
        self.timings[f"seed the ledger ({size:,} entities)"] = time.perf_counter() - started
        started = time.perf_counter()
        self.projector.run_once()
        self.timings[f"project ({size:,} entities)"] = time.perf_counter() - started
        self.size = size

    def _last_registration(self) -> ChainLog:
        """The EntityRegistered log of the last entity the pump registered on chain."""
        did = f"{PREFIX}{self.size - 1}"
        block = hex(self.registered_in)
        raw_logs = self.gateway.rpc.call(
            "eth_getLogs", {"fromBlock": block, "toBlock": block, "address": self.gateway.registry.address}
        )
        for raw in reversed(raw_logs):
            log = self.gateway.decoder.decode(raw, 0)
            if log.event == "EntityRegistered" and log.args["did"] == did:
                block_time = int(
                    self.gateway.rpc.call("eth_getBlockByNumber", raw["blockNumber"], False)["timestamp"], 16
                )
                return replace(log, block_time=block_time)
        raise SystemExit(f"no EntityRegistered log of {did} in block {self.registered_in}")

    def add_services(self, did: str, count: int) -> None:
        """`count` ServiceAdded events on `did` (a child of the pump, so the pump controls it)."""
        if count:
            self.pump.pump(count, count, node=self.gateway.node_of(did), first=0)

    def catch_up(self, label: str) -> None:
        if self.seeded:
            raise RuntimeError("the ledger was seeded past the chain: it cannot follow the chain again")
        started = time.perf_counter()
        self.follower.poll()
        followed = time.perf_counter()
        self.projector.run_once()
        projected = time.perf_counter()
        self.timings[f"follow ({label})"] = followed - started
        self.timings[f"project ({label})"] = projected - followed


def copy_stores(env: dict[str, str], directory: Path) -> dict[str, str]:
    """A consistent copy of the SQLite ledger and views of `env` (the backup API) in `directory`:
    the environment that names it."""
    directory.mkdir()
    source = Path(env["SQLITE_DBNAME"])
    for name in (source.name, f"{source.stem}-views{source.suffix}"):  # projections.env's file beside
        found, copy = sqlite3.connect(source.with_name(name)), sqlite3.connect(directory / name)
        try:
            found.backup(copy)
        finally:
            copy.close()
            found.close()
    return {**env, "SQLITE_DBNAME": str(directory / source.name)}


def serve_views(env: dict[str, str], workers: int, *, replay: bool = True) -> tuple[subprocess.Popen, str]:
    """`trust-ledger serve resolver --no-follow --workers N` over the views, as an operator starts it
    (`replay=False`: TRUST_LEDGER_RESOLVER_REPLAY=0, every resolution rendered by the full route)."""
    port = free_port()
    settings = {"TRUST_LEDGER_DEPLOYMENT": "/nonexistent"}
    if not replay:
        settings["TRUST_LEDGER_RESOLVER_REPLAY"] = "0"
    process = subprocess.Popen(
        [*CLI, "serve", "resolver", "--no-follow", "--port", str(port), "--workers", str(workers)],
        env={**os.environ, **env, **settings},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, process, "the resolver")
    return process, f"http://127.0.0.1:{port}"


REQUEST_PARTS = (
    "httptools_impl.py:run_asgi",  # a request, from the parsed HTTP to the answer written
    "hot_path.py:__call__",  # the resolver's part of it
    "hot_path.py:_state",  # its freshness check of the views (a read only after a commit, on SQLite)
    "httptools_impl.py:send",  # uvicorn writing the answer
)
"""The parts of a request a resolver profile states the cumulative time of."""


def profile_one_did(env: dict[str, str], path: str, wrk: dict[str, float], directory: str) -> dict[str, Any]:
    """A cProfile of a `serve resolver --no-follow` process (one worker, its event loop's thread)
    while wrk asks it for `path`; dumped when it stops on SIGINT."""
    out = Path(directory) / "resolver.prof"
    port = free_port()
    code = (
        "import cProfile, sys; from trust_ledger.cli import main; "
        f"sys.argv = ['trust-ledger', *sys.argv[1:]]; cProfile.run('main()', {str(out)!r})"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "resolver", "--no-follow", "--port", str(port)],
        env={**os.environ, **env, "TRUST_LEDGER_DEPLOYMENT": "/nonexistent"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, "the profiled resolver")
        run_wrk(f"http://127.0.0.1:{port}", [path], **wrk)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(60)
    return summarize(pstats.Stats(str(out)), cumulative_of=REQUEST_PARTS)


def checked_get(client: httpx.Client, url: str) -> httpx.Response:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: HTTP {response.status_code} {response.text[:300]}")
    return response


def version_time_query(client: httpx.Client, base: str, did: str, version: int) -> str:
    """`versionTime=` the time version `version` of `did` was made (its metadata's `updated`, or
    `created` for the first)."""
    url = base + identifiers(did, f"versionId={version}")
    response = client.get(url, headers={"Accept": "application/did-resolution"})
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: HTTP {response.status_code} {response.text[:300]}")
    body = response.json()
    metadata = body["didDocumentMetadata"]
    made = metadata.get("updated", metadata["created"])  # the first version has no `updated`
    return "versionTime=" + quote(made, safe="")


def median_row(samples: list[dict[str, float]]) -> dict[str, Any]:
    row: dict[str, Any] = {
        key: statistics.median(sample[key] for sample in samples)
        for key in ("per_second", "p50_ms", "p90_ms", "p99_ms", "bytes_per_response")
    }
    row["rounds"] = samples
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000, help="0 skips the scale pair's second row")
    parser.add_argument("--dids", type=int, default=10, help="DIDs per history length, ours and the peer's")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of wrk before each run, dropped")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (the median is reported)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--changes", default=HISTORIES, help="changes per DID, one row each, comma-separated")
    parser.add_argument(
        "--workers", type=int, default=2, help="our resolver's processes (one more runs with 1)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile a 1-worker resolver serving one DID under wrk"
    )
    args = parser.parse_args()
    if not wrk_available():
        raise SystemExit("wrk is not installed (Debian package wrk; `make bench` installs it)")
    console = Console(width=150)
    histories = tuple(int(n) for n in args.changes.split(","))
    rng = random.Random(7)
    samples: dict[str, list[dict[str, float]]] = {}
    profiled: dict[str, Any] = {}
    wrk = {
        "threads": args.threads,
        "connections": args.connections,
        "duration": args.duration,
        "warmup": args.warmup,
    }

    def measure(name: str, base: str, paths: list[str]) -> None:
        result = run_wrk(base, paths, **wrk)
        samples.setdefault(name, []).append(result)
        console.print(
            f"  {name}: {result['per_second']:,.0f}/s, p50 {result['p50_ms']:.2f} ms, "
            f"p99 {result['p99_ms']:.2f} ms"
        )

    with ephemeral_chain() as (w3, deployment), tempfile.TemporaryDirectory() as directory:
        registry = Registry(w3, deployment, directory)
        registry.grow_to(args.entities, console)
        first_cold = len(histories) * args.dids  # the entities after the DIDs with histories
        if args.entities <= first_cold:
            raise SystemExit(f"--entities must be more than {first_cold}")
        sample_size = min(SCALE_SAMPLE, args.entities - first_cold)
        ours = {
            changes: [f"{PREFIX}{k * args.dids + i}" for i in range(args.dids)]
            for k, changes in enumerate(histories)
        }
        console.print("changes on our DIDs and on the peer's ...")
        for changes, dids in ours.items():
            for did in dids:
                registry.add_services(did, changes - 1)  # the registration is the first change
        registry.catch_up("DID histories")
        ethr = EthrRegistry(w3, dev_account("dev9"))
        peer = {changes: ethr.identities_with_changes(args.dids, changes) for changes in histories}

        server, base = serve_views(registry.env, args.workers)  # the deployed shape
        single, single_base = serve_views(registry.env, 1)  # for reference: one process
        servers = [server, single]
        try:
            with (
                ethr_resolver_serving(deployment.rpc_url, ethr) as peer_base,
                httpx.Client(timeout=60) as client,
            ):
                sizes = {}
                for changes in histories:
                    for did in ours[changes]:
                        checked_get(client, base + identifiers(did))
                        checked_get(client, single_base + identifiers(did))
                    for did in peer[changes]:
                        checked_get(client, peer_base + identifiers(did))
                    sizes[changes] = {
                        "ours": len(checked_get(client, base + identifiers(ours[changes][0])).content),
                        "peer": len(checked_get(client, peer_base + identifiers(peer[changes][0])).content),
                    }
                one = checked_get(client, base + identifiers(ours[histories[0]][0]))
                halfway = histories[-1] // 2
                deep = ours[histories[-1]]
                version_id = [identifiers(did, f"versionId={halfway}") for did in deep]
                version_time = [
                    identifiers(did, version_time_query(client, base, did, halfway)) for did in deep
                ]
                for path in version_id + version_time:
                    checked_get(client, base + path)
                small_sample = [
                    identifiers(f"{PREFIX}{rng.randrange(first_cold, registry.size)}")
                    for _ in range(sample_size)
                ]
                rows: list[tuple[str, str, list[str]]] = []
                for changes in histories:
                    rows.append((f"ours, {changes} change(s)", base, [identifiers(d) for d in ours[changes]]))
                    rows.append(
                        (f"peer, {changes} change(s)", peer_base, [identifiers(d) for d in peer[changes]])
                    )
                rows += [
                    (f"ours, versionId={halfway} of {histories[-1]}", base, version_id),
                    (f"ours, versionTime of version {halfway}", base, version_time),
                    ("ours, one DID", base, [identifiers(ours[histories[0]][0])]),
                    (
                        f"ours, 1 worker, {histories[0]} change(s)",
                        single_base,
                        [identifiers(d) for d in ours[histories[0]]],
                    ),
                    ("ours, 1 worker, one DID", single_base, [identifiers(ours[histories[0]][0])]),
                ]
                small_row = (f"ours, random DIDs of {registry.size:,} entities", base, small_sample)
                scaling = args.large > registry.size
                if not scaling:
                    rows.append(small_row)
                with nginx_serving(one.content, one.headers["content-type"]) as (nginx_base, nginx_path):
                    rows.append(("nginx, the same bytes from a file", nginx_base, [nginx_path]))
                    for round_ in range(args.repeat):
                        console.print(
                            f"round {round_ + 1}/{args.repeat}, wrk -t{args.threads} -c{args.connections} ..."
                        )
                        for name, row_base, paths in rows:
                            measure(name, row_base, paths)
                if args.profile:
                    profiled = profile_one_did(
                        registry.env, identifiers(ours[histories[0]][0]), wrk, directory
                    )
                    print_profile(console, "serve resolver, 1 worker, one DID under wrk", profiled)
            small_size = registry.size
            if scaling:
                # the registry as it is now, copied and served beside the grown one: the two rows of
                # the scale pair run round after round, side by side, as the others do
                small_env = copy_stores(registry.env, Path(directory) / "small")
                small_server, small_base = serve_views(small_env, args.workers)
                small_rendering, small_rendering_base = serve_views(small_env, args.workers, replay=False)
                servers += [small_server, small_rendering]
                small_row = (small_row[0], small_base, small_sample)
                registry.seed_to(args.large, console)
                rendering, rendering_base = serve_views(registry.env, args.workers, replay=False)
                servers.append(rendering)
                large_sample = [
                    identifiers(f"{PREFIX}{rng.randrange(first_cold, registry.size)}")
                    for _ in range(sample_size)
                ]
                with httpx.Client(timeout=60) as client:
                    for path in large_sample[:20]:
                        checked_get(client, base + path)
                    for path in small_sample[:20]:
                        checked_get(client, small_base + path)
                for round_ in range(args.repeat):
                    console.print(f"scale round {round_ + 1}/{args.repeat} ...")
                    measure(*small_row)
                    measure(f"ours, random DIDs of {registry.size:,} entities", base, large_sample)
                    measure(f"{small_row[0]}, all rendered", small_rendering_base, small_sample)
                    measure(
                        f"ours, random DIDs of {registry.size:,} entities, all rendered",
                        rendering_base,
                        large_sample,
                    )
        finally:
            for process in servers:
                process.terminate()
                process.wait(30)

    rows_out = {name: median_row(found) for name, found in samples.items()}
    report_rows = targets(
        rows_out,
        small_size,
        registry.size if args.large > small_size else None,
        halfway,
        args.workers,
        histories,
    )
    table = Table(
        title=f"resolution over HTTP, wrk -t{args.threads} -c{args.connections}, median of {args.repeat}"
    )
    for column in ("what", "per s", "p50 ms", "p99 ms", "bytes"):
        table.add_column(column, justify="left" if column == "what" else "right")
    for name, row in rows_out.items():
        table.add_row(
            name,
            f"{row['per_second']:,.0f}",
            f"{row['p50_ms']:.2f}",
            f"{row['p99_ms']:.2f}",
            f"{row['bytes_per_response']:,.0f}",
        )
    console.print(table)
    print_targets(console, report_rows)
    for name, seconds in registry.timings.items():
        console.print(f"  {name}: {seconds:.1f} s")

    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "resolve",
        "wrk": {**wrk, "repeat": args.repeat, "dids_per_row": args.dids, "changes": histories},
        "workers": args.workers,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "document_bytes": sizes,
        "rows": rows_out,
        "targets": report_rows,
        "setup_seconds": registry.timings,
        "profile_one_worker_one_did": profiled,
    }
    (RESULTS / "resolve.json").write_text(json.dumps(report, indent=2) + "\n")
    console.print(f"written {RESULTS / 'resolve.json'}")


def target(
    what: str, ours: float, baseline: str, ratio: float | None, goal: str, met: bool | None
) -> dict[str, Any]:
    """One target row as bench.summary reads it (`met` None: a row for reference, no target)."""
    return {"what": what, "ours": ours, "baseline": baseline, "ratio": ratio, "target": goal, "met": met}


def targets(
    rows: dict[str, dict[str, Any]],
    small: int,
    large: int | None,
    halfway: int,
    workers: int,
    histories: tuple[int, ...],
) -> list[dict[str, Any]]:
    """Issue 18's resolver targets: ours, the baseline of the same run, the ratio, the goal."""
    out = []
    for changes in histories:
        ours, peer = rows[f"ours, {changes} change(s)"], rows[f"peer, {changes} change(s)"]
        rate, peer_rate = ours["per_second"], peer["per_second"]
        out.append(
            target(
                f"resolve over HTTP, {workers} workers, DID with {changes} change(s) (per s)",
                rate,
                f"ethr-did-resolver, ERC-1056: {peer_rate:,.1f}",
                rate / peer_rate,
                ">= 2x",
                rate >= 2 * peer_rate,
            )
        )
        p99 = ours["p99_ms"]
        out.append(
            target(
                f"  p99 ms at {changes} change(s)",
                p99,
                f"peer p99 {peer['p99_ms']:,.1f} ms",
                None,
                "< 20 ms",
                p99 < 20,
            )
        )
    one, nginx = rows["ours, one DID"]["per_second"], rows["nginx, the same bytes from a file"]["per_second"]
    out.append(
        target(
            f"resolve over HTTP, {workers} workers, one DID (per s)",
            one,
            f"nginx, same bytes: {nginx:,.0f}",
            one / nginx,
            ">= 10 % (aim 25 %)",
            one >= 0.10 * nginx,
        )
    )
    for name, baseline, baseline_rate in (
        (f"{histories[0]} change(s)", "peer", rows[f"peer, {histories[0]} change(s)"]["per_second"]),
        ("one DID", "nginx, same bytes", nginx),
    ):
        single = rows[f"ours, 1 worker, {name}"]["per_second"]
        out.append(
            target(
                f"  for reference, 1 worker, {name} (per s)",
                single,
                f"{baseline}: {baseline_rate:,.0f}",
                single / baseline_rate,
                "-",
                None,
            )
        )
    current = rows[f"ours, {histories[-1]} change(s)"]["p50_ms"]
    for key in (f"ours, versionId={halfway} of {histories[-1]}", f"ours, versionTime of version {halfway}"):
        historical = rows[key]["p50_ms"]
        out.append(
            target(
                f"historical, {key.removeprefix('ours, ')} (p50 ms)",
                historical,
                f"current, same DIDs: {current:.2f} ms",
                historical / current,
                "<= 1.5x",
                historical <= 1.5 * current,
            )
        )
    if large is not None:
        for suffix, how in (("", ""), (", all rendered", ", every answer rendered")):
            at_small = rows[f"ours, random DIDs of {small:,} entities{suffix}"]["p50_ms"]
            at_large = rows[f"ours, random DIDs of {large:,} entities{suffix}"]["p50_ms"]
            out.append(
                target(
                    f"scale: p50 ms at {large:,} entities{how}",
                    at_large,
                    f"at {small:,}: {at_small:.2f} ms",
                    at_large / at_small,
                    "<= 1.2x",
                    at_large <= 1.2 * at_small,
                )
            )
    return out


def print_targets(console: Console, rows: list[dict[str, Any]]) -> None:
    table = Table(title="issue 18 targets, resolver (ours and its baseline from this run)")
    for column in ("what", "ours", "baseline (same run)", "ratio", "target", "met"):
        table.add_column(column, justify="right" if column in ("ours", "ratio") else "left")
    for cells in resolver_rows({"targets": rows}):
        table.add_row(*cells)
    console.print(table)


if __name__ == "__main__":
    main()

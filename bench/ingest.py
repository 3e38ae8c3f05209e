"""Follower throughput: events/s caught up into SQLite and PostgreSQL, against eth_getLogs alone.

All in one run on one fresh Anvil: the baseline is the time eth_getLogs takes to return the
same logs (the floor any follower pays); each store's figure is a full catch-up from an empty
ledger (getLogs, block times, strict decoding, aggregate events and tracking in one transaction).

Every catch-up runs as ten polls up to evenly spaced blocks, each timed, so the rate of its first
and second half shows whether it slows as the ledger grows; the catch-up of 1,000,000
events is extrapolated from the second half's rate (the slower one, if it slows) and stated with
the process's peak resident memory during the catch-up (VmHWM, reset before it), and the catch-up's CPU
time in this process (time.process_time), which other load on the machine moves less than wall time.

    python -m bench.ingest [--events 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table

from anvil.accounts import dev_account
from anvil.devchain import ephemeral_chain
from anvil.pump import EventPump
from bench.profiling import print_profile, profile
from bench.results_dir import RESULTS
from trust_ledger.chain.follower import Horizon, follower_for
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.chain.rpc import JsonRpc
from trust_ledger.ledger import TrustLedger
from trust_ledger.settings import read_settings


def postgres_env(schema: str) -> dict[str, str]:
    return read_settings().test_postgres_env(schema)


def pg_admin(env: dict[str, str], statement: str) -> None:
    with psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        dbname=env["POSTGRES_DBNAME"],
        autocommit=True,
    ) as connection:
        connection.execute(statement)


@dataclass
class CatchUp:
    """One catch-up from an empty ledger: its time, logs, slices and memory."""

    seconds: float
    cpu_seconds: float  # this process's CPU time (time.process_time), which other load moves less
    logs: int
    slices: list[tuple[float, int]]  # (seconds since start, logs ingested so far) after each range
    rss_before_mib: float
    peak_rss_mib: float

    def half_rates(self) -> tuple[float, float]:
        """Events/s over the first and the second half of the logs."""
        t_end, n_end = self.slices[-1]
        t_half, n_half = next((t, n) for t, n in self.slices if n >= n_end / 2)
        if n_half == n_end:  # the follower took it all in one range: no halves to compare
            return n_end / t_end, n_end / t_end
        return n_half / t_half, (n_end - n_half) / (t_end - t_half)


def _memory_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def catch_up(gateway: TrustGateway, env: dict[str, str], first: int, head: int, slices: int = 10) -> CatchUp:
    """A catch-up from an empty ledger to `head`, in `slices` polls up to evenly spaced blocks (the
    follower as configured, each poll a full pass), timing each."""
    ledger = TrustLedger(env=env)
    try:
        follower = follower_for(gateway, ledger, Horizon())
        timed: list[tuple[float, int]] = []
        ingested = 0
        gc.collect()
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        rss_before = _memory_mib("VmRSS")
        started, cpu_started = time.perf_counter(), time.process_time()
        for k in range(1, slices + 1):
            ingested += follower.poll(until_block=first + (head - first) * k // slices).logs
            timed.append((time.perf_counter() - started, ingested))
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        return CatchUp(seconds, cpu_seconds, ingested, timed, rss_before, _memory_mib("VmHWM"))
    finally:
        ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="also cProfile one catch-up into SQLite")
    args = parser.parse_args()
    console = Console(width=150)

    with ephemeral_chain() as (w3, deployment):
        gateway = TrustGateway(JsonRpc(deployment.rpc_url), deployment)
        console.print(f"pumping {args.events:,} real ServiceAdded events into Anvil ...")
        pump = EventPump(w3, gateway.with_signer(dev_account("anchor")), "did:example:bench-pump")
        pump.pump(args.events, 250)
        head = w3.eth.block_number
        query = {
            "fromBlock": hex(deployment.deployment_block),
            "toBlock": hex(head),
            "address": gateway.decoder.addresses,
        }

        get_logs: list[float] = []
        decode: list[float] = []
        sqlite: list[CatchUp] = []
        postgres: list[CatchUp] = []
        logs_total = 0
        for round_ in range(args.repeat):
            gc.collect()  # as before each catch-up: the baseline does not pay for the last round's garbage
            started = time.perf_counter()
            response = w3.provider.make_request("eth_getLogs", [query])
            if "error" in response:
                raise SystemExit(f"eth_getLogs failed: {response['error']}")
            raw = response["result"]
            get_logs.append(time.perf_counter() - started)
            logs_total = len(raw)
            started = time.perf_counter()
            for log in raw:
                gateway.decoder.decode(log, 0)
            decode.append(time.perf_counter() - started)

            with tempfile.TemporaryDirectory() as directory:
                env = {
                    "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                    "SQLITE_DBNAME": f"{directory}/ledger.sqlite",
                }
                run = catch_up(gateway, env, deployment.deployment_block, head)
                assert run.logs == logs_total
                sqlite.append(run)

            env = postgres_env(f"bench_{uuid.uuid4().hex[:12]}")
            pg_admin(env, f'CREATE SCHEMA "{env["POSTGRES_SCHEMA"]}"')
            try:
                run = catch_up(gateway, env, deployment.deployment_block, head)
                assert run.logs == logs_total
                postgres.append(run)
            finally:
                pg_admin(env, f'DROP SCHEMA "{env["POSTGRES_SCHEMA"]}" CASCADE')
            console.print(f"round {round_ + 1}/{args.repeat} done")

        profiled: dict[str, Any] = {}
        if args.profile:
            with tempfile.TemporaryDirectory() as directory:
                env = {
                    "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                    "SQLITE_DBNAME": f"{directory}/ledger.sqlite",
                }
                profiled = profile(lambda: catch_up(gateway, env, deployment.deployment_block, head))
            print_profile(console, f"one catch-up of {logs_total:,} logs into SQLite", profiled)

    baseline = statistics.median(get_logs)
    runs = {"SQLite": sqlite, "PostgreSQL": postgres}
    rows = {
        "eth_getLogs alone, raw JSON-RPC (baseline)": baseline,
        "getLogs + strict decoding": baseline + statistics.median(decode),
        **{
            f"full catch-up into {name}": statistics.median(r.seconds for r in found)
            for name, found in runs.items()
        },
    }
    table = Table(title=f"follower catch-up of {logs_total:,} logs (median of {args.repeat})")
    for column in ("what", "seconds", "events/s", "x baseline"):
        table.add_column(column, justify="right" if column != "what" else "left")
    for name, seconds in rows.items():
        table.add_row(name, f"{seconds:.3f}", f"{logs_total / seconds:,.0f}", f"{seconds / baseline:.1f}")
    console.print(table)
    cpu = {name: statistics.median(r.cpu_seconds for r in found) for name, found in runs.items()}
    console.print(
        "catch-up CPU time of this process (median): "
        + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in cpu.items())
    )

    million = 1_000_000
    extrapolation = {}
    scale = Table(title=f"catch-up of {million:,} events, extrapolated from the second half of each run")
    for column in ("store", "events/s, 1st half", "events/s, 2nd half", f"{million:,} events", "peak RSS"):
        scale.add_column(column, justify="left" if column == "store" else "right")
    for name, found in runs.items():
        first, second = (statistics.median(r.half_rates()[i] for r in found) for i in (0, 1))
        peak = max(r.peak_rss_mib for r in found)
        before = statistics.median(r.rss_before_mib for r in found)
        extrapolation[name] = {
            "events_per_second_first_half": first,
            "events_per_second_second_half": second,
            "seconds_for_1m_events": million / min(first, second),
            "peak_rss_mib": peak,
            "rss_before_mib": before,
        }
        scale.add_row(
            name,
            f"{first:,.0f}",
            f"{second:,.0f}",
            f"{million / min(first, second) / 60:,.1f} min",
            f"{peak:,.0f} MiB (from {before:,.0f})",
        )
    console.print(scale)

    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "ingest",
        "logs": logs_total,
        "repeat": args.repeat,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "seconds": {name: seconds for name, seconds in rows.items()},
        "events_per_second": {name: logs_total / seconds for name, seconds in rows.items()},
        "ratio_to_get_logs": {name: seconds / baseline for name, seconds in rows.items()},
        "catch_up_cpu_seconds": cpu,
        "extrapolated_1m_events": extrapolation,
        "slices": {name: [r.slices for r in found] for name, found in runs.items()},
        "profile_sqlite_catch_up": profiled,
    }
    (RESULTS / "ingest.json").write_text(json.dumps(report, indent=2) + "\n")
    console.print(f"written {RESULTS / 'ingest.json'}")


if __name__ == "__main__":
    main()

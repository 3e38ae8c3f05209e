"""Follower throughput: events/s caught up into SQLite and PostgreSQL, against eth_getLogs alone.

All in one run on one fresh Anvil: the baseline is the time eth_getLogs takes to return the
same logs (the floor any follower pays); each store's figure is a full catch-up from an empty
ledger (getLogs, block times, strict decoding, aggregate events and tracking in one transaction).

    python bench/ingest.py [--events 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

from anvil.accounts import dev_account
from anvil.devchain import ephemeral_chain
from anvil.pump import EventPump
from trust_ledger.chain.follower import Horizon, follower_for
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.chain.rpc import JsonRpc
from trust_ledger.ledger import TrustLedger
from trust_ledger.settings import read_settings

RESULTS = Path(__file__).with_name("results")


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


def catch_up_seconds(gateway: TrustGateway, env: dict[str, str]) -> tuple[float, int]:
    ledger = TrustLedger(env=env)
    try:
        follower = follower_for(gateway, ledger, Horizon())
        started = time.perf_counter()
        done = follower.poll()
        return time.perf_counter() - started, done.logs
    finally:
        ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    console = Console()

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

        get_logs, decode, sqlite, postgres = [], [], [], []
        logs_total = 0
        for round_ in range(args.repeat):
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
                seconds, ingested = catch_up_seconds(gateway, env)
                assert ingested == logs_total
                sqlite.append(seconds)

            env = postgres_env(f"bench_{uuid.uuid4().hex[:12]}")
            pg_admin(env, f'CREATE SCHEMA "{env["POSTGRES_SCHEMA"]}"')
            try:
                seconds, ingested = catch_up_seconds(gateway, env)
                assert ingested == logs_total
                postgres.append(seconds)
            finally:
                pg_admin(env, f'DROP SCHEMA "{env["POSTGRES_SCHEMA"]}" CASCADE')
            console.print(f"round {round_ + 1}/{args.repeat} done")

    baseline = statistics.median(get_logs)
    rows = {
        "eth_getLogs alone, raw JSON-RPC (baseline)": baseline,
        "getLogs + strict decoding": baseline + statistics.median(decode),
        "full catch-up into SQLite": statistics.median(sqlite),
        "full catch-up into PostgreSQL": statistics.median(postgres),
    }
    table = Table(title=f"follower catch-up of {logs_total:,} logs (median of {args.repeat})")
    for column in ("what", "seconds", "events/s", "x baseline"):
        table.add_column(column, justify="right" if column != "what" else "left")
    for name, seconds in rows.items():
        table.add_row(name, f"{seconds:.3f}", f"{logs_total / seconds:,.0f}", f"{seconds / baseline:.1f}")
    console.print(table)

    RESULTS.mkdir(exist_ok=True)
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
    }
    (RESULTS / "ingest.json").write_text(json.dumps(report, indent=2) + "\n")
    console.print(f"written {RESULTS / 'ingest.json'}")


if __name__ == "__main__":
    main()

"""`trust-ledger follow` and `trust-ledger history`: the event-sourced mirror of the chain."""

from __future__ import annotations

import json
import signal
import time
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from trust_ledger.chain.follower import default_horizon, follower_for, run_forever
from trust_ledger.cli.context import LOG_FORMAT, UsageError, settings
from trust_ledger.logs import configure_logging

CATCH_UP_PROGRESS_BLOCKS = 1_000
"""Show a progress bar when the follower is at least this many blocks behind."""


def follow(
    ctx: typer.Context,
    confirmations: int | None = typer.Option(
        None, help="Ingest up to head minus N blocks (default: 0 on the dev chain, else the finalized tag)."
    ),
    finalized: bool = typer.Option(False, help="Ingest up to the chain's `finalized` block."),
    poll_interval: float = typer.Option(1.0, help="Seconds between polls once caught up."),
    once: bool = typer.Option(False, help="Catch up to the horizon, then exit."),
    log_format: str | None = LOG_FORMAT,
) -> None:
    """Follow our contracts' logs into the ledger, exactly once, until Ctrl-C."""
    configure_logging(log_format)
    current = settings(ctx)
    gateway = current.gateway()
    horizon = default_horizon(gateway.deployment.chain_id, confirmations, finalized)
    follower = follower_for(gateway, current.ledger(), horizon)
    console = Console(stderr=True)
    console.print(
        f"following chain {gateway.deployment.chain_id} from block {follower.next_block()} "
        f"up to {horizon.describe()}"
    )
    reporter = _CatchUpReporter(console)
    if once:
        done = follower.poll(on_progress=reporter.update)
        reporter.close()
        console.print(f"ingested {done.logs} events from {done.blocks} blocks")
        return
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    run_forever(follower, poll_interval, should_stop=lambda: stopping, on_progress=reporter.update)
    reporter.close()
    console.print("follower stopped")


class _CatchUpReporter:
    """A rich progress bar with events/s while far behind; silent once caught up."""

    def __init__(self, console: Console):
        self.console = console
        self.bar: tuple[Progress, TaskID] | None = None
        self.events = 0
        self.started = time.monotonic()

    def update(self, block: int, target: int, events: int) -> None:
        self.events += events
        if self.bar is None:
            if target - block < CATCH_UP_PROGRESS_BLOCKS:
                return
            self.started = time.monotonic()
            progress = Progress(
                TextColumn("catching up"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("blocks"),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=self.console,
            )
            self.bar = progress, progress.add_task("catch-up", total=target, completed=block, rate="")
            progress.start()
        progress, task = self.bar
        rate = self.events / max(time.monotonic() - self.started, 1e-9)
        progress.update(task, completed=block, total=target, rate=f"{rate:,.0f} events/s")
        if block >= target:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar[0].stop()
            self.bar = None


def history(
    ctx: typer.Context,
    did: str = typer.Argument(..., help="The entity's DID."),
) -> None:
    """The audit trail of an entity from the event store: what, by whom, when, where on chain."""
    current = settings(ctx)
    entries = current.ledger().history(did)
    if not entries:
        raise UsageError(f"the ledger has no entity with the DID {did} (is the follower behind?)")
    if current.as_json:
        typer.echo(json.dumps(entries, indent=2, default=str))
        return
    table = Table(title=f"history of {did}")
    for column in ("block time (UTC)", "change", "by", "block", "tx"):
        table.add_column(column)
    for entry in entries:
        when = datetime.fromtimestamp(entry["block_time"], UTC).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(when, _describe(entry), entry["by"], str(entry["block_number"]), entry["tx_hash"])
    Console(width=200).print(table)


def _describe(entry: dict) -> str:
    changes = ", ".join(f"{key}={value}" for key, value in entry["changes"].items())
    return f"{entry['event']} {changes}".strip()

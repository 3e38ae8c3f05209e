"""`trust-ledger demo dataspace`: the DSBA packet-delivery scenario, played on a throwaway chain."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from anvil.accounts import dev_signer
from anvil.devchain import ephemeral_chain
from api.dataspace.scenario import Step, run_scenario, running_data_space
from projections.service import LedgerService
from trust_ledger.chain.follower import Horizon
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.chain.rpc import JsonRpc
from trust_ledger.settings import STORE_CHOICES

app = typer.Typer(help="Runnable demonstrations.", no_args_is_help=True)


@app.command("dataspace")
def dataspace() -> None:
    """Trust anchor, Marketplace, PacketDelivery, HappyPets and NoCheaper on a fresh Anvil: issue,
    log in with a VP, and call PacketDelivery's delivery orders through its PEP. Exit 1 if any step
    does not end as the rules say it must."""
    console = Console()
    with tempfile.TemporaryDirectory(prefix="trust-ledger-demo-") as directory:
        var = Path(directory)
        os.environ["TRUST_LEDGER_VAR"] = str(var)  # this process's stores: SQLite in the temp dir
        for name in STORE_CHOICES:
            os.environ.pop(name, None)
        with ephemeral_chain() as (_, deployment):
            console.print(f"[bold]fresh chain[/] {deployment.rpc_url}, trust anchor {deployment.root_did}")
            reader = TrustGateway(JsonRpc(deployment.rpc_url), deployment)
            service = LedgerService.open(reader, Horizon(confirmations=0), poll_interval=0.1)
            service.start()
            try:
                anchor = reader.with_signer(dev_signer("anchor"))
                with running_data_space(anchor, service, var) as space:
                    console.print(
                        f"resolver {space.resolver}  verifier {space.packetdelivery}  PEP {space.pep}"
                    )
                    steps = run_scenario(space, lambda step: console.print(_line(step)))
            finally:
                service.stop()
    console.print(_table(steps))
    if not all(step.ok for step in steps):
        sys.exit(1)


def _line(step: Step) -> str:
    mark = "[green]as expected[/]" if step.ok else f"[red]expected {step.expected}[/]"
    return f"{step.actor}: {step.action} -> [bold]{step.outcome}[/] ({mark}) {step.detail}"


def _table(steps: list[Step]) -> Table:
    table = Table(title="packet-delivery data space")
    for column in ("who", "does", "expected", "got"):
        table.add_column(column)
    for step in steps:
        table.add_row(
            step.actor, step.action, step.expected, f"[{'green' if step.ok else 'red'}]{step.outcome}[/]"
        )
    return table

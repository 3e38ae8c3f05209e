"""`trust-ledger dev`: the local system in one command (Anvil, contracts, follower)."""

from __future__ import annotations

import logging
import signal

import typer

from anvil import devchain
from trust_ledger.chain.follower import Horizon, run_forever
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.cli.context import settings
from trust_ledger.sync import follower_for


def dev(
    ctx: typer.Context,
    chain_port: int = typer.Option(devchain.DEFAULT_PORT, help="Port of the local Anvil JSON-RPC endpoint."),
    keep_chain: bool = typer.Option(False, help="Leave Anvil running on exit."),
) -> None:
    """Start (or resume) the dev chain, deploy, and follow it into the ledger until Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    current = settings(ctx)
    deployment, fresh = devchain.chain_up(port=chain_port, root=current.deployment_path.parent)
    gateway = TrustGateway.connect(deployment.rpc_url, deployment)
    follower = follower_for(gateway, current.ledger(), Horizon(confirmations=0))
    typer.echo(
        f"trust-ledger dev: chain {deployment.chain_id} at {deployment.rpc_url} "
        f"({'new deployment' if fresh else 'resumed from var/'})"
    )
    typer.echo(f"  trust anchor {deployment.root_did}, TrustRegistry {deployment.trust_registry}")
    typer.echo("  the follower mirrors every contract event into the ledger; try, in another shell:")
    typer.echo(
        "    trust-ledger entity register --parent root --label demo --did did:example:demo --controller dev1"
    )
    typer.echo("    trust-ledger history did:example:demo")
    typer.echo("  Ctrl-C stops everything; the next `trust-ledger dev` resumes from var/.")
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        run_forever(follower, poll_interval=0.5, should_stop=lambda: stopping)
    finally:
        if not keep_chain:
            devchain.chain_down(root=current.deployment_path.parent)
        typer.echo("stopped")

"""`trust-ledger dev`: the local system in one command (Anvil, contracts, follower, views, resolver)."""

from __future__ import annotations

import logging

import typer

from anvil import devchain
from resolver.app import create_app
from trust_ledger.chain.follower import Horizon
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.cli.context import settings
from trust_ledger.cli.serve import serve
from trust_ledger.service import LedgerService


def dev(
    ctx: typer.Context,
    port: int = typer.Option(8080, help="HTTP port of the resolver."),
    chain_port: int = typer.Option(devchain.DEFAULT_PORT, help="Port of the local Anvil JSON-RPC endpoint."),
    keep_chain: bool = typer.Option(False, help="Leave Anvil running on exit."),
) -> None:
    """Start (or resume) the dev chain, follow it into the ledger and serve the resolver until Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    current = settings(ctx)
    deployment, outcome = devchain.chain_up(port=chain_port, root=current.deployment_path.parent)
    service = LedgerService.open(
        TrustGateway.connect(deployment.rpc_url, deployment), Horizon(confirmations=0)
    )
    base = f"http://127.0.0.1:{port}"
    typer.echo(
        f"trust-ledger dev: chain {deployment.chain_id} at {deployment.rpc_url} "
        f"({'new deployment' if outcome == 'deployed' else 'resumed from var/'})\n"
        f"  trust anchor {deployment.root_did}, TrustRegistry {deployment.trust_registry}\n"
        f"  resolver     {base}/1.0/identifiers/{{did}}   trust list {base}/1.0/trust-list\n"
        f"  API docs     {base}/docs\n"
        "  try, in another shell:\n"
        "    trust-ledger entity register --parent root --label demo --did did:example:demo "
        "--controller dev1\n"
        "    trust-ledger history did:example:demo\n"
        f"    curl {base}/1.0/identifiers/did:example:demo\n"
        "  Ctrl-C stops everything; the next `trust-ledger dev` resumes from var/."
    )
    service.start()
    try:
        serve(create_app(service.views, chain_status=service.chain_status), "127.0.0.1", port)
    finally:
        service.stop()
        if not keep_chain:
            devchain.chain_down(root=current.deployment_path.parent)
        typer.echo("stopped")

"""`trust-ledger chain ...`: the dev chain and deployments elsewhere."""

from __future__ import annotations

import typer
from web3 import Web3

from anvil import devchain
from trust_ledger.chain.deployment import deploy
from trust_ledger.cli.context import UsageError, settings

app = typer.Typer(help="Start, stop and deploy the chain our contracts live on.", no_args_is_help=True)


@app.command("up")
def up(
    ctx: typer.Context,
    port: int = typer.Option(devchain.DEFAULT_PORT, help="Port of the local Anvil JSON-RPC endpoint."),
    root_did: str = typer.Option(
        devchain.DEFAULT_ROOT_DID, help="DID of the trust anchor (first deploy only)."
    ),
) -> None:
    """Start the local Anvil chain and deploy, or reuse a running chain with a valid manifest."""
    manifest = settings(ctx).deployment_path
    deployment, outcome = devchain.chain_up(port=port, root_did=root_did, root=manifest.parent)
    state = {"deployed": "started and deployed", "resumed": "started, state resumed from var/"}.get(
        outcome, "already up"
    )
    typer.echo(f"dev chain {state} at {deployment.rpc_url} (chain id {deployment.chain_id})")
    typer.echo(f"  TrustRegistry  {deployment.trust_registry}")
    typer.echo(f"  StatusRegistry {deployment.status_registry}")
    typer.echo(f"  trust anchor   {deployment.root_did} controlled by {deployment.trust_anchor}")
    typer.echo(f"  manifest       {manifest}")


@app.command("down")
def down(ctx: typer.Context) -> None:
    """Stop the local Anvil chain (its state is kept under var/ for the next `chain up`)."""
    stopped = devchain.chain_down(root=settings(ctx).deployment_path.parent)
    typer.echo("dev chain stopped" if stopped else "no dev chain was running")


@app.command("deploy")
def deploy_elsewhere(
    ctx: typer.Context,
    rpc_url: str = typer.Option(..., help="JSON-RPC URL of the target EVM chain."),
    root_did: str = typer.Option(..., help="DID of the trust anchor; the signer becomes its controller."),
) -> None:
    """Deploy the contracts to any EVM chain and write the manifest; the signer is the trust anchor."""
    current = settings(ctx)
    w3 = devchain.wait_for_rpc(rpc_url)
    signer = current.signer(w3.eth.chain_id)
    if signer is None:
        raise UsageError("deploying needs a signer: --key-file or TRUST_LEDGER_PRIVATE_KEY")
    deployment = deploy(w3, signer, root_did, rpc_url)
    deployment.save(current.deployment_path)
    typer.echo(
        f"deployed to chain {deployment.chain_id}: TrustRegistry {deployment.trust_registry}, "
        f"StatusRegistry {deployment.status_registry}; manifest {current.deployment_path}"
    )


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Show the manifest and whether its chain answers with our contracts on it."""
    deployment = settings(ctx).deployment()
    w3 = Web3(Web3.HTTPProvider(deployment.rpc_url, request_kwargs={"timeout": 5}))
    try:
        live = deployment.is_live(w3)
        head = w3.eth.block_number
    except Exception:
        typer.echo(f"chain at {deployment.rpc_url} is not reachable")
        raise typer.Exit(1) from None
    typer.echo(
        f"chain {deployment.chain_id} at {deployment.rpc_url}: head block {head}, "
        f"contracts {'live' if live else 'MISSING'}"
    )
    if not live:
        raise typer.Exit(1)

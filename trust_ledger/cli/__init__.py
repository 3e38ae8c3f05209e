"""The `trust-ledger` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from trust_ledger.chain.errors import ChainError
from trust_ledger.cli import (
    chain,
    demo,
    dev,
    entity,
    export,
    issuer,
    keys,
    ledger,
    serve,
    status,
    verifier,
    verify,
    wallet,
)
from trust_ledger.cli.context import Settings, UsageError, default_deployment_path
from trust_ledger.domain import LedgerError

app = typer.Typer(
    help="trust-ledger: an on-chain trust hierarchy, mirrored into an event store.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(chain.app, name="chain")
app.add_typer(entity.app, name="entity")
app.add_typer(keys.key_app, name="key")
app.add_typer(keys.service_app, name="service")
app.add_typer(status.list_app, name="status-list")
app.add_typer(status.bits_app, name="status")
app.add_typer(wallet.app, name="wallet")
app.add_typer(demo.app, name="demo")
serve.app.command("issuer")(issuer.serve_issuer)
serve.app.command("verifier")(verifier.serve_verifier)
app.add_typer(serve.app, name="serve")
app.command("dev")(dev.dev)
app.command("rebuild")(serve.rebuild)
app.command("resolve")(serve.resolve)
app.command("follow")(ledger.follow)
app.command("history")(ledger.history)
app.command("export-trust")(export.export_trust)
app.command("verify")(verify.verify)


@app.callback()
def options(
    ctx: typer.Context,
    deployment: Path = typer.Option(
        default_deployment_path,
        help="Deployment manifest.",
        envvar="TRUST_LEDGER_DEPLOYMENT",
        show_default="var/deployment.json",
    ),
    rpc_url: str = typer.Option(
        "", help="JSON-RPC URL (default: the manifest's).", envvar="TRUST_LEDGER_RPC_URL"
    ),
    key_file: Path | None = typer.Option(
        None, help="File holding the signer's hex private key (or TRUST_LEDGER_PRIVATE_KEY)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    wait: bool = typer.Option(True, help="After a transaction, wait until the ledger has ingested it."),
) -> None:
    ctx.obj = Settings(
        deployment_path=deployment, rpc_url=rpc_url or None, key_file=key_file, as_json=as_json, wait=wait
    )


def main() -> None:
    """Console entry point: user mistakes and refusals are one line on stderr, exit 1."""
    try:
        app()
    except (
        ChainError,
        LedgerError,
        UsageError,
        ValueError,
        FileNotFoundError,
        TimeoutError,
        RuntimeError,
    ) as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)

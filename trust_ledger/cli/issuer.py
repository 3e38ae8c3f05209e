"""`trust-ledger serve issuer`: the TW DIW issuer module API over OID4VCI 1.0."""

from __future__ import annotations

from pathlib import Path

import typer

from api.issuer.app import create_app
from api.issuer.config import load_config
from api.issuer.wiring import open_issuer
from projections.service import LedgerService, watch_service
from trust_ledger.chain.follower import default_horizon
from trust_ledger.cli.context import LOG_FORMAT, account_from, settings
from trust_ledger.cli.serve import REUSE_PORT, WORKERS, run_as_workers, serve
from trust_ledger.logs import configure_logging
from trust_ledger.paths import restrict_umask


def serve_issuer(
    ctx: typer.Context,
    config: Path = typer.Argument(
        ..., help="Issuer configuration (.toml or .json), see api/issuer/README.md."
    ),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8090, help="Port to listen on."),
    confirmations: int | None = typer.Option(None, help="Follow up to head minus N blocks."),
    finalized: bool = typer.Option(False, help="Follow up to the `finalized` block."),
    log_format: str | None = LOG_FORMAT,
    workers: int = WORKERS,
    reuse_port: bool = REUSE_PORT,
) -> None:
    """Issue credentials for an accredited organisation; status lists on chain, published here."""
    restrict_umask()  # every file this process creates (keys, stores, configs) is 0600
    configure_logging(log_format)
    issuer_config = load_config(config)  # a bad configuration is one line, before any worker starts
    run_as_workers(workers)  # every piece of state is in the state database: workers share it
    current = settings(ctx)
    reader = current.gateway()
    chain_id = reader.deployment.chain_id
    if issuer_config.controller_key:
        signer = account_from(issuer_config.controller_key, chain_id, f"controller_key in {config}")
        writer = reader.with_signer(signer)
    else:
        writer = current.gateway(write=True)  # --key-file / TRUST_LEDGER_PRIVATE_KEY
    horizon = default_horizon(chain_id, confirmations, finalized)
    service = LedgerService.open(reader, horizon)
    service.start()
    watch_service(service)
    try:
        issuer = open_issuer(issuer_config, writer, service, config_dir=config.parent, horizon=horizon)
        serve(create_app(issuer), host, port, reuse_port=reuse_port)
    finally:
        service.stop()

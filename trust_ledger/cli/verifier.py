"""`trust-ledger serve verifier`: the TW DIW verifier module API over OID4VP 1.0 and SIOPv2."""

from __future__ import annotations

from pathlib import Path

import typer

from api.verifier.app import create_app
from api.verifier.config import load_config
from api.verifier.trust_source import ViewsTrustSource
from api.verifier.wiring import open_verifier
from projections.service import watch_service
from trust_ledger.cli.context import LOG_FORMAT
from trust_ledger.cli.serve import REUSE_PORT, WORKERS, open_service, run_as_workers, serve
from trust_ledger.logs import configure_logging
from trust_ledger.paths import restrict_umask


def serve_verifier(
    ctx: typer.Context,
    config: Path = typer.Argument(
        ..., help="Verifier configuration (.toml or .json), see api/verifier/README.md."
    ),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8091, help="Port to listen on."),
    follow: bool = typer.Option(
        True, help="Also follow the chain (--no-follow: read views another process keeps fresh)."
    ),
    confirmations: int | None = typer.Option(None, help="Follow up to head minus N blocks."),
    finalized: bool = typer.Option(False, help="Follow up to the `finalized` block."),
    log_format: str | None = LOG_FORMAT,
    workers: int = WORKERS,
    reuse_port: bool = REUSE_PORT,
) -> None:
    """Verify presentations; trust (registry, keys, accreditations, status bits) from the ledger."""
    restrict_umask()  # the session store and its -wal / -shm are 0600
    configure_logging(log_format)
    verifier_config = load_config(config)  # a bad configuration is one line, before any worker starts
    run_as_workers(workers)  # sessions, callbacks and rate buckets are in the state database
    service = open_service(ctx, follow, confirmations, finalized)
    service.start()
    watch_service(service)
    verifier = open_verifier(verifier_config, ViewsTrustSource(service.views), config_dir=config.parent)
    try:
        serve(create_app(verifier), host, port, reuse_port=reuse_port)
    finally:
        verifier.close()
        service.stop()

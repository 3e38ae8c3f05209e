"""`trust-ledger serve resolver`, `trust-ledger rebuild` and `trust-ledger resolve`."""

from __future__ import annotations

import json
import sys
import time

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from api.explorer import resolver_with_explorer
from projections import Projector, open_views
from projections.service import LedgerService, watch_service
from resolver.errors import ResolverError
from resolver.resolution import DidResolver, Options
from trust_ledger.chain.follower import default_horizon
from trust_ledger.cli.context import LOG_FORMAT, UsageError, settings
from trust_ledger.http_server import WorkerPool, run_server
from trust_ledger.logs import configure_logging
from trust_ledger.paths import restrict_umask
from trust_ledger.settings import read_settings
from trust_ledger.store import ledger_env

WORKER_ENTRY = [sys.executable, "-c", "from trust_ledger.cli import main; main()"]
"""How a worker process runs the console script (the pool appends the command's own arguments)."""
WORKERS = typer.Option(
    1,
    min=1,
    max=64,
    help="Serving processes on the port (SO_REUSEPORT). One follows the chain; the others stand by "
    "and take over if it dies. A worker that dies is started again.",
)
REUSE_PORT = typer.Option(False, "--reuse-port", hidden=True, help="Set by --workers for each worker.")


def serve_resolver(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8080, help="Port to listen on."),
    follow: bool = typer.Option(
        True, help="Also follow the chain and keep the views fresh (--no-follow: a read-only replica)."
    ),
    confirmations: int | None = typer.Option(None, help="Follow up to head minus N blocks."),
    finalized: bool = typer.Option(False, help="Follow up to the `finalized` block."),
    log_format: str | None = LOG_FORMAT,
    workers: int = WORKERS,
    reuse_port: bool = REUSE_PORT,
) -> None:
    """The universal resolver, trust list and status lists over HTTP."""
    restrict_umask()  # every file this process creates (keys, stores, configs) is 0600
    configure_logging(log_format)
    run_as_workers(workers)
    service = open_service(ctx, follow, confirmations, finalized)
    service.start()
    watch_service(service)
    try:
        chain_status = service.chain_status if service.follower is not None else None
        serve(
            resolver_with_explorer(
                service.views,
                chain_status=chain_status,
                replay_entries=read_settings().resolver_replay_entries,
            ),
            host,
            port,
            reuse_port=reuse_port,
        )
    finally:
        service.stop()


def run_as_workers(workers: int) -> None:
    """With --workers N > 1, this process becomes the pool of N copies of the command (each one
    worker on the same port) and exits when they stop; with 1 it returns and serves itself."""
    if workers <= 1:
        return
    command = [*WORKER_ENTRY, *sys.argv[1:], "--workers", "1", "--reuse-port"]
    raise typer.Exit(WorkerPool(command, workers).run())


def open_service(
    ctx: typer.Context, follow: bool, confirmations: int | None, finalized: bool
) -> LedgerService:
    """The ledger service: following the manifest's chain, or a read-only replica."""
    if not follow:
        return LedgerService.open(None, default_horizon(0))
    gateway = settings(ctx).gateway()
    horizon = default_horizon(gateway.deployment.chain_id, confirmations, finalized)
    return LedgerService.open(gateway, horizon)


def serve(application, host: str, port: int, *, reuse_port: bool = False) -> None:
    """Run `application` with uvicorn, within the server limits (trust_ledger.http_server), until Ctrl-C."""
    run_server(application, host, port, reuse_port=reuse_port)


def rebuild(ctx: typer.Context) -> None:
    """Rebuild every view from zero out of the ledger, with progress."""
    ledger = settings(ctx).ledger()
    views = open_views(ledger_env())
    projector = Projector(ledger, views.recorder)
    with Progress(
        TextColumn("rebuilding views"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("events"),
        console=Console(stderr=True),
    ) as progress:
        task = progress.add_task("rebuild", total=None)
        position = projector.rebuild(lambda done, total: progress.update(task, completed=done, total=total))
    typer.echo(f"views rebuilt up to ledger notification {position}")


def resolve(
    ctx: typer.Context,
    did: str = typer.Argument(..., help="The DID to resolve."),
    version_id: int | None = typer.Option(None, help="A specific version."),
) -> None:
    """Resolve a DID from the local views (after bringing them up to the ledger) and print the result."""
    ledger = settings(ctx).ledger()
    views = open_views(ledger_env())
    Projector(ledger, views.recorder).run_once()
    try:
        resolution = DidResolver(views, clock=lambda: int(time.time())).resolve(
            did, Options(version_id=version_id)
        )
    except ResolverError as error:
        raise UsageError(str(error)) from None
    typer.echo(
        json.dumps(
            {
                "didDocument": None if resolution.deactivated else resolution.document,
                "didDocumentMetadata": resolution.document_metadata,
            },
            indent=2,
        )
    )

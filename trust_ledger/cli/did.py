"""`trust-ledger did export`: an entity's DID document as the registry holds it, to publish at its
did:web location (``https://<domain>/.well-known/did.json``) when the issuer or verifier module does
not serve it there itself (api/did_web.py). The registry's document stays the authoritative one;
the file is a copy: export it again after every change of keys or services (resolver.did_web)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from trust_ledger.cli.context import UsageError, settings

app = typer.Typer(help="DID documents of the registry's entities.", no_args_is_help=True)


@app.command("export", short_help="An entity's DID document, to publish at its did:web location.")
def export(
    ctx: typer.Context,
    did: str = typer.Argument(..., help="The entity's DID (did:web: the document for its did:web location)."),
    out: Path | None = typer.Option(None, "--out", help="Write the document to this file (default: stdout)."),
) -> None:
    """Write the DID document of DID, from the local views brought up to the ledger, exactly as the
    resolver answers it (application/did+ld+json). For a did:web DID, says where to publish it."""
    from projections import Projector, open_views
    from resolver.did_web import web_location
    from resolver.errors import ResolverError
    from resolver.resolution import DidResolver, Options
    from trust_ledger.store import ledger_env

    ledger = settings(ctx).ledger()
    views = open_views(ledger_env())
    try:
        Projector(ledger, views.recorder).run_once()
        with views.snapshot():
            resolution = DidResolver(views, clock=lambda: int(time.time())).resolve(did, Options())
    except ResolverError as error:
        raise UsageError(str(error)) from None
    finally:
        views.close()
    if resolution.resolution_metadata.get("source") != "ledger":
        raise UsageError(f"{did} is not in the registry: only the registry's documents are exported")
    if resolution.deactivated:
        raise UsageError(f"{did} is revoked: remove its published DID document (did:web deactivation)")
    text = json.dumps(resolution.document, indent=2, ensure_ascii=False) + "\n"
    location = web_location(did)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
    if location is not None:
        typer.echo(f"publish it at {location.url}", err=True)

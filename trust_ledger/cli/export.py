"""`trust-ledger export-trust`: a signed snapshot of the trust list, keys and status lists for
verifiers that work offline."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from api.credentials.errors import CredentialError
from api.credentials.keys import SigningKey
from api.verifier.snapshot import build_snapshot, sign_snapshot
from projections.trust_freshness import TRUST_DATA_STALE, FreshnessBounds, judge_live_views
from trust_ledger.chain.gateway import ChainUnavailable
from trust_ledger.cli.context import UsageError, settings
from trust_ledger.cli.serve import open_service
from trust_ledger.paths import var_dir

DEFAULT_KEY_FILE = "trust-export-key.jwk"
"""The export signing key under var/, made on first use."""


def export_trust(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="File to write the signed snapshot (a compact JWS) to."),
    signing_key: Path | None = typer.Option(
        None,
        help=f"Private JWK file to sign with (default: var/{DEFAULT_KEY_FILE}, made on first use).",
    ),
    public_key_out: Path | None = typer.Option(
        None, help="Where to write the public JWK verifiers pin (default: <out>.pub.jwk)."
    ),
    catch_up: bool = typer.Option(
        True,
        help="First bring the ledger and views up to the chain when a deployment manifest is present "
        "(--no-catch-up: export the views as they are, if the process following the chain keeps them fresh).",
    ),
    max_blocks_behind: int = typer.Option(
        FreshnessBounds.max_blocks_behind, help="Refuse views further behind the chain's horizon."
    ),
    max_pass_age: float = typer.Option(
        FreshnessBounds.max_pass_age,
        help="Refuse views whose follower last reached the chain longer ago than this (seconds).",
    ),
) -> None:
    """Write a signed snapshot of every entity, key, accreditation and status list, for verifying offline.

    Refuses (TRUST_DATA_STALE) to sign views that are halted or stale (projections.trust_freshness):
    a snapshot's export time is what offline verifiers age it by."""
    key = _signing_key(signing_key)
    current = settings(ctx)
    try:
        service = open_service(ctx, catch_up and current.deployment_path.exists(), None, False)
    except ChainUnavailable as exc:
        raise UsageError(f"{exc}; use --no-catch-up to export the views as they are") from None
    try:
        try:
            service.catch_up()
        except OSError as exc:
            raise UsageError(
                f"cannot reach the chain to catch up ({exc.__class__.__name__}); "
                "use --no-catch-up to export the views as they are"
            ) from None
        verdict = judge_live_views(service.views, FreshnessBounds(max_blocks_behind, max_pass_age))
        if verdict.stale:
            raise UsageError(f"{TRUST_DATA_STALE}: the views are not exported: {verdict.reason}")
        snapshot = build_snapshot(service.views)
    finally:
        service.stop()
        service.views.close()
    token = sign_snapshot(snapshot, key)
    _write(out, token + "\n")
    public_out = public_key_out or out.with_name(out.name + ".pub.jwk")
    _write(public_out, json.dumps(key.public_jwk, indent=2) + "\n")
    summary = {
        "out": str(out),
        "public_key": str(public_out),
        "entities": len(snapshot["entities"]),
        "status_lists": len(snapshot["status_lists"]),
        "block_number": snapshot["block_number"],
        "block_time": snapshot["block_time"],
        "bytes": len(token) + 1,
        "kid": key.kid,
    }
    if current.as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(
        f"exported {summary['entities']} entities and {summary['status_lists']} status lists "
        f"at block {summary['block_number']} to {out} ({summary['bytes']} bytes); "
        f"verifiers pin the public key in {public_out}"
    )


def _signing_key(path: Path | None) -> SigningKey:
    """The key in ``path``, or var/'s export key, generated (mode 0600) when absent."""
    if path is None:
        path = var_dir() / DEFAULT_KEY_FILE
        if not path.exists():
            key = SigningKey.generate("P-256")
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(json.dumps(key.private_jwk(), indent=2) + "\n")
            return key
    try:
        text = path.read_text()
    except OSError as exc:
        raise UsageError(f"cannot read the signing key {path}: {exc.strerror}") from None
    try:
        return SigningKey.from_jwk(text)
    except (CredentialError, ValueError) as exc:
        raise UsageError(f"{path} does not hold a private JWK: {exc}") from None


def _write(path: Path, text: str) -> None:
    """Replace ``path`` whole (a reader never sees half a snapshot)."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, encoding="ascii")
        os.replace(temporary, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None

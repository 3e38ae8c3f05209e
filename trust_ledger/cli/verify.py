"""`trust-ledger verify`: the trust decision for one presentation, online or from a signed snapshot.

Offline (``--snapshot``) nothing is read from the network: the snapshot's signature is checked
against the pinned public key, the decision reads the snapshot, and the result states its age,
like an eID reader checking a daily-downloaded revocation list; a snapshot older than ``--max-age``
(default one day) is refused with TRUST_DATA_STALE, as stale live views are
(projections.trust_freshness).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import typer

from api.verifier.config import CredentialQuery
from api.verifier.decision import Binding, TrustDecision
from api.verifier.reasons import Refused
from api.verifier.snapshot import OfflineTrustSource
from api.verifier.trust_source import TrustSource, ViewsTrustSource
from projections.trust_freshness import FreshnessBounds
from trust_ledger.cli.context import UsageError
from trust_ledger.cli.serve import open_service


def verify(
    ctx: typer.Context,
    presentation: str = typer.Argument(
        ..., help="The presentation (SD-JWT+KB or VP-JWT), a file, or - for stdin."
    ),
    credential_type: str = typer.Option(
        ..., "--type", help="Registry credential type the issuer must be accredited for."
    ),
    fmt: str = typer.Option("dc+sd-jwt", "--format", help="dc+sd-jwt, vc+sd-jwt or jwt_vc_json."),
    audience: str = typer.Option(
        ..., help="The audience the holder bound the presentation to (the verifier's client_id)."
    ),
    nonce: str = typer.Option(..., help="The nonce of the request the presentation answers."),
    claims: list[str] = typer.Option([], "--claim", help="A claim that must be disclosed (repeatable)."),
    snapshot: Path | None = typer.Option(None, help="Verify offline against this signed trust snapshot."),
    trusted_key: Path | None = typer.Option(None, help="Public JWK that must have signed the snapshot."),
    max_age: float = typer.Option(
        FreshnessBounds.max_snapshot_age,
        help="Refuse (TRUST_DATA_STALE) a snapshot exported more than this many seconds ago.",
    ),
) -> None:
    """Print the trust decision as JSON; exit 1 when the presentation is refused."""
    query = _query(credential_type, fmt, claims)
    text = _read(presentation)
    source, service = _source(ctx, snapshot, trusted_key)
    try:
        outcome = _decide(source, text, query, Binding(audience=audience, nonce=nonce), max_age)
    finally:
        if service is not None:
            service.stop()
    typer.echo(json.dumps(outcome, indent=2, ensure_ascii=False))
    if not outcome["trusted"]:
        sys.exit(1)


def _query(credential_type: str, fmt: str, claims: list[str]) -> CredentialQuery:
    try:
        return CredentialQuery.model_validate(
            {"id": "cli", "type": credential_type, "format": fmt, "claims": [{"ename": c} for c in claims]}
        )
    except ValueError as exc:
        raise UsageError(
            f"invalid query: {exc.errors()[0]['msg'] if hasattr(exc, 'errors') else exc}"
        ) from None


def _read(presentation: str) -> str:
    if presentation == "-":
        return sys.stdin.read().strip()
    try:
        path = Path(presentation)
        if path.is_file():
            return path.read_text().strip()
    except OSError:  # a presentation is longer than any file name
        pass
    return presentation.strip()


def _source(ctx: typer.Context, snapshot: Path | None, trusted_key: Path | None) -> tuple[TrustSource, Any]:
    if snapshot is None:
        service = open_service(ctx, True, None, False)
        service.catch_up()
        return ViewsTrustSource(service.views), service
    if trusted_key is None:
        raise UsageError("--snapshot needs --trusted-key: the public JWK the snapshot must be signed with")
    try:
        jwk = json.loads(trusted_key.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the trusted key {trusted_key}: {exc}") from None
    return OfflineTrustSource.load(snapshot, jwk), None


def _decide(
    source: TrustSource, text: str, query: CredentialQuery, binding: Binding, max_age: float
) -> dict[str, Any]:
    now = int(time.time())
    outcome: dict[str, Any] = {"trustSource": source.describe()}
    if isinstance(source, OfflineTrustSource):
        outcome["snapshotAge"] = source.age(now)
        outcome["snapshotBlockAge"] = source.block_age(now)
    decision = TrustDecision(source, clock=lambda: now, freshness=FreshnessBounds(max_snapshot_age=max_age))
    try:
        trusted = decision.verify(text, query, binding)
    except Refused as refusal:
        return {**outcome, "trusted": False, "reason": refusal.reason, "message": refusal.message}
    return {
        **outcome,
        "trusted": True,
        "credential": {
            "type": trusted.credential_type,
            "issuer": trusted.issuer,
            "holder": trusted.holder,
            "claims": trusted.claims,
            "roles": trusted.roles,
            "issuedAt": trusted.issued_at,
            "key": trusted.key_id,
            "statusChecked": trusted.status_checked,
        },
    }

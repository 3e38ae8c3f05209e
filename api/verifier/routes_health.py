"""The verifier's /health: liveness, where its trust data comes from and whether it is fresh."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter

from api.dependencies import VerifierCtx
from api.verifier.trust_source import ViewsTrustSource

router = APIRouter(tags=["Operations"])


@router.get("/health", summary="Liveness and whether the trust data is fresh (else every answer is refused)")
def health(ctx: VerifierCtx) -> dict[str, Any]:
    """Degraded while the trust data is stale or halted: presentations are refused (TRUST_DATA_STALE)."""
    verdict = ctx.source.trust_freshness(ctx.decision.freshness, time.time())
    follower = ctx.source.views.follower_status() if isinstance(ctx.source, ViewsTrustSource) else None
    return {
        "status": "degraded" if verdict.stale else "ok",
        "trustSource": ctx.source.describe(),
        "halted": follower is not None and follower.halted,
        "follower": follower.as_json() if follower is not None else None,
        "trustData": verdict.as_json(),
    }

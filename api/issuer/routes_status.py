"""Published status lists (W3C, IETF, TW DIW StatusList2021), the issuer's keys and health."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.dependencies import IssuerCtx as Ctx
from api.issuer.context import IssuerContext
from api.issuer.errors import DiwError
from api.status.publication import MEDIA_TYPE_JWT, MEDIA_TYPE_STATUSLIST_JWT, MEDIA_TYPE_VC_JWT
from projections.trust_freshness import judge_views

router = APIRouter(tags=["Status lists"])
ACCEPTED = {MEDIA_TYPE_STATUSLIST_JWT: "ietf", MEDIA_TYPE_VC_JWT: "w3c", MEDIA_TYPE_JWT: "twdiw"}


def _profile(ctx: IssuerContext, credential_type: str, accept: str, chosen: str | None) -> str:
    if chosen is not None:
        if chosen not in ("w3c", "ietf", "twdiw"):
            raise DiwError("11001", "format must be w3c, ietf or twdiw")
        return chosen
    for media_type, profile in ACCEPTED.items():
        if media_type in accept:
            return profile
    twdiw = any(t.type == credential_type and t.profile == "twdiw" for t in ctx.config.templates.values())
    return "twdiw" if twdiw else "w3c"


@router.get("/status-lists/{credential_type}/{name}", summary="A status list, signed (Accept or ?format=)")
def status_list(
    credential_type: str,
    name: str,
    request: Request,
    ctx: Ctx,
    format: Annotated[str | None, Query()] = None,
) -> Response:
    record = ctx.status.find_list(credential_type, name)
    published = (
        None
        if record is None
        else ctx.status.published(
            record, _profile(ctx, credential_type, request.headers.get("accept", ""), format)
        )
    )
    if published is None:
        raise DiwError("61010", f"no status list {credential_type}/{name}", 404)
    return Response(
        published.token,
        media_type=published.media_type,
        headers={"Cache-Control": published.cache_control(), "Vary": "Accept"},
    )


@router.get("/api/keys", summary="The issuer's credential signing key as a JWKS (the jku)")
def keys(ctx: Ctx) -> dict[str, Any]:
    return {"keys": [{**ctx.key.public_jwk, "kid": ctx.key.kid, "alg": ctx.key.alg, "use": "sig"}]}


@router.get("/health", summary="Liveness, how far the trust views have got, and whether they are fresh")
def health(ctx: Ctx) -> dict[str, Any]:
    """Degraded while the trust data is stale or halted (issuing is refused then: 59999, 503)."""
    freshness = ctx.views.freshness()
    follower = ctx.views.follower_status()
    verdict = judge_views(freshness, follower, ctx.config.trust_freshness.bounds(), time.time())
    return {
        "status": "degraded" if verdict.stale else "ok",
        "freshness": {"position": freshness.position, "blockNumber": freshness.block_number},
        "halted": follower is not None and follower.halted,
        "follower": follower.as_json() if follower is not None else None,
        "trustData": verdict.as_json(),
    }

"""Published status lists (W3C, IETF, TW DIW StatusList2021), the issuer's keys and health."""

from __future__ import annotations

import gzip
import re
import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from api.dependencies import IssuerCtx as Ctx
from api.issuer.context import IssuerContext
from api.issuer.credentials import vct_of, vct_url
from api.issuer.errors import DiwError
from api.issuer.metadata import credential_schema, type_metadata
from api.status.publication import MEDIA_TYPE_JWT, MEDIA_TYPE_STATUSLIST_JWT, MEDIA_TYPE_VC_JWT
from projections.trust_freshness import judge_views

router = APIRouter(tags=["Status lists"])
TOKEN_LIST_NAME = re.compile(r"^r(?P<r>(?:0|[1-9][0-9]{0,17}))-s(?P<s>(?:0|[1-9][0-9]{0,17}))$")
"""`r<a>-s<b>`: the `bits: 2` Status List Token of revocation list a and suspension list b
(api/status/entries.token_list_uri)."""
SCHEMA_NOT_FOUND = "64005"
"""twdiw-vc-handler VcException.ERR_INFO_SCHEMA_NOT_FOUND (PublicInfoService.getSchema)."""
ACCEPTED = {MEDIA_TYPE_STATUSLIST_JWT: "ietf", MEDIA_TYPE_VC_JWT: "w3c", MEDIA_TYPE_JWT: "twdiw"}
"""Explicit media types; otherwise (no Accept, or the official verifier's application/json) the
type's default: twdiw when a twdiw template issues the type, W3C otherwise."""


PUBLIC = {"Access-Control-Allow-Origin": "*"}
"""CORS on the public lists: Token Status List, "Status List Request": the Status Provider SHOULD
support CORS (a Relying Party may run in a browser)."""


def _compressed(request: Request, body: bytes, media_type: str, headers: dict[str, str]) -> Response:
    """The body gzip-encoded when the client accepts it (Token Status List, "Status List Request":
    the response SHOULD use gzip Content-Encoding)."""
    headers = {**headers, "Vary": ", ".join(filter(None, [headers.get("Vary"), "Accept-Encoding"]))}
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        return Response(
            gzip.compress(body, mtime=0),
            media_type=media_type,
            headers={**headers, "Content-Encoding": "gzip"},
        )
    return Response(body, media_type=media_type, headers=headers)


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
    """The signed list. A TW DIW list comes as the official vc-handler answers it,
    ``{"statusList": "<JWT>"}`` (PublicInfoService.getStatusList; the official verifier and app read
    that member), or as the bare JWT when ``Accept`` names ``application/jwt``."""
    accept = request.headers.get("accept", "")
    token = TOKEN_LIST_NAME.match(name)
    if token is not None:
        return _token_status_list(request, ctx, credential_type, f"r{token['r']}", f"s{token['s']}")
    record = ctx.status.find_list(credential_type, name)
    profile = _profile(ctx, credential_type, accept, format)
    published = None if record is None else ctx.status.published(record, profile)
    if published is None:
        raise DiwError("61010", f"no status list {credential_type}/{name}", 404)
    headers = {"Cache-Control": published.cache_control(), "Vary": "Accept"}
    if profile == "twdiw" and MEDIA_TYPE_JWT not in accept:
        return JSONResponse({"statusList": published.token}, headers=headers)
    return Response(published.token, media_type=published.media_type, headers=headers)


def _token_status_list(
    request: Request, ctx: IssuerContext, credential_type: str, revocation: str, suspension: str
) -> Response:
    """The `bits: 2` Status List Token an SD-JWT VC's `status.status_list.uri` names: one
    encoding, so one answer whatever the Accept (Token Status List, "Status List Request": the
    Status List Token as `application/statuslist+jwt`)."""
    records = (
        ctx.status.find_list(credential_type, revocation),
        ctx.status.find_list(credential_type, suspension),
    )
    published = None
    if records[0] is not None and records[1] is not None:
        published = ctx.status.published_token(records[0], records[1])
    if published is None:
        raise DiwError("61010", f"no status list {credential_type}/{revocation}-{suspension}", 404)
    headers = {"Cache-Control": published.cache_control(), **PUBLIC}
    return _compressed(request, published.token.encode(), published.media_type, headers)


@router.get("/api/schema/{vc_uid}", summary="The JSON Schema a twdiw card's credentialSchema.id names")
def schema(vc_uid: str, ctx: Ctx) -> JSONResponse:
    if vc_uid not in ctx.config.templates:
        raise DiwError(SCHEMA_NOT_FOUND, f"no template {vc_uid!r}", 404)
    body = credential_schema(ctx.config, vc_uid)
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=300"})


@router.get("/vct/{vc_uid}", summary="SD-JWT VC Type Metadata of a template's default vct URL")
def vct(vc_uid: str, ctx: Ctx) -> JSONResponse:
    """What a verifier gets from the ``vct`` URL of a card (draft-ietf-oauth-sd-jwt-vc, "From a URL
    in the vct Claim"); only for a template whose vct is that URL (a twdiw template's is its code,
    a template may name its own ``vct``)."""
    template = ctx.config.templates.get(vc_uid)
    own_url = template is not None and vct_of(ctx.config, vc_uid, template) == vct_url(ctx.config, vc_uid)
    if template is None or not own_url or "dc+sd-jwt" not in (template.formats or ()):
        raise DiwError("61010", f"no SD-JWT VC type at /vct/{vc_uid}", 404)
    return JSONResponse(
        type_metadata(ctx.config, vc_uid), headers={"Cache-Control": "public, max-age=300", **PUBLIC}
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

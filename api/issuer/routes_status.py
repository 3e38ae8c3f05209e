"""Published status lists (W3C, IETF, TW DIW StatusList2021), SD-JWT VC type metadata, the issuer's
keys and health."""

from __future__ import annotations

import base64
import gzip
import json
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
from api.status.entries import w3c_list_uri
from api.status.publication import MEDIA_TYPE_JWT, MEDIA_TYPE_STATUSLIST_JWT, MEDIA_TYPE_VC_JWT
from projections.trust_freshness import judge_views

router = APIRouter(tags=["Status lists"])
TOKEN_LIST_NAME = re.compile(r"^r(?P<r>(?:0|[1-9][0-9]{0,17}))-s(?P<s>(?:0|[1-9][0-9]{0,17}))$")
"""`r<a>-s<b>`: the `bits: 2` Status List Token of revocation list a and suspension list b
(api/status/entries.token_list_uri)."""
SCHEMA_NOT_FOUND = "64005"
"""twdiw-vc-handler VcException.ERR_INFO_SCHEMA_NOT_FOUND (PublicInfoService.getSchema)."""
JSON_LD = "json-ld"
"""The StatusList2021Credential as a JSON-LD document (`_json_ld`)."""
ACCEPTED = {
    MEDIA_TYPE_STATUSLIST_JWT: "ietf",
    MEDIA_TYPE_VC_JWT: "w3c",
    MEDIA_TYPE_JWT: "twdiw",
    "application/vc+ld+json": JSON_LD,
    "application/ld+json": JSON_LD,
}
"""Explicit media types at the on-chain list URL (a convenience: each credential's URL needs none);
otherwise (no Accept, ``*/*``, ``application/json``, ``application/vc``) the URL's default: twdiw
when a twdiw template issues the type (the official verifier asks with ``application/json``), the
JSON-LD StatusList2021Credential otherwise."""
JSON_LD_TYPES = ("application/vc+ld+json", "application/ld+json")


PUBLIC = {"Access-Control-Allow-Origin": "*"}
"""CORS on the public lists: Token Status List, "Status List Request": the Status Provider SHOULD
support CORS (a Relying Party may run in a browser); the W3C lists are as public."""


def _compressed(request: Request, body: bytes, media_type: str, headers: dict[str, str]) -> Response:
    """The body gzip-encoded when the client accepts it (Token Status List, "Status List Request":
    the response SHOULD use gzip Content-Encoding; the W3C lists' JSON and Base64 gain as much)."""
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
        if chosen not in ("w3c", "ietf", "twdiw", JSON_LD):
            raise DiwError("11001", "format must be w3c, ietf, twdiw or json-ld")
        return chosen
    for media_type, profile in ACCEPTED.items():
        if media_type in accept:
            return profile
    twdiw = any(t.type == credential_type and t.profile == "twdiw" for t in ctx.config.templates.values())
    return "twdiw" if twdiw else JSON_LD


def _json_ld(request: Request, token: str, headers: dict[str, str]) -> Response:
    """The StatusList2021Credential of a signed VC-JWT 1.1 as a JSON-LD document: its `vc` claim with
    the JWT itself as the proof, `{"type": "JwtProof2020", "jwt": ...}` (how did-jwt-vc and Veramo
    write a JWT-secured credential as JSON), so a JSON-LD loader reads it and a JWT-aware verifier
    checks it. `application/ld+json` or `application/vc+ld+json` (VCDM 1.1's) when asked for,
    `application/json` otherwise."""
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    document = {**payload["vc"], "proof": {"type": "JwtProof2020", "jwt": token}}
    body = json.dumps(document, separators=(",", ":")).encode()
    accept = request.headers.get("accept", "")
    media_type = next((t for t in JSON_LD_TYPES if t in accept), "application/json")
    return _compressed(request, body, media_type, headers)


@router.get("/status-lists/{credential_type}/{name}", summary="A status list, signed (Accept or ?format=)")
def status_list(
    credential_type: str,
    name: str,
    request: Request,
    ctx: Ctx,
    format: Annotated[str | None, Query()] = None,
) -> Response:
    """The signed list at its on-chain URL, which twdiw cards name. A TW DIW list comes as the
    official vc-handler answers it, ``{"statusList": "<JWT>"}`` (PublicInfoService.getStatusList;
    the official verifier and app read that member), or as the bare JWT when ``Accept`` names
    ``application/jwt``; another type's list as the JSON-LD StatusList2021Credential. The other
    encodings on request (``ACCEPTED``, ``?format=``)."""
    accept = request.headers.get("accept", "")
    token = TOKEN_LIST_NAME.match(name)
    if token is not None:
        return _token_status_list(request, ctx, credential_type, f"r{token['r']}", f"s{token['s']}")
    record = ctx.status.find_list(credential_type, name)
    profile = _profile(ctx, credential_type, accept, format)
    signed = "sl2021" if profile == JSON_LD else profile
    published = None if record is None else ctx.status.published(record, signed)
    if published is None:
        raise DiwError("61010", f"no status list {credential_type}/{name}", 404)
    headers = {"Cache-Control": published.cache_control(), "Vary": "Accept", **PUBLIC}
    if profile == JSON_LD:
        return _json_ld(request, published.token, headers)
    if profile == "twdiw" and MEDIA_TYPE_JWT not in accept:
        body = json.dumps({"statusList": published.token}, separators=(",", ":")).encode()
        return _compressed(request, body, "application/json", headers)
    return _compressed(request, published.token.encode(), published.media_type, headers)


@router.get(
    "/status-lists/{credential_type}/{name}/w3c", summary="A status list as a W3C StatusList2021Credential"
)
def w3c_status_list(credential_type: str, name: str, request: Request, ctx: Ctx) -> Response:
    """The list at the URL a jwt_vc_json card's StatusList2021Entry names (issue 16 item 7): the
    StatusList2021Credential (W3C CCG Status List 2021, VCDM 1.1), its `id` this URL, as JSON-LD
    whatever a W3C or JSON-LD client accepts (``*/*``, ``application/json``, ``application/vc``,
    ``application/ld+json``), or as its VC-JWT for ``Accept: application/jwt``."""
    record = ctx.status.find_list(credential_type, name)
    published = None
    if record is not None and record.uri is not None:
        published = ctx.status.published(record, "sl2021", url=w3c_list_uri(record.uri))
    if published is None:
        raise DiwError("61010", f"no status list {credential_type}/{name}", 404)
    headers = {"Cache-Control": published.cache_control(), "Vary": "Accept", **PUBLIC}
    if MEDIA_TYPE_JWT in request.headers.get("accept", ""):
        return _compressed(request, published.token.encode(), MEDIA_TYPE_JWT, headers)
    return _json_ld(request, published.token, headers)


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

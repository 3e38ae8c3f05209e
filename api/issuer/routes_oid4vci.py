"""OID4VCI 1.0: metadata, credential offer URI, token, nonce and credential endpoints."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.dependencies import IssuerCtx as Ctx
from api.issuer import collection, offers
from api.issuer.errors import OAuthError
from api.issuer.metadata import authorization_server_metadata, issuer_metadata

router = APIRouter(tags=["OID4VCI"])
# The async routes read the body on the event loop, then do the work (event store, SQLite, signing)
# in the threadpool: nothing they wait on may stall the other requests.
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/.well-known/openid-credential-issuer", summary="Credential issuer metadata")
def credential_issuer(ctx: Ctx) -> dict[str, Any]:
    return issuer_metadata(ctx.config, ctx.key)


@router.get("/.well-known/oauth-authorization-server", summary="Authorization server metadata (RFC 8414)")
def authorization_server(ctx: Ctx) -> dict[str, Any]:
    return authorization_server_metadata(ctx.config)


@router.get("/credential-offer/{offer_id}", summary="The credential offer behind a credential_offer_uri")
def credential_offer(offer_id: str, ctx: Ctx) -> JSONResponse:
    return JSONResponse(offers.offer_by_uri(ctx, offer_id), headers=NO_STORE)


@router.post("/token", summary="Token endpoint (pre-authorized code grant)")
async def token(request: Request, ctx: Ctx) -> JSONResponse:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise OAuthError("invalid_request", "the token request must be application/x-www-form-urlencoded")
    try:
        pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "the token request is not UTF-8") from None
    if len({name for name, _ in pairs}) != len(pairs):
        raise OAuthError("invalid_request", "a parameter is repeated")
    form = dict(pairs)
    body = await run_in_threadpool(offers.token, ctx, form)
    return JSONResponse(body, headers={**NO_STORE, "Pragma": "no-cache"})


@router.post("/nonce", summary="Nonce endpoint")
def nonce(ctx: Ctx) -> JSONResponse:
    return JSONResponse(collection.nonce(ctx), headers=NO_STORE)


@router.post("/credential", summary="Credential endpoint")
async def credential(
    request: Request, ctx: Ctx, authorization: Annotated[str | None, Header()] = None
) -> JSONResponse:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        collection._bearer(authorization)  # a token problem is reported before a body problem
        raise OAuthError("invalid_credential_request", "the body must be a JSON object")
    issued = await run_in_threadpool(collection.credential, ctx, authorization, body)
    return JSONResponse(issued, headers=NO_STORE)

"""OID4VP 1.0 endpoints the wallet talks to: the request object and the direct_post response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import JSONResponse, Response

from api.dependencies import VerifierCtx as Ctx
from api.verifier import reasons as r
from api.verifier import requests, responses
from api.verifier.errors import OAuthError

router = APIRouter(prefix="/oidvp", tags=["OID4VP"])


@router.get(
    "/request/{request_id}",
    summary="The signed request object (application/oauth-authz-req+jwt), served once "
    "(a second fetch: 400 invalid_request_uri, REQUEST_ALREADY_FETCHED)",
    response_class=Response,
)
def request_object(request_id: str, ctx: Ctx) -> Response:
    session = ctx.sessions.by_request(request_id)
    now = ctx.clock()
    if session is None:
        raise OAuthError("invalid_request_uri", "no presentation request behind this request_uri", 404)
    if session.answered_at is not None or session.expires_at <= now:
        raise OAuthError("invalid_request_uri", "this presentation request is answered or expired")
    if not ctx.sessions.mark_fetched(request_id, now, single=ctx.config.request_object_single_fetch):
        raise OAuthError(
            "invalid_request_uri",
            f"{r.REQUEST_ALREADY_FETCHED}: this request object is served once and was already "
            "fetched; the relying party must show a new QR code",
        )
    template = ctx.config.templates[session.template_ref]
    token = requests.request_object(ctx.config, ctx.key, template, session, now)
    return Response(
        token, media_type="application/oauth-authz-req+jwt", headers={"Cache-Control": "no-store"}
    )


@router.post(
    "/response",
    summary="The wallet's authorization response (response_mode direct_post): 200 {} or, same-device, "
    "200 {redirect_uri} with a fresh response_code",
)
def direct_post(
    ctx: Ctx,
    state: Annotated[str | None, Form()] = None,
    vp_token: Annotated[str | None, Form()] = None,
    id_token: Annotated[str | None, Form()] = None,
    presentation_submission: Annotated[str | None, Form()] = None,
    error: Annotated[str | None, Form()] = None,
    error_description: Annotated[str | None, Form()] = None,
) -> Any:
    body = responses.receive(
        ctx,
        responses.AuthorizationResponse(
            state=state,
            vp_token=vp_token,
            id_token=id_token,
            presentation_submission=presentation_submission,
            error=error,
            error_description=error_description,
        ),
    )
    return JSONResponse(body, headers={"Cache-Control": "no-store"})

"""TW DIW verifier module API: DWVP-01-101, DWVP-01-201 (behind Access-Token) and DWVP-02-101."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel

from api.dependencies import VerifierCtx as Ctx
from api.http_errors import diw_response
from api.issuer.auth import require_access_token
from api.verifier import errors as e
from api.verifier import transactions
from api.verifier.errors import DiwError

router = APIRouter(prefix="/api", tags=["TW DIW verifier module"])


class ResultQuery(BaseModel):
    """DWVP-01-201 request body; ``responseCode`` (the official module's name) is required for a
    same-device transaction."""

    transactionId: str | None = None
    responseCode: str | None = None


@router.get(
    "/oidvp/qrcode",
    summary="DWVP-01-101: QR code / deep link of a presentation request",
    dependencies=[Depends(require_access_token)],
)
def qrcode(
    ctx: Ctx,
    ref: Annotated[str | None, Query()] = None,
    transactionId: Annotated[str | None, Query()] = None,
    isCallback: Annotated[str | None, Query()] = None,
    redirectUri: Annotated[
        str | None,
        Query(description="same-device flow: the page the wallet sends the holder back to (response_code)"),
    ] = None,
) -> dict[str, Any]:
    return transactions.open_request(ctx, ref, transactionId, isCallback, redirectUri)


@router.post(
    "/oidvp/result",
    summary="DWVP-01-201: the verification result (poll until the holder has answered; "
    "same-device: with the responseCode the wallet's redirect carried)",
    dependencies=[Depends(require_access_token)],
)
def result(
    body: ResultQuery,
    ctx: Ctx,
    response_code: Annotated[
        str | None, Header(alias="response-code", description="as the body's responseCode")
    ] = None,
) -> dict[str, Any]:
    if body.responseCode and response_code and body.responseCode != response_code:
        raise DiwError.spec(e.BAD_PARAMETER_WORDS, "responseCode and the response-code header differ")
    return transactions.result_of(ctx, body.transactionId, body.responseCode or response_code)


@router.get(
    "/verifier/deeplink/vp/{vp_uid}",
    summary="DWVP-02-101: a fresh deep link behind a static QR code (results go to the callback URL); "
    "rate-limited per client address (429, code 42900, Retry-After)",
)
def static_deep_link(vp_uid: str, request: Request, ctx: Ctx) -> Any:
    client = request.client.host if request.client else "unknown"
    wait = ctx.static_qr_limit.take(client)
    if wait:
        refused = diw_response(
            DiwError(e.RATE_LIMITED, f"too many requests from {client}: retry in {wait} s", 429)
        )
        refused.headers["Retry-After"] = str(wait)
        return refused
    return transactions.static_deep_link(ctx, vp_uid)

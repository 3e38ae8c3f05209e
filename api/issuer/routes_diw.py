"""TW DIW issuer module API: DWVC-101, 201, 202, 203, 301, 302 (all behind Access-Token)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.dependencies import IssuerCtx as Ctx
from api.issuer import lifecycle, offers, queries
from api.issuer.auth import require_access_token

router = APIRouter(prefix="/api", tags=["TW DIW issuer module"], dependencies=[Depends(require_access_token)])


class MultiAction(BaseModel):
    """DWVC-302 request body (checked in lifecycle.change_many, so each refusal is the spec's)."""

    action: Any = None
    cids: Any = None


@router.post("/qrcode/data", summary="DWVC-101: QR code / deep link for an issuance (HTTP 200)")
def create_offer(body: offers.OfferRequest, ctx: Ctx) -> JSONResponse:
    return JSONResponse(offers.create_offer(ctx, body))


@router.get("/credential/nonce/{transaction_id}", summary="DWVC-201: the collected credential")
def collected(transaction_id: str, ctx: Ctx) -> dict[str, str]:
    """The credential the holder collected; 404 61010 until then (the vc-handler's answer, which the
    module passes through), 400 11001 for a transaction it never made."""
    return queries.collected_credential(ctx, transaction_id)


@router.get("/credential/datatag/{data_tag}", summary="DWVC-202: credentials by dataTag")
def by_data_tag(
    data_tag: str, ctx: Ctx, page: Annotated[str, Query()] = "0", size: Annotated[str, Query()] = "10"
) -> dict[str, Any]:
    return queries.by_data_tag(ctx, data_tag, page, size)


@router.post("/credential/vcdata", summary="DWVC-203: credentials by filter")
def by_filter(body: queries.VcDataQuery, ctx: Ctx) -> dict[str, Any]:
    return queries.by_filter(ctx, body)


@router.put("/credential/multiaction", summary="DWVC-302: batch revoke / suspend / recover")
def multiaction(body: MultiAction, ctx: Ctx) -> dict[str, Any]:
    return lifecycle.change_many(ctx, body.action, body.cids)


@router.put("/credential/{cid}/{action}", summary="DWVC-301: revoke / suspend / recover one credential")
def change(cid: str, action: str, ctx: Ctx) -> dict[str, Any]:
    return lifecycle.change_one(ctx, cid, action)

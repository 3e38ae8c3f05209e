"""DWVC-201 (the collected credential), DWVC-202 and DWVC-203 (issued credentials by filter)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from pydantic import BaseModel

from api.issuer import errors as e
from api.issuer.context import IssuerContext
from api.issuer.errors import DiwError
from api.issuer.records import STATUS_CODE, Row
from api.issuer.sealing import Shredded

DATA_TAG = re.compile(r"^[A-Za-z0-9]{1,64}$")
CODE_STATUS = {code: name for name, code in STATUS_CODE.items()}


class VcDataQuery(BaseModel):
    """DWVC-203 request body (every filter optional; page from 0)."""

    dataTag: str | None = None
    vcUid: str | None = None
    credentialStatus: str | None = None
    page: int = 0
    size: int = 10


def collected_credential(ctx: IssuerContext, transaction_id: str) -> dict[str, str]:
    """DWVC-201: ``{credential}`` once the holder collected it; 61010 until then."""
    try:
        uuid.UUID(transaction_id)
    except ValueError:
        raise DiwError(e.INVALID_TRANSACTION, f"invalid transaction id {transaction_id!r}") from None
    issuance = ctx.records.get(transaction_id)
    if issuance is None:
        raise DiwError(e.BAD_PARAMETER, f"unknown transaction {transaction_id}")
    if issuance.sealed_credential is None:
        raise DiwError(e.NOT_YET_COLLECTED, "the holder has not collected the credential yet")
    ctx.shredder.purge(ctx.clock())
    try:
        return {"credential": ctx.shredder.open(issuance.offer_id, issuance.sealed_credential)}
    except Shredded:
        raise DiwError(e.NOT_YET_COLLECTED, "the credential is no longer held by the issuer") from None


def _iso(yyyymmdd: str) -> str:
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:]}T00:00:00Z"


def _page(ctx: IssuerContext, rows: list[Row], page: int, size: int) -> dict[str, Any]:
    if page < 0 or not 1 <= size <= 100:
        raise DiwError(e.BAD_PARAMETER, "page must be >= 0 and size between 1 and 100")
    chosen = rows[page * size : (page + 1) * size]
    views_block = ctx.status.views_block()
    return {
        "vcList": [
            {
                "cid": row.cid,
                "vcUid": row.vc_uid,
                "issuanceDate": _iso(row.issuance_date),
                "expirationDate": _iso(row.expiration_date),
                "credentialStatus": STATUS_CODE[row.status],
                # ours: the last status change's transaction, and whether the lists show it yet
                "transactionHash": row.status_tx,
                "final": row.final(views_block),
            }
            for row in chosen
        ],
        "page": page,
        "size": size,
        "totalElements": len(rows),
    }


def by_data_tag(ctx: IssuerContext, data_tag: str, page: int, size: int) -> dict[str, Any]:
    """DWVC-202."""
    if not DATA_TAG.match(data_tag):
        raise DiwError(e.DATATAG_INVALID, "dataTag must be letters and digits")
    return _page(ctx, ctx.index.issued(data_tag=data_tag), page, size)


def by_filter(ctx: IssuerContext, query: VcDataQuery) -> dict[str, Any]:
    """DWVC-203."""
    if query.dataTag is not None and not DATA_TAG.match(query.dataTag):
        raise DiwError(e.DATATAG_INVALID, "dataTag must be letters and digits")
    status = None
    if query.credentialStatus is not None:
        status = CODE_STATUS.get(query.credentialStatus)
        if status is None:
            raise DiwError(e.STATUS_INVALID, "credentialStatus must be 0, 1 or 2")
    rows = ctx.index.issued(data_tag=query.dataTag, vc_uid=query.vcUid, status=status)
    return _page(ctx, rows, query.page, query.size)

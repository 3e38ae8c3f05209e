"""DWVC-201 (the collected credential), DWVC-202 and DWVC-203 (issued credentials by filter)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from api.issuer import errors as e
from api.issuer.context import IssuerContext
from api.issuer.days import day_end, day_start, listed
from api.issuer.errors import DiwError
from api.issuer.records import STATUS_CODE, Row
from api.issuer.sealing import Shredded

DATA_TAG = re.compile(r"^[A-Za-z0-9]{1,64}$")
CODE_STATUS = {code: name for name, code in STATUS_CODE.items()}


class VcDataQuery(BaseModel):
    """DWVC-203 request body (every filter optional; page from 0); checked in `by_filter`."""

    dataTag: Any = None
    vcUid: Any = None
    credentialStatus: Any = None
    page: Any = 0
    size: Any = 10


def collected_credential(ctx: IssuerContext, transaction_id: str) -> dict[str, str]:
    """DWVC-201: ``{credential}`` once the holder collected it; 404 61010 until then."""
    issuance = ctx.records.get(transaction_id)
    if issuance is None:
        raise DiwError.spec(e.UNKNOWN_TRANSACTION, f"no transaction {transaction_id!r}")
    if issuance.sealed_credential is None:
        raise DiwError.spec(e.NOT_SCANNED, "the holder has not collected the credential yet", 404)
    ctx.shredder.purge(ctx.clock())
    try:
        return {"credential": ctx.shredder.open(issuance.offer_id, issuance.sealed_credential)}
    except Shredded:
        raise DiwError.spec(e.NOT_SCANNED, "the credential is no longer held by the issuer", 404) from None


def _number(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise DiwError.spec(e.MISSING_OR_INVALID, f"{name} must be a whole number, not {value!r}")
    return int(text)


def _page(ctx: IssuerContext, rows: list[Row], page: Any, size: Any, *, with_tag: bool) -> dict[str, Any]:
    """One page of ``vcList`` rows in the module's shape (its DTO writes ``issuanceDate`` and, for
    old clients, the misspelt ``issuranceDate``; dates ``yyyy-MM-dd HH:mm:ss`` in its zone)."""
    page, size = _number(page, "page", 0), _number(size, "size", 10)
    if not 1 <= size <= 100:
        raise DiwError.spec(e.MISSING_OR_INVALID, "size must be between 1 and 100")
    chosen = rows[page * size : (page + 1) * size]
    views_block = ctx.status.views_block()
    zone = ctx.config.time_zone
    listed_rows = []
    for row in chosen:
        issued = listed(day_start(row.issuance_date, zone), zone)
        item: dict[str, Any] = {"dataTag": row.data_tag} if with_tag else {}
        item |= {
            "cid": row.cid,
            "vcUid": row.vc_uid,
            "issuranceDate": issued,
            "issuanceDate": issued,
            "expirationDate": listed(day_end(row.expiration_date, zone), zone),
            "credentialStatus": STATUS_CODE[row.status],
            # ours: the last status change's transaction, and whether the lists show it yet
            "transactionHash": row.status_tx,
            "final": row.final(views_block),
        }
        listed_rows.append(item)
    # ours: page, size, totalElements (the module answers the page alone)
    return {"vcList": listed_rows, "page": page, "size": size, "totalElements": len(rows)}


def by_data_tag(ctx: IssuerContext, data_tag: str, page: Any, size: Any) -> dict[str, Any]:
    """DWVC-202: ``{dataTag, vcList}``."""
    if not DATA_TAG.match(data_tag):
        raise DiwError.spec(e.DATATAG_202, "dataTag must be 1 to 64 letters and digits")
    rows = ctx.index.issued(data_tag=data_tag)
    return {"dataTag": data_tag, **_page(ctx, rows, page, size, with_tag=False)}


def by_filter(ctx: IssuerContext, query: VcDataQuery) -> dict[str, Any]:
    """DWVC-203: ``{vcList}``, each row with its dataTag; credentialStatus a number or a string."""
    if query.dataTag not in (None, "") and not (
        isinstance(query.dataTag, str) and DATA_TAG.match(query.dataTag)
    ):
        raise DiwError.spec(e.DATATAG_203, "dataTag must be 1 to 64 letters and digits")
    status = None
    if query.credentialStatus not in (None, ""):
        wanted = query.credentialStatus
        code = str(wanted) if isinstance(wanted, int | str) and not isinstance(wanted, bool) else ""
        status = CODE_STATUS.get(code)
        if status is None:
            raise DiwError.spec(e.STATUS_203, f"credentialStatus must be 0, 1 or 2, not {wanted!r}")
    if query.vcUid is not None and not isinstance(query.vcUid, str):
        raise DiwError.spec(e.MISSING_OR_INVALID, "vcUid must be a string")
    rows = ctx.index.issued(data_tag=query.dataTag or None, vc_uid=query.vcUid or None, status=status)
    return _page(ctx, rows, query.page, query.size, with_tag=True)

"""The trust list, entity detail and status lists: GET /1.0/trust-list, /1.0/entities/{did},
/1.0/status-lists/{id}. Errors are RFC 9457 application/problem+json.

Freshness is in the X-Ledger-* headers, not in the bodies, so an unchanged answer keeps its ETag
while the chain moves on. `asOf` (XML datetime or unix seconds) answers as of that time.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from resolver.context import Context, get_context, one_snapshot
from resolver.did_syntax import MAX_NUMBER, MAX_PAGE, parse_time_option, require_did, xml_datetime
from resolver.errors import ErrorCode, ResolverError
from resolver.http import CURRENT_CACHE, VERSIONED_CACHE, json_response
from resolver.models import EntityDetail, Problem, StatusListOut, TrustList
from resolver.status_codec import encode
from resolver.trust import entity_json, entry_json

router = APIRouter(tags=["Trust list"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "content": {"application/problem+json": {}}},
    404: {"model": Problem, "content": {"application/problem+json": {}}},
}

AS_OF = Query(alias="asOf", description="XML datetime (UTC) or unix seconds: answer as of that time")


class StatusFilter(StrEnum):
    active = "active"
    suspended = "suspended"
    revoked = "revoked"


def _as_of(text: str | None) -> int | None:
    return parse_time_option(text, what="asOf") if text is not None else None


@router.get("/1.0/trust-list", response_model=TrustList, responses=PROBLEMS, summary="The trust list")
@one_snapshot
def trust_list(
    request: Request,
    ctx: Annotated[Context, Depends(get_context)],
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 100,
    credential_type: Annotated[
        str | None, Query(alias="credentialType", description="Only entities accredited for this type")
    ] = None,
    status: Annotated[StatusFilter | None, Query(description="Filter on the effective status")] = None,
    subtree: Annotated[str | None, Query(description="A DID: that entity and its descendants")] = None,
    as_of: Annotated[str | None, AS_OF] = None,
) -> Response:
    at = _as_of(as_of)
    if subtree is not None:
        require_did(subtree)
        known = (
            ctx.views.entity_version(subtree, at_time=at)
            if at is not None
            else ctx.views.entity_version(subtree)
        )
        if known is None:
            raise ResolverError(ErrorCode.NOT_FOUND, f"subtree {subtree} is not registered")
    result = ctx.views.trust_list(
        page=page,
        size=size,
        credential_type=credential_type,
        status=status.value if status else None,
        subtree=subtree,
        at_time=at,
    )
    last = max(1, -(-result.total // size))
    state = ctx.state()

    def link(n: int) -> str:
        return str(request.url.include_query_params(page=n, size=size))

    body = {
        "items": [entry_json(e) for e in result.items],
        "total": result.total,
        "page": page,
        "size": size,
        "asOf": xml_datetime(at),
        "links": {
            "self": str(request.url),
            "first": link(1),
            "prev": link(page - 1) if page > 1 else None,
            "next": link(page + 1) if page < last else None,
            "last": link(last),
        },
    }
    return json_response(request, body, state=state, cache_control=VERSIONED_CACHE if at else CURRENT_CACHE)


@router.get(
    "/1.0/entities/{did:path}",
    response_model=EntityDetail,
    responses=PROBLEMS,
    summary="An entity: ancestry, accreditations, effective status, history",
)
@one_snapshot
def entity(
    request: Request,
    did: str,
    ctx: Annotated[Context, Depends(get_context)],
    as_of: Annotated[str | None, AS_OF] = None,
) -> Response:
    require_did(did)
    at = _as_of(as_of)
    version = ctx.views.entity_version(did, at_time=at) if at is not None else ctx.views.entity_version(did)
    if version is None:
        when = f" at {xml_datetime(at)}" if at is not None else ""
        raise ResolverError(ErrorCode.NOT_FOUND, f"{did} is not registered{when}")
    state = ctx.state()
    body = {**entity_json(ctx.views, version, at), "asOf": xml_datetime(at)}
    return json_response(request, body, state=state, cache_control=VERSIONED_CACHE if at else CURRENT_CACHE)


@router.get(
    "/1.0/status-lists/{list_id}",
    response_model=StatusListOut,
    responses=PROBLEMS,
    tags=["Status lists"],
    summary="A status list as a W3C Bitstring Status List encodedList",
)
@one_snapshot
def status_list(
    request: Request,
    list_id: Annotated[int, Path(ge=1, le=MAX_NUMBER)],
    ctx: Annotated[Context, Depends(get_context)],
    as_of: Annotated[str | None, AS_OF] = None,
) -> Response:
    at = _as_of(as_of)
    found = ctx.views.status_list(list_id, at_time=at)
    if found is None:
        when = f" at {xml_datetime(at)}" if at is not None else ""
        raise ResolverError(ErrorCode.NOT_FOUND, f"no status list {list_id}{when}")
    state = ctx.state()
    body = {
        "listId": found.list_id,
        "owner": found.owner_did,
        "purpose": found.purpose,
        "size": found.size,
        "uri": found.uri,
        "encodedList": encode(found.bitstring),
        "blockNumber": found.block_number,
        "blockTime": xml_datetime(found.block_time),
        "txHash": found.tx_hash,
        "asOf": xml_datetime(at),
    }
    return json_response(request, body, state=state, cache_control=VERSIONED_CACHE if at else CURRENT_CACHE)

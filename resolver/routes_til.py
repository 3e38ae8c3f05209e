"""FIWARE trusted-issuers-list / EBSI TIR v4 read API: GET /v4/issuers and /v4/issuers/{did}.

`/v4/issuers` lists the entities a verifier may trust now (effective status active), ordered by
name; `page[after]` is the number of the page to return (1 = first, as in the `links`).
`/v4/issuers/{did}` answers for every registered entity (see resolver.til for `issuerType`).
Errors are the TIL ProblemDetails ``{type, title, status, detail, instance}``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response

from resolver.context import Context, get_context, one_snapshot
from resolver.did_syntax import MAX_PAGE, parse_number, require_did
from resolver.errors import ErrorCode, ResolverError
from resolver.http import json_response
from resolver.models import Problem, TilIssuer, TilIssuers
from resolver.til import issuer_attributes, issuer_type
from resolver.trust import ancestry, has_children, untrusted_since

router = APIRouter(tags=["Trusted issuers list (FIWARE TIL / EBSI TIR v4)"])

PROBLEMS: dict[int | str, dict[str, Any]] = {400: {"model": Problem}, 404: {"model": Problem}}


@router.get("/v4/issuers", response_model=TilIssuers, responses=PROBLEMS, summary="Trusted issuers")
@router.get("/v4/issuers/", include_in_schema=False)
@one_snapshot
def issuers(
    request: Request,
    ctx: Annotated[Context, Depends(get_context)],
    page_size: Annotated[int, Query(alias="page[size]", ge=1, le=100)] = 10,
    page_after: Annotated[
        str | None, Query(alias="page[after]", description="Page number, 1 = first")
    ] = None,
) -> Response:
    page = 1
    if page_after is not None:
        page = parse_number(page_after, what="page[after]", maximum=MAX_PAGE)
    result = ctx.views.trust_list(page=page, size=page_size, status="active")
    last = max(1, -(-result.total // page_size))
    base = str(request.base_url).rstrip("/")

    def link(n: int) -> str:
        return f"{base}/v4/issuers?page[after]={n}&page[size]={page_size}"

    body = {
        "self": link(page),
        "items": [
            {"did": e.did, "href": f"{base}/v4/issuers/{quote(e.did, safe=':')}"} for e in result.items
        ],
        "total": result.total,
        "pageSize": page_size,
        "links": {
            "first": link(1),
            "prev": link(page - 1) if page > 1 else None,
            "next": link(page + 1) if page < last else None,
            "last": link(last),
        },
    }
    return json_response(request, body, state=ctx.state())


@router.get(
    "/v4/issuers/{did:path}", response_model=TilIssuer, responses=PROBLEMS, summary="A trusted issuer"
)
@one_snapshot
def issuer(request: Request, did: str, ctx: Annotated[Context, Depends(get_context)]) -> Response:
    require_did(did)
    version = ctx.views.entity_version(did)
    if version is None:
        raise ResolverError(ErrorCode.NOT_FOUND, f"{did} is not a registered issuer")
    effective = ctx.views.effective_status(did)
    since = untrusted_since(ctx.views, did, effective)
    trusted = since is None and version.state.status == "active"
    ancestors = ancestry(ctx.views, version, None)
    kind = issuer_type(
        is_root=version.parent_did is None, has_children=has_children(ctx.views, did), trusted=trusted
    )
    body = {
        "did": did,
        "attributes": issuer_attributes(
            version.state.accreditations,
            kind=kind,
            tao=version.parent_did,
            root_tao=ancestors[0].did if ancestors else did,
            untrusted_since=since,
        ),
    }
    return json_response(request, body, state=ctx.state())

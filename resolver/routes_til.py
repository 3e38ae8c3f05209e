"""FIWARE trusted-issuers-list / EBSI TIR v4 read API: GET /v4/issuers and /v4/issuers/{did}.

As FIWARE's trusted-issuers-list (api/trusted-issuers-registry.yaml and
TrustedIssuerRegistryController, read at FIWARE/trusted-issuers-list@4e07cb1):
- `/v4/issuers` lists the entities a verifier may trust now (effective status active), ordered
  by name; `page[after]` is the 0-based number of the page (default 0; `links.first` is 0,
  `links.last` the last page's number); `prev` and `next` are left out when there is no such page.
- `/v4/issuers/{did}` answers 200 only for an entity that is trusted now, with the attributes of
  resolver.til; any other DID (unknown, suspended, revoked, or under a suspended or revoked
  ancestor) is 404, the answer FIWARE's list gives for a DID it does not hold, and what its
  client, FIWARE's VCVerifier, reads as "not a trusted issuer". The entity's history stays at
  /1.0/entities/{did}.
Errors are the TIL ProblemDetails ``{type, title, status, detail, instance}``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response

from projections.accreditation import record_from_views
from resolver.context import Context, get_context, one_snapshot
from resolver.did_syntax import MAX_PAGE, is_number, require_did
from resolver.errors import ErrorCode, ResolverError
from resolver.http import json_response
from resolver.models import Problem, TilIssuer, TilIssuers
from resolver.til import grantable, issuer_attributes, issuer_type
from resolver.trust import ancestry, has_children

router = APIRouter(tags=["Trusted issuers list (FIWARE TIL / EBSI TIR v4)"])

PROBLEMS: dict[int | str, dict[str, Any]] = {400: {"model": Problem}, 404: {"model": Problem}}


def _page_number(text: str | None) -> int:
    """`page[after]`: a page number from 0 (the first page) to MAX_PAGE - 1, else INVALID_OPTIONS."""
    if text is None:
        return 0
    if not is_number(text) or len(text) > len(str(MAX_PAGE)) or int(text) >= MAX_PAGE:
        raise ResolverError(
            ErrorCode.INVALID_OPTIONS, f"page[after] {text!r} is not a page number from 0 to {MAX_PAGE - 1}"
        )
    return int(text)


@router.get("/v4/issuers", response_model=TilIssuers, responses=PROBLEMS, summary="Trusted issuers")
@router.get("/v4/issuers/", include_in_schema=False)
@one_snapshot
def issuers(
    request: Request,
    ctx: Annotated[Context, Depends(get_context)],
    page_size: Annotated[int, Query(alias="page[size]", ge=1, le=100)] = 10,
    page_after: Annotated[
        str | None, Query(alias="page[after]", description="Page number, 0 = first (the default)")
    ] = None,
) -> Response:
    page = _page_number(page_after)
    result = ctx.views.trust_list(page=page + 1, size=page_size, status="active")
    last = max(0, -(-result.total // page_size) - 1)
    base = str(request.base_url).rstrip("/")

    def link(n: int) -> str:
        return f"{base}/v4/issuers?page[after]={n}&page[size]={page_size}"

    links = {"first": link(0)}
    if page > 0:
        links["prev"] = link(page - 1)
    if page < last:
        links["next"] = link(page + 1)
    links["last"] = link(last)
    body = {
        "self": link(page),
        "items": [
            {"did": e.did, "href": f"{base}/v4/issuers/{quote(e.did, safe=':')}"} for e in result.items
        ],
        "total": result.total,
        "pageSize": page_size,
        "links": links,
    }
    return json_response(request, body, state=ctx.state())


@router.get(
    "/v4/issuers/{did:path}", response_model=TilIssuer, responses=PROBLEMS, summary="A trusted issuer"
)
@one_snapshot
def issuer(request: Request, did: str, ctx: Annotated[Context, Depends(get_context)]) -> Response:
    require_did(did)
    version = ctx.views.entity_version(did)
    effective = ctx.views.effective_status(did)
    if version is None or effective is None or {effective.status, effective.own_status} != {"active"}:
        raise ResolverError(ErrorCode.NOT_FOUND, f"{did} is not a trusted issuer")
    entity = record_from_views(ctx.views, did)
    assert entity is not None  # the version above is the entity's
    ancestors = ancestry(ctx.views, version, None)
    body = {
        "did": did,
        "attributes": issuer_attributes(
            grantable(entity, lambda d: record_from_views(ctx.views, d), ctx.clock()),
            kind=issuer_type(is_root=version.parent_did is None, has_children=has_children(ctx.views, did)),
            tao=version.parent_did,
            root_tao=ancestors[0].did if ancestors else did,
        ),
    }
    return json_response(request, body, state=ctx.state())

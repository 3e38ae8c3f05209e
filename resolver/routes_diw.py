"""TW DIW-style issuer status lookup: GET /api/did/{did} → {"code", "message", "data": {did, status}}.

status: 0 not on chain (unknown DID), 1 effective, 2 revoked, 3 not qualified (the entity is
suspended, or an ancestor is not active). A malformed DID is HTTP 400 ``{"code": "11001", ...}``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from resolver.context import Context, get_context, one_snapshot
from resolver.did_syntax import require_did
from resolver.http import json_response
from resolver.models import DiwStatus
from resolver.trust import diw_status

router = APIRouter(tags=["TW DIW issuer status"])


@router.get("/api/did/{did:path}", response_model=DiwStatus, summary="Issuer DID status (TW DIW)")
@one_snapshot
def did_status(request: Request, did: str, ctx: Annotated[Context, Depends(get_context)]) -> Response:
    require_did(did)
    body = {"code": "0", "message": "SUCCESS", "data": {"did": did, "status": diw_status(ctx.views, did)}}
    return json_response(request, body, state=ctx.state())

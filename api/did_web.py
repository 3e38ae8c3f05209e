"""The organisation's DID document at its did:web location, served by the issuer and verifier modules.

A module runs at its organisation's own domain, so a standard did:web resolver (which fetches
``https://<domain>/.well-known/did.json``, or ``/<path>/did.json`` for ``did:web:<domain>:<path>``)
reaches it there. What it serves is the registry's document, rendered from the module's views by
the resolver's own code (resolver.resolution), so the two never differ: the registry attests the
keys, this is a published copy (resolver.did_web). A revoked entity's document is gone (410: the
did:web Method Specification deactivates a DID by removing its did.json); a DID the views do not
hold yet is 404; a verifier without live views (an offline snapshot) cannot render it (503).

Nothing is routed when the module's DID is not a did:web DID.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from starlette.exceptions import HTTPException

from projections.api import TrustViews
from resolver.did_web import web_location
from resolver.errors import ErrorCode, ResolverError
from resolver.http import CURRENT_CACHE
from resolver.media import DID_LD_JSON
from resolver.resolution import DidResolver, Options


def did_web_router(did: str, views: Callable[[], TrustViews | None], clock: Callable[[], int]) -> APIRouter:
    """A router serving `did`'s document at its did:web path (none for another DID); `views` gives
    the module's live views, or None when it has none."""
    router = APIRouter(tags=["did:web"])
    location = web_location(did)
    if location is None:
        return router

    @router.get(location.path, summary="This organisation's DID document (did:web)")
    def did_document(request: Request) -> Response:
        current = views()
        if current is None:
            raise HTTPException(503, f"{did}'s document needs the ledger's live views; this module has none")
        with current.snapshot():
            try:
                resolution = DidResolver(current, clock=clock).resolve(did, Options())
            except ResolverError as error:
                if error.code is ErrorCode.NOT_FOUND:
                    raise HTTPException(404, f"{did} is not in the registry (yet)") from None
                raise
        if resolution.deactivated:
            raise HTTPException(410, f"{did} is revoked in the registry: its DID document is withdrawn")
        body = json.dumps(resolution.document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest() + '"'
        headers = {
            "ETag": etag,
            "Cache-Control": CURRENT_CACHE,
            "Access-Control-Allow-Origin": "*",  # browsers' did:web resolvers fetch it cross-origin
        }
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=DID_LD_JSON, headers=headers)

    return router

"""GET /1.0/identifiers/{did} and /api/did/v1/identifiers/{did}: DID resolution and dereferencing.

The identifier is taken from the raw request path and percent-decoded exactly once, so a DID URL
sent as ``did%3Aexample%3A123%23key-1`` dereferences ``#key-1`` and ``%25`` stays a literal ``%``
inside the method-specific id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Request, Response

from resolver.context import Context, get_context
from resolver.did_syntax import parse_did_url
from resolver.documents import as_representation
from resolver.errors import ErrorCode, ResolverError
from resolver.http import CURRENT_CACHE, HOLDS_UNTIL, VERSIONED_CACHE, LedgerState, json_response
from resolver.media import (
    DEREFERENCING,
    DID_JSON,
    DID_LD_JSON,
    JSON,
    LD_JSON,
    LEGACY_DEREFERENCING,
    LEGACY_RESOLUTION,
    RESOLUTION,
    URI_LIST,
    Representation,
    negotiate,
)
from resolver.resolution import Options, Resolution, options_from
from trust_ledger.metrics import RESOLUTIONS

router = APIRouter(tags=["DID resolution"])

_DOC_EXAMPLE = {"@context": ["https://www.w3.org/ns/did/v1"], "id": "did:elsi:EU.EORI.HAPPYPETS"}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The DID document, a DID Resolution Result, or the dereferenced resource, "
        "as the Accept header asks.",
        "content": {
            DID_LD_JSON: {"example": _DOC_EXAMPLE},
            DID_JSON: {},
            LD_JSON: {},
            JSON: {},
            RESOLUTION: {},
            LEGACY_RESOLUTION: {},
            DEREFERENCING: {},
        },
    },
    303: {
        "description": "DID URL with `service` / `serviceType`: redirect to the selected service "
        "endpoint (with the DID URL's fragment), unless a dereferencing result is asked for, whose "
        "content is then that endpoint as text/uri-list."
    },
    400: {"description": "invalidDid / invalidDidUrl / INVALID_OPTIONS."},
    404: {"description": "notFound."},
    406: {"description": "representationNotSupported."},
    410: {"description": "The DID is deactivated (revoked): a resolution result with deactivated: true."},
    500: {"description": "internalError."},
    501: {"description": "methodNotSupported / featureNotSupported."},
}


def _raw_identifier(request: Request, fallback: str) -> str:
    raw: bytes = request.scope.get("raw_path") or b""
    marker = b"/identifiers/"
    if marker in raw:
        return unquote(raw.split(marker, 1)[1].decode("ascii", errors="replace"))
    return fallback


def _query(request: Request) -> dict[str, list[str]]:
    query: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        query.setdefault(name, []).append(value)
    return query


def _ledger_metadata(resolution: Resolution, state: LedgerState) -> dict[str, Any]:
    return {**resolution.resolution_metadata, "ledger": state.as_json()}


def _deactivated(
    request: Request, resolution: Resolution, rep: Representation, state: LedgerState
) -> Response:
    """410 with a resolution result: didDocument null and deactivated: true (as the Universal Resolver)."""
    body = {
        "didDocument": None,
        "didResolutionMetadata": {"contentType": rep.document_type, **_ledger_metadata(resolution, state)},
        "didDocumentMetadata": resolution.document_metadata,
    }
    content_type = rep.content_type if rep.result else rep.error_content_type
    if content_type in (DEREFERENCING, LEGACY_DEREFERENCING):
        content_type = LEGACY_RESOLUTION if rep.legacy else RESOLUTION
    return json_response(
        request, body, state=state, status=410, content_type=content_type, headers={"Vary": "Accept"}
    )


def resolve_identifier(
    request: Request,
    identifier: str,
    ctx: Context,
    accept: str | None,
) -> Response:
    """One resolution, read from one snapshot of the views (the document and its headers agree)."""
    with ctx.views.snapshot():
        return _resolve_identifier(request, identifier, ctx, accept)


def _resolve_identifier(
    request: Request,
    identifier: str,
    ctx: Context,
    accept: str | None,
) -> Response:
    url = parse_did_url(_raw_identifier(request, identifier))
    if url.path is not None:
        raise ResolverError(
            ErrorCode.FEATURE_NOT_SUPPORTED, f"DID URL paths ({url.path}) are not dereferenced"
        )
    options: Options = options_from(url, _query(request))
    service = options.service is not None or options.service_type is not None
    rep = negotiate(accept, uri_list=service)
    resolution = ctx.resolver.resolve(url.did, options)
    request.scope[HOLDS_UNTIL] = resolution.holds_until
    RESOLUTIONS.labels("deactivated" if resolution.deactivated else "ok").inc()
    state = ctx.state()
    cache = (
        VERSIONED_CACHE
        if options.versioned or resolution.resolution_metadata.get("source") == "didkit"
        else CURRENT_CACHE
    )
    if resolution.deactivated:
        return _deactivated(request, resolution, rep, state)
    headers = {"Vary": "Accept"}

    if service:
        # DID Resolution §"Dereferencing the Primary Resource" (services) and §"Dereferencing the
        # Secondary Resource": the selected endpoint inherits the DID URL's fragment; it is the
        # text/uri-list answer, sent as a 303 to it (HTTP(S) binding) unless a result is asked for.
        location = ctx.resolver.select_service_url(resolution, options, url.fragment)
        if rep.content_type in (DEREFERENCING, LEGACY_DEREFERENCING):
            body = {
                "content": location + "\r\n",
                "dereferencingMetadata": {"contentType": URI_LIST, **_ledger_metadata(resolution, state)},
                "contentMetadata": resolution.document_metadata,
            }
            content_type = rep.content_type
            return json_response(
                request, body, state=state, content_type=content_type, cache_control=cache, headers=headers
            )
        return Response(
            status_code=303,
            headers={**state.headers(), **headers, "Location": location, "Cache-Control": cache},
        )

    if url.fragment is not None:
        resource = ctx.resolver.select_fragment(resolution, url.fragment, options)
        content: dict[str, Any] = dict(resource)
        if "ld+json" in rep.document_type:
            content = {"@context": resolution.document.get("@context"), **content}
        if not rep.result:
            return json_response(
                request,
                content,
                state=state,
                content_type=rep.content_type,
                cache_control=cache,
                headers=headers,
            )
        body = {
            "content": content,
            "dereferencingMetadata": {
                "contentType": rep.document_type,
                **_ledger_metadata(resolution, state),
            },
            "contentMetadata": resolution.document_metadata,
        }
        content_type = LEGACY_DEREFERENCING if rep.legacy else DEREFERENCING
        return json_response(
            request, body, state=state, content_type=content_type, cache_control=cache, headers=headers
        )

    document = as_representation(resolution.document, rep.document_type)
    if not rep.result:
        return json_response(
            request,
            document,
            state=state,
            content_type=rep.content_type,
            cache_control=cache,
            headers=headers,
        )
    metadata = {"contentType": rep.document_type, **_ledger_metadata(resolution, state)}
    if rep.content_type in (DEREFERENCING, LEGACY_DEREFERENCING):
        body = {
            "content": document,
            "dereferencingMetadata": metadata,
            "contentMetadata": resolution.document_metadata,
        }
    else:
        body = {
            "didDocument": document,
            "didResolutionMetadata": metadata,
            "didDocumentMetadata": resolution.document_metadata,
        }
    return json_response(
        request, body, state=state, content_type=rep.content_type, cache_control=cache, headers=headers
    )


_DESCRIPTION = (
    "Resolve a DID or dereference a DID URL (W3C DID Resolution HTTP(S) binding, DIF Universal "
    "Resolver API). Percent-encode the DID URL. `Accept`: application/did+ld+json (default), "
    "application/did+json, application/ld+json, application/json → the DID Core 1.0 document "
    "(application/did, DID 1.1's media type, is 406); "
    'application/did-resolution or application/ld+json;profile="https://w3id.org/did-resolution" → '
    "the resolution result; application/did-url-dereferencing → the dereferencing result; with "
    "`service`/`serviceType`, text/uri-list or a document type → 303 to the endpoint. Errors are "
    "RFC 9457 objects (application/did-resolution) unless the legacy profile is asked for."
)


def _parameter(name: str, where: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }


_OPTIONS = [
    _parameter("accept", "header", "The representation asked for (DID document or resolution result)"),
    _parameter("versionId", "query", "A version number (1 = registration)"),
    _parameter("versionTime", "query", "XML datetime, UTC, e.g. 2025-01-01T00:00:00Z"),
    _parameter("expandRelativeUrls", "query", "DID Resolution option"),
    _parameter("verificationRelationship", "query", "DID URL dereferencing: the relationship asked for"),
]
"""The options a resolution reads from the request itself (resolver.resolution.options_from),
declared for the OpenAPI document only: FastAPI validating them as parameters cost a fifth of a
rendered resolution."""


@router.get(
    "/1.0/identifiers/{identifier:path}",
    summary="Resolve a DID / dereference a DID URL",
    description=_DESCRIPTION,
    responses=RESPONSES,
    response_class=Response,
    openapi_extra={"parameters": _OPTIONS},
)
def resolve_v1(request: Request, identifier: str) -> Response:
    return resolve_identifier(request, identifier, get_context(request), request.headers.get("accept"))


@router.get(
    "/api/did/v1/identifiers/{identifier:path}",
    summary="Resolve a DID (DSBA packet-delivery path)",
    description=_DESCRIPTION,
    responses=RESPONSES,
    response_class=Response,
    openapi_extra={"parameters": _OPTIONS[:3]},
)
def resolve_dsba(request: Request, identifier: str) -> Response:
    return resolve_identifier(request, identifier, get_context(request), request.headers.get("accept"))

"""The resolver's FastAPI application: `create_app(views, *, chain_status=None)`.

Failures are mapped to HTTP in one place here: a ResolverError renders its code in the style of
the API the request went to (resolver.http.error_response); FastAPI's parameter validation errors
are INVALID_OPTIONS (400); unknown paths are NOT_FOUND; the store not answering (a database restart:
eventsourcing's OperationalError or InterfaceError) is UNAVAILABLE (503, Retry-After), logged as one
line; anything else unexpected is INTERNAL_ERROR (500) in the same shape, logged with its traceback,
never an unhandled exception. The resolver reads no request body: one over 64 KiB, arriving too
slowly or nested too deep is refused as INVALID_OPTIONS (400) before anything parses it
(trust_ledger.http_limits).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from projections.api import TrustViews
from resolver import routes_diw, routes_identifiers, routes_til, routes_trust
from resolver.context import Context, get_context
from resolver.errors import ErrorCode, ResolverError
from resolver.foreign import FOREIGN_METHODS
from resolver.hot_path import HotPath
from resolver.http import PROBLEM_JSON, error_response, json_response
from resolver.models import Health
from resolver.resolution import DEFAULT_REGISTRY_METHODS, DidResolver
from trust_ledger.http_limits import ASGIApp, BodyLimits, Message, Receive, Refusal, Scope, Send
from trust_ledger.metrics import ERRORS, RESOLUTIONS, metrics_response
from trust_ledger.settings import RESOLVER_REPLAY_ENTRIES
from trust_ledger.store import STORE_RETRY_AFTER_SECONDS, STORE_UNAVAILABLE, first_line

log = logging.getLogger(__name__)


def _error(request: Request, code: ErrorCode, detail: str) -> Response:
    ctx = get_context(request)
    ERRORS.labels("did-resolution", code.name).inc()
    if "/identifiers/" in request.url.path:
        RESOLUTIONS.labels(code.name).inc()
    return error_response(request, code, detail, ctx.state())


def _internal_error(request: Request, error: Exception) -> Response:
    """The answer to an exception no route turned into one: 503 with Retry-After while the store is
    unavailable (a database restart), else 500; both in the DID Resolution error format."""
    if isinstance(error, STORE_UNAVAILABLE):
        path, why = request.url.path, first_line(error)
        log.warning("the store is unavailable answering %s %s: %s", request.method, path, why)
        detail = "the ledger's views are unavailable; retry shortly"
        response = _error(request, ErrorCode.UNAVAILABLE, detail)
        response.headers["Retry-After"] = str(STORE_RETRY_AFTER_SECONDS)
        return response
    log.exception("unexpected error answering %s %s", request.method, request.url.path, exc_info=error)
    return _error(request, ErrorCode.INTERNAL_ERROR, f"unexpected {type(error).__name__}")


class InternalErrors:
    """ASGI middleware answering what escapes the routes (`_internal_error`), unless the answer has
    begun (then the connection is cut, as before). A plain ASGI callable, not Starlette's
    BaseHTTPMiddleware, which costs a task group and two memory streams per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            if started:
                raise
            await _internal_error(Request(scope), error)(scope, receive, send)


def create_app(
    views: TrustViews,
    *,
    chain_status: Callable[[], bool] | None = None,
    registry_methods: frozenset[str] = DEFAULT_REGISTRY_METHODS,
    clock: Callable[[], int] | None = None,
    mounts: Mapping[str, ASGIApp] | None = None,
    home: str = "/docs",
    replay_entries: int = RESOLVER_REPLAY_ENTRIES,
) -> FastAPI:
    """The resolver over `views`.

        `chain_status` reports whether the chain answers (None: not checked); the resolver keeps
        answering from the views either way and says so (header X-Chain-Reachable, result metadata,
        /health). `registry_methods` are the DID methods this registry is authoritative for: an unknown
        DID of such a method is notFound (404); unknown methods other than key/jwk/pkh are
        methodNotSupported (501). `clock` gives the unix time used for key validity windows.
        `mounts` are other apps served under a path prefix (the composition root mounts the explorer
        here); each guards its own bodies. `home` is where `/` sends a person. `replay_entries` bounds
    the answers replayed from memory (resolver.hot_path).
    """
    mounted = dict(mounts or {})
    now = clock or (lambda: int(time.time()))
    app = FastAPI(
        title="trust-ledger resolver",
        version="1.0",
        description=(
            "Universal-resolver-compatible DID resolution over the trust ledger's views, the trust "
            "list with history, W3C Bitstring status lists, a FIWARE TIL / EBSI TIR v4 read API and "
            "a TW DIW issuer status lookup. Every answer carries X-Ledger-Block, X-Ledger-Block-Time, "
            "X-Ledger-Position and X-Chain-Reachable headers."
        ),
    )
    app.state.trust_ledger = Context(
        views=views,
        resolver=DidResolver(views, clock=now, registry_methods=registry_methods),
        clock=now,
        chain_status=chain_status,
    )

    app.add_middleware(InternalErrors)

    def refused(scope: Scope, refusal: Refusal) -> Response:
        return _error(Request(scope), ErrorCode.INVALID_OPTIONS, refusal.detail)

    # mounted apps guard their own bodies in their own error formats
    app.add_middleware(BodyLimits, render=refused, passthrough=tuple(mounted))

    @app.exception_handler(ResolverError)
    async def resolver_error(request: Request, error: ResolverError) -> Response:
        return _error(request, error.code, error.detail)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in error.errors()
        )
        return _error(request, ErrorCode.INVALID_OPTIONS, details or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return _error(request, ErrorCode.NOT_FOUND, f"no resource at {request.url.path}")
        ctx = get_context(request)
        body = {
            "type": "about:blank",
            "title": HTTPStatus(error.status_code).phrase,
            "status": error.status_code,
            "detail": str(error.detail),
        }
        return json_response(
            request,
            body,
            state=ctx.state(),
            status=error.status_code,
            content_type=PROBLEM_JSON,
            cache_control="no-cache",
            headers=dict(error.headers or {}),
        )

    app.include_router(routes_identifiers.router)
    app.include_router(routes_trust.router)
    app.include_router(routes_til.router)
    app.include_router(routes_diw.router)
    for prefix, mounted_app in mounted.items():
        app.mount(prefix, mounted_app)

    @app.get("/1.0/methods", tags=["DID resolution"], summary="DID methods resolved here")
    def methods(request: Request, ctx: Annotated[Context, Depends(get_context)]) -> Response:
        return json_response(request, sorted(registry_methods | FOREIGN_METHODS), state=ctx.state())

    @app.get("/metrics", tags=["Operations"], summary="Prometheus metrics", response_class=Response)
    def metrics() -> Response:
        body, content_type = metrics_response()
        return Response(body, media_type=content_type)

    # Not in one snapshot: /health must answer (degraded) when the views' store cannot open one.
    @app.get("/health", response_model=Health, tags=["Operations"], summary="Liveness and freshness")
    def health(request: Request, ctx: Annotated[Context, Depends(get_context)]) -> Response:
        state = ctx.state()
        return json_response(request, state.health_body(), state=state, cache_control="no-cache")

    @app.get("/", include_in_schema=False)
    def home_page() -> Response:
        """A person opening the root lands on `home` (the explorer, which lists the APIs, or the docs)."""
        return RedirectResponse(home, status_code=307)

    # Outermost: a resolution the views have not moved past is answered again from memory (issue 18).
    app.add_middleware(HotPath, views=views, chain_status=chain_status, clock=now, max_entries=replay_entries)
    return app

"""The issuer's FastAPI application; every failure is mapped to HTTP here, in one place.

DiwError -> ``{code, message}`` with its status; OAuthError -> RFC 6749 ``{error,
error_description}`` (401 + WWW-Authenticate for invalid_token); request validation -> 11001 on
/api/ and invalid_request elsewhere; anything unexpected -> 59999 (500), logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.issuer import errors as e
from api.issuer import routes_diw, routes_oid4vci, routes_status
from api.issuer.context import IssuerContext
from api.issuer.errors import DiwError, OAuthError

log = logging.getLogger(__name__)


def _diw(error: DiwError) -> Response:
    return JSONResponse(error.body(), status_code=error.status)


def _oauth(error: OAuthError) -> Response:
    headers = {"Cache-Control": "no-store"}
    if error.status == 401:
        headers["WWW-Authenticate"] = f'Bearer error="{error.error}"'
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def create_app(ctx: IssuerContext) -> FastAPI:
    """The issuer over an IssuerContext (see wiring.open_issuer)."""
    app = FastAPI(
        title="trust-ledger issuer",
        version="1.0",
        description="TW DIW issuer module API (DWVC-101/201/202/203/301/302) over OID4VCI 1.0.",
    )
    app.state.issuer = ctx

    @app.middleware("http")
    async def internal_errors(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        try:
            return await call_next(request)
        except Exception as error:
            log.exception("unexpected error answering %s %s", request.method, request.url.path)
            return _diw(DiwError(e.INTERNAL, f"internal error ({type(error).__name__})", 500))

    @app.exception_handler(DiwError)
    async def diw_error(request: Request, error: DiwError) -> Response:
        return _diw(error)

    @app.exception_handler(OAuthError)
    async def oauth_error(request: Request, error: OAuthError) -> Response:
        return _oauth(error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in item.get('loc', ()))}: {item.get('msg', 'invalid')}"
            for item in error.errors()
        )
        if request.url.path.startswith("/api/"):
            return _diw(DiwError(e.BAD_PARAMETER, detail or "invalid request"))
        return _oauth(OAuthError("invalid_request", detail or "invalid request"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return JSONResponse(
            {"code": str(error.status_code), "message": str(error.detail)}, status_code=error.status_code
        )

    app.include_router(routes_diw.router)
    app.include_router(routes_oid4vci.router)
    app.include_router(routes_status.router)
    return app

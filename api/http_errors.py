"""How the issuer and verifier modules answer failures, in one place.

DiwError -> ``{code, message}`` with its status; OAuthError -> RFC 6749 ``{error,
error_description}`` (401 + WWW-Authenticate for invalid_token); request validation -> the TW DIW
bad-parameter code on /api/ and invalid_request elsewhere; the store not answering (a database
restart) -> 503 with Retry-After, as the resolver does (59999 on /api/, temporarily_unavailable
elsewhere); anything unexpected -> 59999 (500), logged.

The body limits (trust_ledger.http_limits) are installed here too, so both modules refuse the same
way: a route needing the Access-Token without a valid one -> 40100 (401) before the body is read; a
body over its cap (413), arriving too slowly (408) or nested too deep (400) -> the bad-parameter code
on /api/, ``invalid_request`` elsewhere, with that HTTP status.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.issuer.auth import access_token_gate
from api.issuer.errors import DiwError, OAuthError
from trust_ledger.http_limits import BodyLimits, Refusal, Scope
from trust_ledger.metrics import ERRORS, metrics_response
from trust_ledger.store import STORE_RETRY_AFTER_SECONDS, STORE_UNAVAILABLE, first_line

log = logging.getLogger(__name__)

INTERNAL = "59999"


def diw_response(error: DiwError) -> Response:
    ERRORS.labels("twdiw", error.code).inc()
    return JSONResponse(error.body(), status_code=error.status)


def oauth_response(error: OAuthError) -> Response:
    ERRORS.labels("oauth", error.error).inc()
    headers = {"Cache-Control": "no-store"}
    if error.status == 401:
        headers["WWW-Authenticate"] = f'Bearer error="{error.error}"'
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def install_error_handlers(
    app: FastAPI, *, bad_parameter: str, body_caps: Sequence[tuple[str, int]] = ()
) -> None:
    """Map every failure of ``app`` to its API's error body (counted in /metrics, which this also
    serves); ``bad_parameter`` is the TW DIW code for a request that does not validate.
    ``body_caps``: (path prefix, bytes) for routes whose bodies may exceed the default cap."""

    @app.middleware("http")
    async def internal_errors(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        try:
            return await call_next(request)
        except STORE_UNAVAILABLE as error:  # a database restart: the client retries, nothing is half-done
            path, why = request.url.path, first_line(error)
            log.warning("the store is unavailable answering %s %s: %s", request.method, path, why)
            detail = "the module's store is unavailable; retry shortly"
            if path.startswith("/api/"):
                response = diw_response(DiwError(INTERNAL, detail, 503))
            else:
                response = oauth_response(OAuthError("temporarily_unavailable", detail, 503))
            response.headers["Retry-After"] = str(STORE_RETRY_AFTER_SECONDS)
            return response
        except Exception as error:
            log.exception("unexpected error answering %s %s", request.method, request.url.path)
            return diw_response(DiwError(INTERNAL, f"internal error ({type(error).__name__})", 500))

    def refused(scope: Scope, refusal: Refusal) -> Response:
        if scope.get("path", "").startswith("/api/"):
            return diw_response(DiwError(bad_parameter, refusal.detail, refusal.status))
        return oauth_response(OAuthError("invalid_request", refusal.detail, refusal.status))

    needs_token = access_token_gate(app)

    def gate(scope: Scope) -> Response | None:
        error = needs_token(scope)
        return None if error is None else diw_response(error)

    app.add_middleware(BodyLimits, render=refused, caps=body_caps, gate=gate)

    @app.get("/metrics", tags=["Operations"], summary="Prometheus metrics", response_class=Response)
    def metrics() -> Response:
        body, content_type = metrics_response()
        return Response(body, media_type=content_type)

    @app.exception_handler(DiwError)
    async def diw_error(request: Request, error: DiwError) -> Response:
        return diw_response(error)

    @app.exception_handler(OAuthError)
    async def oauth_error(request: Request, error: OAuthError) -> Response:
        return oauth_response(error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in item.get('loc', ()))}: {item.get('msg', 'invalid')}"
            for item in error.errors()
        )
        if request.url.path.startswith("/api/"):
            return diw_response(DiwError(bad_parameter, detail or "invalid request"))
        return oauth_response(OAuthError("invalid_request", detail or "invalid request"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return JSONResponse(
            {"code": str(error.status_code), "message": str(error.detail)}, status_code=error.status_code
        )

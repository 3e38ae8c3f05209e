"""The verifier's FastAPI application; failures are mapped to HTTP by api.http_errors."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api.did_web import did_web_router
from api.http_errors import install_error_handlers
from api.verifier import errors as e
from api.verifier import routes_diw, routes_health, routes_oid4vp
from api.verifier.context import VerifierContext
from trust_ledger.http_limits import MIB

BODY_CAPS = (("/oidvp/response", MIB),)
"""The wallet's direct_post may carry several credentials (SD-JWTs with their disclosures and
KB-JWTs, a few KiB each), a presentation_submission and an id_token; every other body: 64 KiB."""


def create_app(ctx: VerifierContext) -> FastAPI:
    """The verifier over a VerifierContext (see wiring.open_verifier)."""
    app = FastAPI(
        title="trust-ledger verifier",
        version="1.0",
        description="TW DIW verifier module API (DWVP-01-101/201, DWVP-02) over OID4VP 1.0 and SIOPv2.",
    )
    app.state.verifier = ctx
    app.state.access_tokens = ctx.config.access_tokens
    install_error_handlers(app, bad_parameter=e.BAD_PARAMETER, body_caps=BODY_CAPS)
    app.include_router(routes_diw.router)
    app.include_router(routes_oid4vp.router)
    app.include_router(routes_health.router)
    app.include_router(
        did_web_router(ctx.config.did, lambda: getattr(ctx.source, "views", None), lambda: ctx.clock())
    )

    @app.get("/api/oidvp/jwks", tags=["OID4VP"], summary="The verifier's request-signing key (JWKS)")
    def jwks() -> dict[str, Any]:
        return {"keys": [{**ctx.key.public_jwk, "kid": ctx.key.kid, "use": "sig", "alg": ctx.key.alg}]}

    return app

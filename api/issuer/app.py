"""The issuer's FastAPI application; failures are mapped to HTTP by api.http_errors."""

from __future__ import annotations

from fastapi import FastAPI

from api.did_web import did_web_router
from api.http_errors import install_error_handlers
from api.issuer import errors as e
from api.issuer import routes_diw, routes_oid4vci, routes_status
from api.issuer.context import IssuerContext


def create_app(ctx: IssuerContext) -> FastAPI:
    """The issuer over an IssuerContext (see wiring.open_issuer)."""
    app = FastAPI(
        title="trust-ledger issuer",
        version="1.0",
        description="TW DIW issuer module API (DWVC-101/201/202/203/301/302) over OID4VCI 1.0.",
    )
    app.state.issuer = ctx
    app.state.access_tokens = ctx.config.access_tokens
    install_error_handlers(app, bad_parameter=e.BAD_PARAMETER)
    app.include_router(routes_diw.router)
    app.include_router(routes_oid4vci.router)
    app.include_router(routes_status.router)
    app.include_router(did_web_router(ctx.config.did, lambda: ctx.views, lambda: ctx.clock()))
    return app

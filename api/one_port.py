"""Serve the resolver, the issuer and the verifier on one port: a path-prefix dispatcher between ASGI apps."""

from __future__ import annotations

from trust_ledger.http_limits import ASGIApp, Receive, Scope, Send

ISSUER_PREFIXES = (
    "/api/qrcode/",
    "/api/credential/",
    "/api/schema/",
    "/api/keys",
    "/credential-offer/",
    "/credential",
    "/token",
    "/nonce",
    "/status-lists/",
    "/vct/",
    "/.well-known/openid-credential-issuer",
    "/.well-known/oauth-authorization-server",
)
"""The issuer's routes."""

VERIFIER_PREFIXES = ("/api/oidvp/", "/api/verifier/", "/oidvp/")
"""The verifier's routes."""

EXPLORER_PREFIXES = ("/explorer",)
"""The explorer's page and its demo endpoints (api/explorer, mounted with `under_prefix`)."""


def one_port_app(default: ASGIApp, *mounted: tuple[tuple[str, ...], ASGIApp]) -> ASGIApp:
    """An ASGI app sending each HTTP request to the first ``(prefixes, app)`` whose prefix its path
    starts with, and everything else (DID resolution, trust list, /health, docs) to ``default``.

    The mounted apps use no lifespan events, so those go to ``default`` alone.
    """

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        target = default
        if scope["type"] == "http":
            path = scope.get("path", "")
            target = next((routed for prefixes, routed in mounted if path.startswith(prefixes)), default)
        await target(scope, receive, send)

    return app

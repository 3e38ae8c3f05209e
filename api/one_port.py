"""Serve the resolver and the issuer on one port: a path-prefix dispatcher between two ASGI apps."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]

ISSUER_PREFIXES = (
    "/api/qrcode/",
    "/api/credential/",
    "/api/keys",
    "/credential-offer/",
    "/credential",
    "/token",
    "/nonce",
    "/status-lists/",
    "/.well-known/openid-credential-issuer",
    "/.well-known/oauth-authorization-server",
)
"""The issuer's routes; everything else (DID resolution, trust list, /health, docs) is the resolver's."""


def one_port_app(resolver: ASGIApp, issuer: ASGIApp) -> ASGIApp:
    """An ASGI app sending the issuer's paths to `issuer` and the rest to `resolver`.

    Neither app uses lifespan events, so those go to the resolver alone.
    """

    async def app(scope: Scope, receive, send) -> None:
        path = scope.get("path", "")
        target = issuer if scope["type"] == "http" and path.startswith(ISSUER_PREFIXES) else resolver
        await target(scope, receive, send)

    return app

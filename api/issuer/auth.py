"""The organisation back end's ``Access-Token`` header, compared in constant time.

Shared by the issuer and the verifier: each app puts its tokens in ``app.state.access_tokens``. A
route needs the token when it depends on ``require_access_token``; ``access_token_gate`` applies
the same check to those routes at the HTTP edge (api.http_errors wires it into the body limits),
on the request head alone, so a request without a valid token is refused before its body is read.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Collection, Iterable, Iterator

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match

from api.issuer import errors as e
from api.issuer.errors import DiwError
from trust_ledger.http_limits import Scope


def check_access_token(presented: str | None, tokens: Collection[str]) -> None:
    """``DiwError`` 40100 (401) unless ``presented`` matches one of ``tokens``."""
    if not presented:
        raise DiwError(e.UNAUTHORIZED, "the Access-Token header is required", 401)
    matched = False
    for token in tokens:  # no early exit: the time taken does not depend on which token matched
        matched |= hmac.compare_digest(presented.encode(), token.encode())
    if not matched:
        raise DiwError(e.UNAUTHORIZED, "the Access-Token is not valid", 401)


def require_access_token(request: Request) -> None:
    """FastAPI dependency for the /api/ routes: 401 unless the header matches a configured token."""
    check_access_token(request.headers.get("Access-Token"), request.app.state.access_tokens)


def _calls(dependant: Dependant) -> Iterator[Callable[..., object] | None]:
    yield dependant.call
    for dependency in dependant.dependencies:
        yield from _calls(dependency)


def needs_access_token(route: object) -> bool:
    """Whether ``route`` (or a dependency of it, at any depth) depends on ``require_access_token``."""
    return isinstance(route, APIRoute) and require_access_token in _calls(route.dependant)


def flat_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """The routes of an app, included routers opened up: FastAPI >= 0.16x keeps an included router
    whole (its ``original_router``); this project includes routers without a prefix or dependencies
    of their own, so their routes match as they are."""
    for route in routes:
        router = getattr(route, "original_router", None)
        if router is not None:
            yield from flat_routes(router.routes)
        else:
            yield route


def access_token_gate(app: FastAPI) -> Callable[[Scope], DiwError | None]:
    """For a request head: the refusal ``require_access_token`` would raise on the route it reaches,
    or None (a public route, or no route). The routes needing the token are read from
    ``app.routes`` on first use, so every route added with the dependency is covered."""
    guarded: list[BaseRoute] = []
    loaded = False

    def refusal(scope: Scope) -> DiwError | None:
        nonlocal loaded
        if not loaded:
            guarded.extend(route for route in flat_routes(app.routes) if needs_access_token(route))
            loaded = True
        if not any(route.matches(scope)[0] is Match.FULL for route in guarded):
            return None
        try:
            check_access_token(Headers(scope=scope).get("access-token"), app.state.access_tokens)
        except DiwError as error:
            return error
        return None

    return refusal

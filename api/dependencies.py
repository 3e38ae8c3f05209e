"""The FastAPI dependencies of the issuer and verifier modules: the one place a route gets its
module's context from (the resolver's is resolver.context.get_context).

Each app's `create_app` stores its context on `app.state`; a route asks for it by type::

    @router.get("/health")
    def health(ctx: IssuerCtx) -> ...
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.issuer.context import IssuerContext
from api.verifier.context import VerifierContext


def issuer_context(request: Request) -> IssuerContext:
    """The issuer module's context (set by api.issuer.app.create_app)."""
    ctx: IssuerContext = request.app.state.issuer
    return ctx


def verifier_context(request: Request) -> VerifierContext:
    """The verifier module's context (set by api.verifier.app.create_app)."""
    ctx: VerifierContext = request.app.state.verifier
    return ctx


IssuerCtx = Annotated[IssuerContext, Depends(issuer_context)]
"""A route parameter holding the issuer's context."""

VerifierCtx = Annotated[VerifierContext, Depends(verifier_context)]
"""A route parameter holding the verifier's context."""

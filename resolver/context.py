"""What every route needs: the views, the DID resolver, the clock and the chain check."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from fastapi import Request

from projections.api import TrustViews
from resolver.http import LedgerState, ledger_state
from resolver.resolution import DidResolver

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Context:
    views: TrustViews
    resolver: DidResolver
    clock: Callable[[], int]
    chain_status: Callable[[], bool] | None

    def state(self) -> LedgerState:
        return ledger_state(self.views, self.chain_status)


def get_context(request: Request) -> Context:
    """The app's Context (set by create_app)."""
    ctx: Context = request.app.state.trust_ledger
    return ctx


def one_snapshot(route: Callable[P, R]) -> Callable[P, R]:
    """Run a route (called with its `ctx` keyword, as FastAPI does) in one snapshot of the views,
    so its body and its freshness headers describe the same block."""

    @functools.wraps(route)
    def in_snapshot(*args: P.args, **kwargs: P.kwargs) -> R:
        ctx = kwargs["ctx"]
        assert isinstance(ctx, Context)
        with ctx.views.snapshot():
            return route(*args, **kwargs)

    return in_snapshot

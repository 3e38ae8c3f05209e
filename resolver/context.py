"""What every route needs: the views, the DID resolver, the clock and the chain check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from projections.api import TrustViews
from resolver.http import LedgerState, ledger_state
from resolver.resolution import DidResolver


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

"""Fixtures for follower tests: a pump of real contract events, a switchable RPC proxy; helpers to
run `trust-ledger follow` as a process and to compare its store with the chain."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from anvil.pump import EventPump
from tests.support.follower import PUMP_DID
from trust_ledger.chain.follower import Follower, Horizon, follower_for


@pytest.fixture
def follower_of(chain) -> Callable[..., Follower]:
    """A follower of the test chain into a given ledger."""

    def make(ledger, horizon: Horizon | None = None, **options) -> Follower:
        follower = follower_for(chain.gateway(None), ledger, horizon or Horizon())
        for name, value in options.items():
            setattr(follower, name, value)
        return follower

    return make


@pytest.fixture
def pump(chain) -> Callable[[int], int]:
    """`pump(total)` emits `total` real ServiceAdded events for PUMP_DID; returns the last block."""
    return EventPump(chain.w3, chain.gateway("anchor"), PUMP_DID).pump

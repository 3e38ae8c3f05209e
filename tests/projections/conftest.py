"""Fixtures of the projection tests: a real TrustLedger on each store, fed with hand-built
ChainLogs, and its views on the matching SQL store (POPO ledger: in-memory SQLite views)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.projections.support import Projected, projected
from tests.support.chainlogs import Chain
from tests.support.stores import Store


@pytest.fixture
def logchain() -> Chain:
    """A made-up chain to build ChainLogs on, at block 100 (`chain` is the real Anvil one)."""
    return Chain()


@pytest.fixture
def p(store: Store, logchain: Chain) -> Iterator[Projected]:
    """A ledger on `store` (POPO, SQLite, PostgreSQL), its views and a projector."""
    subject = projected(store, logchain)
    try:
        yield subject
    finally:
        subject.close()

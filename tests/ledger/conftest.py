"""Fixtures for the ledger tests: the same cases run on POPO, SQLite and PostgreSQL
(the `store` and `ledger` fixtures live in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.support.chainlogs import Chain


@pytest.fixture
def logchain() -> Chain:
    """A made-up chain to build ChainLogs on, at block 100 (`chain` is the real Anvil one)."""
    return Chain()

"""Fixtures for the ledger tests: the same cases run on POPO, SQLite and PostgreSQL
(the `store` and `ledger` fixtures live in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.chainlogs import Chain


@pytest.fixture
def chain() -> Chain:
    """A chain to build logs on, at block 100."""
    return Chain()

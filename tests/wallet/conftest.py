"""Fixtures: stub OID4VCI issuers over real HTTP, and fresh wallets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from api.wallet import Wallet
from tests.wallet.issuer_stub import StubIssuer, StubOptions, running_issuer


@pytest.fixture
def start_issuer() -> Iterator[Callable[..., StubIssuer]]:
    """Start stub issuers with ``StubOptions`` fields as keywords; all are stopped after the test."""
    with ExitStack() as stack:

        def start(**options: Any) -> StubIssuer:
            return stack.enter_context(running_issuer(StubOptions(**options)))

        yield start


@pytest.fixture
def issuer(start_issuer: Callable[..., StubIssuer]) -> StubIssuer:
    """A 1.0-final stub issuer with a nonce endpoint."""
    return start_issuer()


@pytest.fixture
def wallet(tmp_path: Path) -> Wallet:
    """A new P-256 did:jwk wallet."""
    return Wallet(tmp_path / "wallet")

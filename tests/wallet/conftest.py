"""Fixtures: stub OID4VCI issuers over real HTTP, fresh wallets, and for presentations a verifier
registered on the Anvil chain with the real resolver over the ledger's views."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from api.credentials.keys import SigningKey
from api.wallet import Wallet
from tests.wallet.issuer_stub import StubIssuer, StubOptions, running_issuer
from tests.wallet.verifier_stub import VERIFIER_DID, Ledger, StubVerifier, running_verifier, serve_ledger


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


@pytest.fixture
def registry(chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    """The Anvil chain, a LedgerService following it (SQLite under tmp_path) and the resolver."""
    monkeypatch.setenv("TRUST_LEDGER_VAR", str(tmp_path / "var"))
    for name in (
        "PERSISTENCE_MODULE",
        "ISSUANCERECORDS_PERSISTENCE_MODULE",
        "TRUSTLEDGER_PERSISTENCE_MODULE",
    ):
        monkeypatch.delenv(name, raising=False)
    with serve_ledger(chain) as ledger:
        yield ledger


@pytest.fixture
def verifier_key() -> SigningKey:
    return SigningKey.generate("P-256", did=VERIFIER_DID, key_id="key-1")


@pytest.fixture
def verifier(registry: Ledger, verifier_key: SigningKey) -> Iterator[StubVerifier]:
    """A verifier registered under the root with its request key (assertionMethod), served."""
    registry.register_verifier(VERIFIER_DID, verifier_key, ["assertionMethod"])
    with running_verifier(VERIFIER_DID, verifier_key) as running:
        yield running

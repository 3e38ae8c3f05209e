"""Shared fixtures: a real Anvil chain with our contracts, isolated per test by EVM snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from anvil.devchain import ephemeral_chain
from tests.support.chain import ROOT_DID, DevChain
from tests.support.netproxy import SwitchableProxy
from tests.support.stores import BACKENDS, Store, open_store
from trust_ledger.ledger import TrustLedger
from trust_ledger.settings import STORE_CHOICES


@pytest.fixture(scope="session")
def session_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevChain]:
    with ephemeral_chain(ROOT_DID) as (w3, deployment):
        manifest = tmp_path_factory.mktemp("chain") / "deployment.json"
        deployment.save(manifest)
        yield DevChain(w3, deployment, manifest)


@pytest.fixture
def chain(session_chain: DevChain) -> Iterator[DevChain]:
    """The session chain, reverted to its freshly deployed state after the test."""
    snapshot = session_chain.w3.provider.make_request("evm_snapshot", [])["result"]
    yield session_chain
    session_chain.w3.provider.make_request("evm_revert", [snapshot])


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty event store on each backend in turn (POPO, SQLite, PostgreSQL)."""
    yield from open_store(request.param, tmp_path)


@pytest.fixture
def ledger(store: Store) -> TrustLedger:
    """A TrustLedger on an empty store."""
    return store.open()


@pytest.fixture
def sqlite_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A var directory for the test, with the ledger, views and every module's stores in SQLite
    under it, whatever persistence the shell had set."""
    var = tmp_path / "var"
    monkeypatch.setenv("TRUST_LEDGER_VAR", str(var))
    for name in STORE_CHOICES:
        monkeypatch.delenv(name, raising=False)
    return var


@pytest.fixture
def proxy(chain) -> Iterator[SwitchableProxy]:
    port = int(chain.deployment.rpc_url.rsplit(":", 1)[1])
    forwarder = SwitchableProxy(port)
    forwarder.up()
    yield forwarder
    forwarder.down()


@pytest.fixture(scope="module")
def module_chain(session_chain):
    """The session chain for one test module, reverted to its freshly deployed state afterwards."""
    snapshot = session_chain.w3.provider.make_request("evm_snapshot", [])["result"]
    yield session_chain
    session_chain.w3.provider.make_request("evm_revert", [snapshot])


@pytest.fixture(scope="module")
def module_var(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`sqlite_var` for a whole module: every store of the module's services in SQLite under it."""
    var = tmp_path_factory.mktemp("var")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRUST_LEDGER_VAR", str(var))
        for name in STORE_CHOICES:
            patch.delenv(name, raising=False)
        yield var

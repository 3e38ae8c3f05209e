"""Independent implementations (npm packages pinned in package.json) against our real servers:
the verifier world of tests/verifier (Anvil, the ledger's views, the verifier app over uvicorn)
plus our resolver over the same views, so the Node side resolves DIDs over HTTP like any client."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from anvil.devchain import free_port
from api.local_servers import LocalServers
from resolver.app import create_app as create_resolver
from tests.support.interop import Interop, IssuerProcess, serve_issuer_process
from tests.support.verifier import serve_verifier


@pytest.fixture
def interop(chain, sqlite_var: Path) -> Iterator[Interop]:
    with serve_verifier(chain, sqlite_var) as world, contextlib.ExitStack() as stack:
        resolver_url = LocalServers(stack).serve(create_resolver(world.service.views), free_port())
        yield Interop(world, resolver_url)


@pytest.fixture
def issuer_process(chain, tmp_path: Path) -> Iterator[IssuerProcess]:
    with serve_issuer_process(chain, tmp_path / "issuer-process") as issuer:
        yield issuer

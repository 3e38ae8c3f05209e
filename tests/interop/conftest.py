"""Independent implementations (npm packages pinned in package.json) against our real servers:
the verifier world of tests/verifier (Anvil, the ledger's views, the verifier app over uvicorn)
plus our resolver over the same views, so the Node side resolves DIDs over HTTP like any client."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from anvil.devchain import free_port
from api.local_servers import LocalServers
from resolver.app import create_app as create_resolver
from tests.verifier.conftest import World, serve_verifier

SCRIPTS = Path(__file__).parent / "js"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Interop:
    """The served verifier world and the resolver beside it."""

    world: World
    resolver_url: str


@pytest.fixture
def interop(chain, sqlite_var: Path) -> Iterator[Interop]:
    with serve_verifier(chain, sqlite_var) as world, contextlib.ExitStack() as stack:
        resolver_url = LocalServers(stack).serve(create_resolver(world.service.views), free_port())
        yield Interop(world, resolver_url)


def run_node(script: str, *args: str, stdin: str | None = None) -> Any:
    """Run tests/interop/js/<script> with Node (node_modules of the repository), `stdin` on its
    standard input; its JSON output. A failing script fails the test with what the library said."""
    completed = subprocess.run(
        ["node", str(SCRIPTS / script), *args],
        input=stdin,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"{script} failed:\n{completed.stderr}\n{completed.stdout}"
    return json.loads(completed.stdout)

"""A real verifier on the test chain: a trust hierarchy with an issuer and the verifier itself on
Anvil, the ledger following it, the verifier app served by uvicorn, real SQLite sessions.

``World`` crafts credentials and presentations with the credential library directly, so a test can
make exactly the presentation an attacker would (and the reference wallet is tested separately).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.verifier import World, serve_verifier


@pytest.fixture
def world(chain, sqlite_var: Path) -> Iterator[World]:
    with serve_verifier(chain, sqlite_var) as running:
        yield running

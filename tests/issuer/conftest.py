"""A real issuer on the test chain: entity registered and accredited on Anvil, the ledger
following it in the background, the app served by uvicorn on a free port, real SQLite stores."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.issuer import RunningIssuer, serve_issuer


@pytest.fixture
def issuer(chain, sqlite_var: Path) -> Iterator[RunningIssuer]:
    with serve_issuer(chain, sqlite_var) as running:
        yield running


@pytest.fixture
def issuer_with(chain, sqlite_var: Path) -> Iterator[Callable[..., RunningIssuer]]:
    """A factory: ``issuer_with(curve=..., offer_mode=...)`` serves one issuer (SQLite stores, or
    whatever persistence the test has put in the environment before calling it)."""
    with contextlib.ExitStack() as stack:
        yield lambda **options: stack.enter_context(serve_issuer(chain, sqlite_var, **options))

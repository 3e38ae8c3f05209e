"""Fixtures of the conformance suite: the verifier's and the issuer's real-chain fixtures, an issuer
with TW DIW templates, our verifier as a business system's portal, the official app."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.issuer.conftest import issuer, issuer_with  # noqa: F401
from tests.support.conformance import TWDIW_TEMPLATES, Portal, serve_portal
from tests.support.issuer import RunningIssuer, serve_issuer
from tests.support.official_app import OfficialApp
from tests.verifier.conftest import world  # noqa: F401


@pytest.fixture
def tw_issuer(chain, sqlite_var: Path) -> Iterator[RunningIssuer]:
    with serve_issuer(chain, sqlite_var, templates=TWDIW_TEMPLATES) as running:
        yield running


@pytest.fixture
def portal(tw_issuer: RunningIssuer, sqlite_var: Path) -> Iterator[Portal]:
    with serve_portal(tw_issuer, sqlite_var) as running:
        yield running


@pytest.fixture
def app() -> Iterator[OfficialApp]:
    client = OfficialApp()
    yield client
    client.close()

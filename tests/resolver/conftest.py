"""Fixtures: a realistic registry history as TrustViews, and an HTTP client on the resolver app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.resolver.scenario import Scenario, build
from tests.resolver.views import InMemoryViews, views_from_logs
from tests.support.resolver import client_for


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return build()


@pytest.fixture(scope="session")
def views(scenario: Scenario) -> InMemoryViews:
    return views_from_logs(scenario.logs)


@pytest.fixture
def client(views: InMemoryViews) -> Iterator[TestClient]:
    with client_for(views, chain_status=lambda: True) as c:
        yield c

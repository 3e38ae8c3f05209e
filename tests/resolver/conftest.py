"""Fixtures: a realistic registry history as TrustViews, and an HTTP client on the resolver app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from resolver import create_app
from tests.resolver.scenario import Scenario, build
from tests.resolver.views import InMemoryViews, views_from_logs

NOW = 1_767_225_600
"""2026-01-01T00:00:00Z: the resolver's clock in these tests (long after the scenario's blocks)."""


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return build()


@pytest.fixture(scope="session")
def views(scenario: Scenario) -> InMemoryViews:
    return views_from_logs(scenario.logs)


def client_for(views: object, **kwargs: object) -> TestClient:
    return TestClient(create_app(views, clock=lambda: NOW, **kwargs))  # type: ignore[arg-type]


@pytest.fixture
def client(views: InMemoryViews) -> Iterator[TestClient]:
    with client_for(views, chain_status=lambda: True) as c:
        yield c

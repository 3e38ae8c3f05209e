"""Helpers of the resolver tests (their fixtures are in tests/resolver/conftest.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from resolver import create_app

NOW = 1_767_225_600
"""2026-01-01T00:00:00Z: the resolver's clock in these tests (long after the scenario's blocks)."""


def client_for(views: object, **kwargs: object) -> TestClient:
    return TestClient(create_app(views, clock=lambda: NOW, **kwargs))  # type: ignore[arg-type]

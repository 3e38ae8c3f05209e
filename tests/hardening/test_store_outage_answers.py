"""A store outage (a database restarting) is 503 with Retry-After from every API, in its own
format, as the resolver already answered; before, the issuer and verifier answered 500."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.http_errors import install_error_handlers


def module_app(error: Exception) -> FastAPI:
    """A module app (as the issuer and verifier install their error handling) whose routes find
    the store gone."""
    app = FastAPI()
    install_error_handlers(app, bad_parameter="11001")

    @app.get("/api/credential/{cid}")
    def business(cid: str) -> dict[str, str]:
        raise error

    @app.post("/token")
    def token() -> dict[str, str]:
        raise error

    return app


@pytest.mark.parametrize("error", [OperationalError("server closed the connection"), InterfaceError("gone")])
def test_the_store_going_away_is_503_with_retry_after_in_each_apis_format(error: Exception) -> None:
    client = TestClient(module_app(error), raise_server_exceptions=False)
    business = client.get("/api/credential/x")
    assert business.status_code == 503 and business.headers["retry-after"] == "1"
    assert business.json()["code"] == "59999" and "retry" in business.json()["message"]
    oauth = client.post("/token")
    assert oauth.status_code == 503 and oauth.headers["retry-after"] == "1"
    assert oauth.json()["error"] == "temporarily_unavailable"


def test_a_bug_is_still_a_500() -> None:
    client = TestClient(module_app(KeyError("x")), raise_server_exceptions=False)
    assert client.get("/api/credential/x").status_code == 500

"""did:web locations (resolver.did_web) and the modules' did.json route (api.did_web) over the views."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.did_web import did_web_router
from resolver.did_web import web_location
from resolver.resolution import DidResolver, Options
from tests.resolver.scenario import HAPPYPETS, ISSUERA3, REGISTERA3
from tests.resolver.views import InMemoryViews
from tests.support.resolver import NOW, client_for


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        ("did:web:localhost%3A8443", "https://localhost:8443/.well-known/did.json"),
        ("did:web:127.0.0.1", None),  # the specification forbids IP addresses
        ("did:web:example.com%3Ahttp", None),
        ("did:web:example.com:..", None),
        ("did:web:example.com:a%2Fb", None),
        ("did:web:-bad-.example", None),
        ("did:elsi:EU.EORI.HAPPYPETS", None),
    ],
)
def test_web_locations_follow_the_did_web_specification(did: str, url: str | None) -> None:
    location = web_location(did)
    assert (location.url if location else None) == url


def _module(views: InMemoryViews | None, did: str) -> TestClient:
    app = FastAPI()
    app.include_router(did_web_router(did, lambda: views, lambda: NOW))
    return TestClient(app)


@pytest.mark.parametrize("did", [REGISTERA3, ISSUERA3])  # suspended, and under a suspended parent
def test_a_module_serves_the_registrys_document_at_its_did_web_location(
    views: InMemoryViews, did: str
) -> None:
    served = _module(views, did).get(web_location(did).path)  # type: ignore[union-attr]
    assert served.status_code == 200 and served.headers["content-type"] == "application/did+ld+json"
    assert served.json() == DidResolver(views, clock=lambda: NOW).resolve(did, Options()).document
    with client_for(views, chain_status=lambda: True) as resolver:
        metadata = resolver.get(
            f"/1.0/identifiers/{did}", headers={"accept": "application/did-resolution"}
        ).json()["didResolutionMetadata"]
    assert metadata["authoritative"] is True and metadata["publishedCopy"] == web_location(did).url  # type: ignore[union-attr]


def test_what_a_module_cannot_serve(views: InMemoryViews) -> None:
    unknown = "did:web:unknown.domaina.example"
    assert _module(views, unknown).get("/.well-known/did.json").status_code == 404
    assert _module(None, REGISTERA3).get("/.well-known/did.json").status_code == 503  # no live views
    assert (
        _module(views, HAPPYPETS).get("/.well-known/did.json").status_code == 404
    )  # not a did:web DID: no route

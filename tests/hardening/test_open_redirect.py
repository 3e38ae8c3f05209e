"""Issue 13.12: `?service=...&relativeRef=https://evil.example/phish` answered 303 to evil.example.
relativeRef must be an RFC 3986 relative reference without an authority; anything else is the DID
URL dereferencing error invalidDidUrl (400), in the error format the client asked for."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from resolver.media import LEGACY_RESOLUTION
from tests.resolver.scenario import HAPPYPETS, build
from tests.resolver.views import views_from_logs
from tests.support.resolver import client_for

ENDPOINT = "https://issuer.happypets.example"

ELSEWHERE = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "\\\\evil.example/phish",
    "/\\evil.example",
    "javascript:alert(1)",
    "HTTPS:evil.example",
    " //evil.example",
    "\t//evil.example",
    "data:text/html,x",
]
RELATIVE = {"/credential": "/credential", "a/b?x=1": "/a/b?x=1", "?q=1": "?q=1", "./x:y": "/x:y"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with client_for(views_from_logs(build().logs), chain_status=lambda: True) as c:
        yield c


@pytest.mark.parametrize("relative_ref", ELSEWHERE)
@pytest.mark.parametrize("where", ["query", "did-url"])
def test_a_relative_ref_naming_another_origin_is_refused(
    client: TestClient, relative_ref: str, where: str
) -> None:
    encoded = quote(relative_ref, safe="")
    if where == "query":
        path = f"/1.0/identifiers/{HAPPYPETS}?service=issuer&relativeRef={encoded}"
    else:  # the DID parameters inside the DID URL, itself percent-encoded in the path
        path = "/1.0/identifiers/" + quote(f"{HAPPYPETS}?service=issuer&relativeRef={encoded}", safe=":")
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 400, (relative_ref, response.status_code, response.headers.get("location"))
    assert "location" not in response.headers
    error = response.json()["didResolutionMetadata"]["error"]
    assert error["type"] == "https://www.w3.org/ns/did#INVALID_DID_URL" and "relativeRef" in error["detail"]


def test_the_legacy_error_form_is_kept(client: TestClient) -> None:
    response = client.get(
        f"/1.0/identifiers/{HAPPYPETS}?service=issuer&relativeRef={quote('https://evil.example', safe='')}",
        headers={"Accept": LEGACY_RESOLUTION},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert response.json()["didResolutionMetadata"]["error"] == "invalidDidUrl"


@pytest.mark.parametrize(("relative_ref", "suffix"), RELATIVE.items())
def test_relative_references_still_redirect_to_the_service(
    client: TestClient, relative_ref: str, suffix: str
) -> None:
    path = f"/1.0/identifiers/{HAPPYPETS}?service=issuer&relativeRef={quote(relative_ref, safe='')}"
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == ENDPOINT + suffix

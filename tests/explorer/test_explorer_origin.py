"""Issue 14 item 9: the explorer's demo endpoints act with the issuer's and the verifier's
Access-Tokens, so only the explorer's own page may call them: a cross-origin POST (a page on another
site), a POST without Origin, and a foreign Host (DNS rebinding: evil.example resolving to
127.0.0.1) are refused with 403 in the explorer's `{error, message}` format; the page's own calls work."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from api.explorer import create_explorer_app, under_prefix
from api.explorer.app import demo_origins

BASE = "http://127.0.0.1:8080"
OFFER = {"vcUid": "employee", "fields": {"name": "林美", "employee_no": "E-042"}}


def _upstream(request: httpx.Request) -> httpx.Response:
    """The issuer module: counts the offers it was asked for."""
    _upstream.calls += 1  # type: ignore[attr-defined]
    if request.url.path == "/api/qrcode/data":
        return httpx.Response(200, json={"transactionId": "t-1", "qrCode": "data:,", "deepLink": "x://y"})
    return httpx.Response(200, json={"transactionId": "t-2", "qrcodeImage": "data:,", "authUri": "x://z"})


@pytest.fixture
def client() -> TestClient:
    _upstream.calls = 0  # type: ignore[attr-defined]
    app = create_explorer_app(
        BASE,
        "issuer-token-0123456789",
        BASE,
        "verifier-token-0123456789",
        transport=httpx.MockTransport(_upstream),
        origins=demo_origins(BASE),
    )
    return TestClient(under_prefix(app), base_url=BASE)


def test_same_origin_post_works(client: TestClient) -> None:
    for origin in (BASE, "http://localhost:8080"):
        host = origin.removeprefix("http://")
        answer = client.post(
            "/explorer/api/issuer/offer", json=OFFER, headers={"Origin": origin, "Host": host}
        )
        assert answer.status_code == 201, answer.text
    assert _upstream.calls == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "headers, error",
    [
        ({"Origin": "https://evil.example"}, "cross_origin"),
        ({"Origin": "http://127.0.0.1:9999"}, "cross_origin"),
        ({"Origin": "null"}, "cross_origin"),
        ({}, "cross_origin"),  # no Origin on a state-changing POST
        ({"Origin": "http://evil.example:8080", "Host": "evil.example:8080"}, "foreign_host"),
        ({"Origin": BASE, "Host": "evil.example:8080"}, "foreign_host"),
    ],
)
def test_cross_origin_and_foreign_host_are_refused(client: TestClient, headers: dict, error: str) -> None:
    for path, body in (("/explorer/api/issuer/offer", OFFER), ("/explorer/api/verifier/requests", {})):
        answer = client.post(path, json=body, headers=headers)
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"] == error and answer.json()["message"]
    assert _upstream.calls == 0, "nothing reached the issuer or the verifier"  # type: ignore[attr-defined]


def test_foreign_host_cannot_read_results(client: TestClient) -> None:
    answer = client.get("/explorer/api/verifier/requests/t-2/result", headers={"Host": "evil.example:8080"})
    assert answer.status_code == 403 and answer.json()["error"] == "foreign_host"


def test_demo_origins_are_the_base_and_loopback_on_its_port() -> None:
    assert set(demo_origins("http://127.0.0.1:8080/")) == {
        "http://127.0.0.1:8080",
        "http://localhost:8080",
    }
    assert "https://demo.example" in demo_origins("https://demo.example")

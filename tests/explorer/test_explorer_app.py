"""The explorer's server side without a browser: the page and its assets, the demo proxies over a
mocked issuer and verifier (the token stays server-side), and every failure as a JSON 4xx / 502."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from api.explorer import create_explorer_app, resolver_with_explorer, under_prefix
from api.explorer.app import CONTENT_SECURITY_POLICY
from api.one_port import EXPLORER_PREFIXES, one_port_app
from resolver.app import create_app as create_resolver_app

ISSUER = "http://issuer.test"
VERIFIER = "http://verifier.test"
ISSUER_TOKEN = "issuer-token-0123456789"
VERIFIER_TOKEN = "verifier-token-0123456789"

Handler = Callable[[httpx.Request], httpx.Response]


def client_for(handler: Handler | None = None, **kwargs) -> TestClient:
    transport = httpx.MockTransport(handler) if handler else None
    app = create_explorer_app(
        ISSUER,
        ISSUER_TOKEN,
        VERIFIER,
        VERIFIER_TOKEN,
        issuer_did="did:web:issuer.test",
        transport=transport,
        origins=["http://testserver"],
    )
    # the page's own calls: browsers send Origin on every POST (test_explorer_origin.py: the others)
    return TestClient(under_prefix(app), headers={"Origin": "http://testserver"}, **kwargs)


def test_page_and_assets_are_local_with_a_strict_policy() -> None:
    client = TestClient(under_prefix(create_explorer_app()))
    assert client.get("/explorer", follow_redirects=False).headers["location"].endswith("/explorer/")
    page = client.get("/explorer/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "http://" not in page.text and "https://" not in page.text, "nothing loaded from elsewhere"
    for asset, kind in (("explorer.js", "javascript"), ("explorer.css", "text/css")):
        answer = client.get(f"/explorer/static/{asset}")
        assert answer.status_code == 200 and kind in answer.headers["content-type"]
        assert "https://" not in answer.text and "@import" not in answer.text
    missing = client.get("/explorer/static/nothing.js")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert client.get("/explorerx").json()["error"] == "not_found"


def test_without_issuer_and_verifier_the_demos_say_so() -> None:
    client = TestClient(under_prefix(create_explorer_app()))
    config = client.get("/explorer/api/config").json()
    assert config["issuer"]["configured"] is False and config["verifier"]["configured"] is False
    for method, path in (
        ("POST", "/explorer/api/issuer/offer"),
        ("POST", "/explorer/api/verifier/requests"),
        ("GET", "/explorer/api/verifier/requests/x/result"),
    ):
        answer = client.request(method, path, json={})
        assert answer.status_code == 404 and answer.json()["error"] == "demo_not_configured", path


def test_half_a_configuration_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="issuer demo needs both"):
        create_explorer_app(ISSUER, None)


def test_config_never_shows_a_token() -> None:
    text = client_for().get("/explorer/api/config").text
    assert ISSUER_TOKEN not in text and VERIFIER_TOKEN not in text
    config = json.loads(text)
    assert config["issuer"] == {
        "configured": True,
        "did": "did:web:issuer.test",
        "templates": {"employee": ["name", "employee_no"]},
    }
    assert config["verifier"]["refs"] == ["employee"]


def test_offer_is_dwvc_101_with_the_server_held_token() -> None:
    seen: list[httpx.Request] = []

    def issuer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "transactionId": "t-1",
                "qrCode": "data:image/png;base64,iVBOR",
                "deepLink": "openid-credential-offer://?x",
                "n": 1,
            },
        )

    answer = client_for(issuer).post(
        "/explorer/api/issuer/offer", json={"fields": {"name": "Alice", "employee_no": "7"}}
    )
    assert answer.status_code == 201, answer.text
    assert answer.json() == {
        "transactionId": "t-1",
        "qrCode": "data:image/png;base64,iVBOR",
        "deepLink": "openid-credential-offer://?x",
        "vcUid": "employee",
    }
    (request,) = seen
    assert str(request.url) == f"{ISSUER}/api/qrcode/data"
    assert request.headers["Access-Token"] == ISSUER_TOKEN
    assert json.loads(request.content) == {
        "vcUid": "employee",
        "dataTag": "explorer",
        "fields": [{"ename": "name", "content": "Alice"}, {"ename": "employee_no", "content": "7"}],
    }


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"vcUid": "diploma", "fields": {}}, 404, "unknown_template"),
        ({"fields": {"name": "A", "employee_no": "1", "salary": "9"}}, 400, "unknown_fields"),
        ({"fields": {"name": "A", "employee_no": " "}}, 400, "missing_fields"),
        ({"fields": {"name": 7}}, 400, "invalid_request"),
        ({"fields": {}, "extra": 1}, 400, "invalid_request"),
        ("not json", 400, "invalid_request"),
    ],
)
def test_offer_input_mistakes_are_4xx_json(body, status: int, error: str) -> None:
    def issuer(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the issuer must not be called")

    client = client_for(issuer)
    if isinstance(body, str):
        answer = client.post(
            "/explorer/api/issuer/offer", content=body, headers={"Content-Type": "application/json"}
        )
    else:
        answer = client.post("/explorer/api/issuer/offer", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == error and answer.json()["message"]


@pytest.mark.parametrize(
    ("upstream", "status", "error"),
    [
        (httpx.Response(400, json={"code": "11001", "message": "name is empty"}), 400, "issuer_refused"),
        (httpx.Response(403, json={"code": "11007", "message": "issuer suspended"}), 403, "issuer_refused"),
        (httpx.Response(401, json={"code": "40100", "message": "bad token"}), 502, "upstream_token_refused"),
        (httpx.Response(500, json={"code": "59999", "message": "boom"}), 502, "upstream_error"),
        (httpx.Response(201, text="<html>"), 502, "upstream_invalid"),
    ],
)
def test_issuer_refusals_keep_their_meaning(upstream: httpx.Response, status: int, error: str) -> None:
    answer = client_for(lambda request: upstream).post(
        "/explorer/api/issuer/offer", json={"fields": {"name": "A", "employee_no": "1"}}
    )
    assert answer.status_code == status and answer.json()["error"] == error
    assert ISSUER_TOKEN not in answer.text


def test_unreachable_issuer_is_502() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    answer = client_for(down).post(
        "/explorer/api/issuer/offer", json={"fields": {"name": "A", "employee_no": "1"}}
    )
    assert answer.status_code == 502 and answer.json()["error"] == "upstream_unreachable"


def test_verifier_request_then_poll_until_answered() -> None:
    state = {"answered": False, "transaction": None}

    def verifier(request: httpx.Request) -> httpx.Response:
        assert request.headers["Access-Token"] == VERIFIER_TOKEN
        if request.url.path == "/api/oidvp/qrcode":
            state["transaction"] = request.url.params["transactionId"]
            assert request.url.params["ref"] == "employee"
            return httpx.Response(
                200,
                json={
                    "transactionId": state["transaction"],
                    "qrcodeImage": "data:image/png;base64,iVBOR",
                    "authUri": "openid4vp://?request_uri=x",
                },
            )
        assert request.url.path == "/api/oidvp/result"
        assert json.loads(request.content) == {"transactionId": state["transaction"]}
        if not state["answered"]:
            return httpx.Response(
                400, json={"code": "4002", "message": "no result yet (waiting for the holder)"}
            )
        return httpx.Response(
            200, json={"verifyResult": True, "data": [], "transactionId": state["transaction"]}
        )

    client = client_for(verifier)
    opened = client.post("/explorer/api/verifier/requests", json={})
    assert opened.status_code == 201, opened.text
    transaction = opened.json()["transactionId"]
    assert transaction == state["transaction"]
    assert opened.json()["authUri"] == "openid4vp://?request_uri=x"
    result_path = f"/explorer/api/verifier/requests/{transaction}/result"
    pending = client.get(result_path)
    assert pending.status_code == 200 and pending.json()["state"] == "pending"
    assert pending.headers["cache-control"] == "no-store"
    state["answered"] = True
    done = client.get(result_path).json()
    assert done["state"] == "done" and done["result"]["verifyResult"] is True


def test_expired_request_and_foreign_transactions() -> None:
    def verifier(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/oidvp/qrcode":
            return httpx.Response(
                200, json={"qrcodeImage": "data:image/png;base64,x", "authUri": "openid4vp://"}
            )
        return httpx.Response(
            400, json={"code": "4002", "message": "no verification result for t yet (expired)"}
        )

    client = client_for(verifier)
    transaction = client.post("/explorer/api/verifier/requests", json={"ref": "employee"}).json()[
        "transactionId"
    ]
    assert client.get(f"/explorer/api/verifier/requests/{transaction}/result").json()["state"] == "expired"
    foreign = client.get("/explorer/api/verifier/requests/somebody-elses/result")
    assert foreign.status_code == 404 and foreign.json()["error"] == "unknown_transaction"
    unknown_ref = client.post("/explorer/api/verifier/requests", json={"ref": "login"})
    assert unknown_ref.status_code == 404 and unknown_ref.json()["error"] == "unknown_ref"
    no_body = client.post("/explorer/api/verifier/requests")  # e.g. a cross-site form post
    assert no_body.status_code == 400 and no_body.json()["error"] == "invalid_request"


def test_one_port_routes_the_explorer_before_the_resolver() -> None:
    def resolver(scope, receive, send):
        raise AssertionError("the resolver must not see /explorer paths")

    app = one_port_app(resolver, (EXPLORER_PREFIXES, under_prefix(create_explorer_app())))
    client = TestClient(app)
    assert client.get("/explorer/").status_code == 200
    assert client.get("/explorer/api/config").json()["issuer"]["configured"] is False


def test_the_resolver_serves_the_read_only_explorer() -> None:
    client = TestClient(resolver_with_explorer(views=None))  # type: ignore[arg-type]  # no route here reads them
    assert client.get("/explorer/").status_code == 200
    assert client.get("/explorer/api/config").json()["verifier"]["configured"] is False
    assert client.get("/explorer/api/issuer/offer").status_code in (404, 405)
    without = TestClient(create_resolver_app(views=None))  # type: ignore[arg-type]
    assert without.get("/explorer/").status_code == 404


def test_the_root_leads_a_person_to_the_explorer_or_the_docs() -> None:
    client = TestClient(resolver_with_explorer(views=None))  # type: ignore[arg-type]  # no route here reads them
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 307 and home.headers["location"] == "/explorer/"
    assert client.get("/").status_code == 200 and "<html" in client.get("/").text.lower()
    without = TestClient(create_resolver_app(views=None))  # type: ignore[arg-type]
    assert without.get("/", follow_redirects=False).headers["location"] == "/docs"

"""Issue 13.1 and 13.4 against a real `trust-ledger dev` process: deeply nested and oversized bodies
to every route of every app it serves are refused in each API's own error format, before anything
parses them, and the same process answers /health afterwards; routes that need the Access-Token
refuse a request without one before reading its body, so a 200 MB body costs no memory."""

from __future__ import annotations

import contextlib
import http.client
import json
import time
from collections import Counter
from urllib.parse import quote

import httpx
import pytest

from tests.support.hardening import DevServer, Route, deep_json, served_routes

ROUTES = served_routes()
TOKEN_ROUTES = [route for route in ROUTES if route.needs_token]
FORM_PATHS = ("/token", "/oidvp/response")
"""Routes whose body is a form (application/x-www-form-urlencoded)."""

ATTACK = deep_json(100_000)
"""The body of the issue: 100,000 '[' then 100,000 ']' (200 KB; it segfaulted the process)."""
DEEP_WITHIN_CAP = deep_json(30_000)
"""60 KB: under every size cap, so only the nesting cap refuses it."""


def _headers(server: DevServer, route: Route, *, with_token: bool) -> dict[str, str]:
    if not (route.needs_token and with_token):
        return {}
    token = server.issuer_token if route.served_by == "issuer" else server.verifier_token
    return {"Access-Token": token}


def _bodies(route: Route, deep: bytes) -> list[tuple[str, bytes]]:
    """(content type, body) pairs: the raw nested JSON, and for form routes the same as form values."""
    bodies = [("application/json", deep)]
    if route.path in FORM_PATHS:
        encoded = quote(deep.decode()).encode()
        bodies.append(("application/x-www-form-urlencoded", b"vp_token=" + encoded + b"&state=x"))
        bodies.append(("application/x-www-form-urlencoded", b"grant_type=" + encoded))
    return bodies


def _assert_in_api_format(route: Route, response: httpx.Response) -> None:
    """The refusal is in the format of the API the route belongs to."""
    body = response.json()
    if route.path.startswith("/api/") and not route.path.startswith("/api/did/v1/"):  # TW DIW
        assert set(body) >= {"code", "message"} and body["code"].isdigit(), (route, body)
    elif route.served_by in ("issuer", "verifier"):
        assert body["error"] == "invalid_request" and body["error_description"], (route, body)
    elif route.served_by == "explorer":
        assert body["error"] == "invalid_request" and body["message"], (route, body)
    elif route.path.startswith(("/1.0/identifiers/", "/api/did/v1/identifiers/")):
        assert body["didDocument"] is None and body["didResolutionMetadata"]["error"], (route, body)
    else:
        assert "invalidOptions" in response.text or "INVALID_OPTIONS" in response.text, (route, body)


def test_nested_bodies_to_every_route_are_refused_and_the_process_answers(dev_server: DevServer) -> None:
    assert {"/credential", "/token", "/nonce", "/api/qrcode/data", "/api/oidvp/result"} <= {
        route.path for route in ROUTES
    }
    assert {"/explorer/api/issuer/offer", "/oidvp/response"} <= {route.path for route in ROUTES}
    statuses: Counter[int] = Counter()
    with httpx.Client(base_url=dev_server.base, timeout=60) as client:
        for route in ROUTES:
            for with_token in (False, True) if route.needs_token else (False,):
                headers = _headers(dev_server, route, with_token=with_token)
                for deep in (ATTACK, DEEP_WITHIN_CAP):
                    for content_type, body in _bodies(route, deep):
                        refused = {400} if len(body) <= 64 * 1024 else {400, 413}  # too deep, too large
                        response = client.request(
                            route.method,
                            route.path,
                            content=body,
                            headers={**headers, "Content-Type": content_type},
                        )
                        statuses[response.status_code] += 1
                        expected = {401} if route.needs_token and not with_token else refused
                        where = f"{route.method} {route.path} token={with_token} {len(body)} bytes"
                        assert response.status_code in expected, (where, response.text[:300])
                        _assert_in_api_format(route, response)
                        assert dev_server.alive(), f"died on {where}: {dev_server.log_tail()}"
    dev_server.assert_healthy()
    assert statuses[413] and statuses[400] and statuses[401], statuses


def test_a_streamed_body_is_cut_at_the_cap(dev_server: DevServer) -> None:
    """No Content-Length (chunked): the bytes are counted as they arrive and refused past the cap."""

    def chunks():
        for _ in range(200):
            yield b"[" * 1000

    headers = {"Access-Token": dev_server.issuer_token, "Content-Type": "application/json"}
    response = httpx.post(f"{dev_server.base}/api/qrcode/data", content=chunks(), headers=headers, timeout=60)
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "11001" and "64 KiB" in response.json()["message"]
    dev_server.assert_healthy()


def test_the_vp_token_route_takes_a_larger_body(dev_server: DevServer) -> None:
    """/oidvp/response is capped at 1 MiB (several credentials), every other route at 64 KiB."""
    form = {"vp_token": "x" * 200_000, "state": "no-such-state"}
    response = httpx.post(f"{dev_server.base}/oidvp/response", data=form, timeout=60)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request", response.text
    assert "exceeds" not in response.json()["error_description"]
    form = {"vp_token": "x" * 1_100_000}
    too_large = httpx.post(f"{dev_server.base}/oidvp/response", data=form, timeout=60)
    assert too_large.status_code == 413 and too_large.json()["error"] == "invalid_request", too_large.text


@pytest.mark.parametrize("route", TOKEN_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_token_routes_refuse_before_the_body_is_sent(dev_server: DevServer, route: Route) -> None:
    """The head alone (a body announced but never sent) gets the TW DIW 401 and Connection: close."""
    connection = http.client.HTTPConnection("127.0.0.1", dev_server.port, timeout=10)
    try:
        connection.putrequest(route.method, route.path)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", "1000")
        connection.endheaders()
        response = connection.getresponse()  # would time out if the server waited for the body
        body = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 401 and body["code"] == "40100", body
    assert response.getheader("Connection") == "close"


def _stream_until_closed(server: DevServer, head: bytes, total: int, *, chunked: bool) -> tuple[int, bytes]:
    """Send ``head`` then up to ``total`` body bytes in 1 MiB pieces until the server closes; the
    bytes sent, and what the server answered (read between pieces: once the server resets the
    connection, an answer still unread may be lost)."""
    piece = b"[" * (1 << 20)
    chunk = b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece
    sent, answer = 0, b""
    with server.connect() as sock:
        sock.sendall(head)
        while sent < total:
            sock.setblocking(False)
            with contextlib.suppress(BlockingIOError, ConnectionError):
                answer += sock.recv(65536)
            sock.settimeout(10)
            try:
                sock.sendall(chunk)
            except OSError:
                break
            sent += len(piece)
        with contextlib.suppress(OSError):
            while part := sock.recv(65536):
                answer += part
    return sent, answer


@pytest.mark.parametrize("token", [False, True], ids=["without-token", "with-token-chunked"])
def test_a_200_mb_body_costs_no_memory(dev_server: DevServer, token: bool) -> None:
    """Without a token: refused on the head. With one: refused at 64 KiB of a chunked stream. Either
    way the server closes the connection long before 200 MB and its RSS does not grow."""
    total = 200 << 20
    dev_server.assert_healthy()
    before = dev_server.rss_kib()
    started = time.monotonic()
    if token:
        head = (
            "POST /api/qrcode/data HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Access-Token: {dev_server.issuer_token}\r\nTransfer-Encoding: chunked\r\n\r\n"
        ).encode()
    else:
        head = (
            "POST /api/qrcode/data HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {total}\r\n\r\n"
        ).encode()
    sent, answer = _stream_until_closed(dev_server, head, total, chunked=token)
    assert sent < total, "the server read the whole 200 MB body"
    status = 413 if token else 401
    assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer[:300]
    assert b"connection: close" in answer.lower()
    after = dev_server.rss_kib()
    assert after - before < 20 * 1024, f"RSS grew from {before} to {after} KiB"
    assert time.monotonic() - started < 60
    dev_server.assert_healthy()


def test_a_declared_oversize_body_is_refused_before_it_is_sent(dev_server: DevServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", dev_server.port, timeout=10)
    try:
        connection.putrequest("POST", "/credential")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(200 << 20))
        connection.endheaders()
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 413 and body["error"] == "invalid_request", body
    assert "64 KiB" in body["error_description"]

"""Issue 13 "done when": a fuzz run with deeply nested and huge bodies against every app of a real
`trust-ledger dev` process (resolver, issuer, verifier, explorer on one port) leaves it alive and
answering, with no 5xx.

Hypothesis draws a route from the apps' own route tables, a method, an Access-Token or none, a
content type and a body: nested JSON (arrays and objects, up to thousands of levels), bracket runs,
huge strings, random bytes, or the same inside a form field. The run is derandomised and bounded
(``HARDENING_FUZZ_EXAMPLES``, default 1,000 requests, about 40 s); it prints the figures
(requests, statuses, peak RSS of the server process)."""

from __future__ import annotations

import json
import os
from collections import Counter
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.hardening import DevServer, served_routes

EXAMPLES = int(os.environ.get("HARDENING_FUZZ_EXAMPLES", "1000"))
ROUTES = served_routes()
BODY_ROUTES = [route for route in ROUTES if route.method in ("POST", "PUT")]
"""The routes that read a body: drawn as often as all routes together."""

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=40,
)


@st.composite
def nested(draw: st.DrawFn) -> bytes:
    """JSON nested ``depth`` levels of arrays or objects, closed or not."""
    depth = draw(st.sampled_from([10, 63, 64, 65, 1_000, 30_000, 100_000, 100_000, 100_000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    closed = draw(st.booleans())
    return (opener * depth + "1" + (closer * depth if closed else "")).encode()


bodies = st.one_of(
    nested(),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.integers(1, 3 << 20).map(lambda size: b'"' + b"x" * size + b'"'),  # up to 3 MiB of string
    st.binary(max_size=2048),
    st.sampled_from([b"NaN", b"1e400", b'{"iat": 1e400}', b"[" * 64 + b"]" * 64, b""]),
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, bool, str, bytes]:
    route = draw(st.sampled_from(BODY_ROUTES) | st.sampled_from(ROUTES))
    method = draw(st.sampled_from([route.method, route.method, "POST", "PUT"]))
    body = draw(bodies)
    if draw(st.booleans()):
        field = draw(st.sampled_from(["vp_token", "grant_type", "presentation_submission", "id_token"]))
        return (
            route.path,
            method,
            route.needs_token,
            "application/x-www-form-urlencoded",
            (field.encode() + b"=" + quote(body).encode() + b"&state=x"),
        )
    content_type = draw(st.sampled_from(["application/json", "text/plain", ""]))
    with_token = route.needs_token and draw(st.sampled_from([True, True, True, False]))
    return route.path, method, with_token, content_type, body


def test_fuzzed_bodies_leave_every_app_answering(dev_server: DevServer) -> None:
    statuses: Counter[int] = Counter()
    peak_rss = [dev_server.rss_kib()]
    failures: list[str] = []
    tokens = {"issuer": dev_server.issuer_token, "verifier": dev_server.verifier_token}
    client = httpx.Client(base_url=dev_server.base, timeout=60)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(requests())
    def fuzz(request: tuple[str, str, bool, str, bytes]) -> None:
        path, method, with_token, content_type, body = request
        headers = {"Content-Type": content_type} if content_type else {}
        if with_token:
            headers["Access-Token"] = tokens["verifier" if path.startswith(("/api/oidvp/",)) else "issuer"]
        response = client.request(method, path, content=body, headers=headers)
        statuses[response.status_code] += 1
        peak_rss[0] = max(peak_rss[0], dev_server.rss_kib())
        if response.status_code >= 500:
            failures.append(f"{method} {path} {content_type} {len(body)} bytes: {response.text[:200]}")
        assert dev_server.alive(), f"the process died on {method} {path}: {dev_server.log_tail()}"

    try:
        fuzz()
    finally:
        client.close()
    dev_server.assert_healthy()
    print(
        f"\nfuzz: {sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}, "
        f"peak RSS {peak_rss[0] // 1024} MiB"
    )
    assert not failures, "\n".join(failures[:20])
    assert sum(statuses.values()) >= EXAMPLES

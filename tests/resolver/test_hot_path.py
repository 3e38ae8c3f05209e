"""Issue 18: resolver.hot_path replays the full route's answers byte for byte (status, every header
in order, body), for every DID, media type, version and DID URL, and never once the views, the
chain's reachability or the clock have moved past the answer it remembers: an answer holds from
the second it was read in until the next edge of a key's validity window, or for its second only
where the time it was read at follows the clock in a way the route cannot bound."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from urllib.parse import quote

import httpx
from fastapi.testclient import TestClient

from projections import Projector, SqlTrustViews
from resolver import create_app
from resolver.hot_path import HotPath
from tests.projections.support import projected
from tests.resolver.scenario import HAPPYPETS, KEY_EXP_UNTIL, KEYS_VALID_FROM, Scenario
from tests.resolver.views import InMemoryViews, views_from_logs
from tests.support.chainlogs import Chain
from tests.support.resolver import NOW
from tests.support.stores import Store

ACCEPTS = (
    None,
    "application/did+ld+json",
    "application/did+json",
    "application/json",
    "application/ld+json",
    "application/did-resolution",
    'application/ld+json;profile="https://w3id.org/did-resolution"',
    "application/did-url-dereferencing",
    "*/*",
    "text/html, application/did+json;q=0.5",
    "application/did",
    "text/html",
)
QUERIES = ("", "?versionId=1", "?versionId=2", "?versionTime=2025-01-01T00:30:00Z", "?versionId=999")
FOREIGN = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


class MovingViews:
    """Views that move on when a test says so (a new block reaching the views)."""

    def __init__(self, inner: InMemoryViews) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextmanager
def serving(views: object, **options: Any) -> Iterator[tuple[TestClient, HotPath]]:
    with TestClient(create_app(views, **options)) as client:  # type: ignore[arg-type]
        del client.headers["accept"]  # httpx's default */*: "no Accept" is a case of its own
        client.get("/health")
        yield client, hot_path_of(client.app)


def hot_path_of(app: Any) -> HotPath:
    layer = app.middleware_stack
    while not isinstance(layer, HotPath):
        layer = layer.app
    return layer


def fetch(client: TestClient, path: str, accept: str | None, etag: str | None = None) -> httpx.Response:
    headers = {}
    if accept is not None:
        headers["accept"] = accept
    if etag is not None:
        headers["if-none-match"] = etag
    return client.get(path, headers=headers, follow_redirects=False)


def answer(response: httpx.Response) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    return response.status_code, list(response.headers.raw), response.content


def path_of(did_url: str) -> str:
    return "/1.0/identifiers/" + quote(did_url, safe="")


def test_replayed_answers_are_the_full_routes_byte_for_byte(views: InMemoryViews) -> None:
    dids = [*sorted(views.entities), FOREIGN, "did:elsi:EU.EORI.UNKNOWN"]
    paths = [path_of(did) + query for did in dids for query in QUERIES]
    paths += [
        path_of(HAPPYPETS + "#key-2"),
        path_of(HAPPYPETS) + "?service=issuer",
        "/api/did/v1/identifiers/" + quote(HAPPYPETS),
    ]
    with serving(views, clock=lambda: NOW, chain_status=lambda: True) as (client, hot):
        replayed = 0
        for path in paths:
            for accept in ACCEPTS:
                before = hot.hits
                full = fetch(client, path, accept)
                assert hot.hits == before, "the first request is the full route's"
                again = fetch(client, path, accept)
                assert answer(again) == answer(full), (path, accept)
                if full.status_code == 200:
                    assert hot.hits == before + 1, (path, accept)
                    etag = full.headers["etag"]
                    not_modified = fetch(client, path, accept, etag)
                    assert not_modified.status_code == 304
                    assert answer(fetch(client, path, accept, etag)) == answer(not_modified)
                    assert hot.hits == before + 2
                    replayed += 1
                else:
                    assert hot.hits == before, f"a {full.status_code} is never replayed"
        assert replayed > 300, replayed


def test_a_new_block_the_chain_and_the_clock_change_the_answer(scenario: Scenario) -> None:
    older, newer = views_from_logs(scenario.logs[:-3]), views_from_logs(scenario.logs)
    views = MovingViews(older)
    reachable = [True]
    now = [NOW]
    result = "application/did-resolution"

    def full_answer(inner: InMemoryViews, accept: str, chain: bool, clock: int, path: str) -> Any:
        with serving(inner, clock=lambda: clock, chain_status=lambda: chain) as (fresh, _):
            return answer(fetch(fresh, path, accept))

    with serving(views, clock=lambda: now[0], chain_status=lambda: reachable[0]) as (client, hot):

        def hit(path: str, accept: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            fetch(client, path, accept)
            hits = hot.hits
            replayed = fetch(client, path, accept)
            assert hot.hits == hits + 1
            return answer(replayed)

        path = path_of(HAPPYPETS)
        first = hit(path, result)
        assert first == full_answer(older, result, True, NOW, path)

        views.inner = newer  # a new block reaches the views
        moved = answer(fetch(client, path, result))
        assert moved != first and moved == full_answer(newer, result, True, NOW, path)
        assert dict(moved[1])[b"x-ledger-position"] != dict(first[1])[b"x-ledger-position"]

        reachable[0] = False
        cut = answer(fetch(client, path, result))
        assert dict(cut[1])[b"x-chain-reachable"] == b"false"
        assert cut == full_answer(newer, result, False, NOW, path)

        document = "application/did+json"
        now[0] = KEY_EXP_UNTIL - 600  # inside key-exp's window: the current document lists it
        inside = hit(path, document)
        now[0] = NOW
        after = answer(fetch(client, path, document))
        assert inside != after and b"key-exp" in inside[2] and b"key-exp" not in after[2]
        assert after == full_answer(newer, document, False, NOW, path)


def test_an_answer_holds_until_a_key_window_opens_or_closes(views: InMemoryViews) -> None:
    """happypets' keys are valid from KEYS_VALID_FROM, key-exp until KEY_EXP_UNTIL: its current
    document is replayed in later seconds between those edges, never across one (the key appears,
    then key-exp goes), never when the clock goes back, and each answer is the full route's."""
    now = [KEYS_VALID_FROM - 100]
    path, document = path_of(HAPPYPETS), "application/did+json"

    def full_answer(clock: int) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        with serving(views, clock=lambda: clock) as (fresh, _):
            return answer(fetch(fresh, path, document))

    with serving(views, clock=lambda: now[0]) as (client, hot):

        def at(clock: int, *, replayed: bool) -> bytes:
            now[0] = clock
            hits = hot.hits
            got = answer(fetch(client, path, document))
            assert hot.hits == hits + replayed, (clock, replayed)
            assert got == full_answer(clock), clock
            return got[2]

        assert b"key-exp" not in at(KEYS_VALID_FROM - 100, replayed=False)  # no key is live yet
        assert b"key-exp" not in at(KEYS_VALID_FROM - 1, replayed=True)
        assert b"key-exp" in at(KEYS_VALID_FROM, replayed=False)  # the windows open
        assert b"key-exp" in at(KEY_EXP_UNTIL - 1, replayed=True)
        assert b"key-exp" not in at(KEY_EXP_UNTIL, replayed=False)  # key-exp's closes
        assert b"key-exp" not in at(NOW, replayed=True)  # no edge ahead: it holds from then on
        assert b"key-exp" in at(KEY_EXP_UNTIL - 1, replayed=False)  # the clock went back


def test_versioned_answers_hold_for_their_time(views: InMemoryViews) -> None:
    """An answer read at a fixed time (versionTime, or a superseded versionId: its last moment in
    force) holds in later seconds; the current version asked by versionId, read at "now", holds for
    its second only."""
    now = [NOW]
    with serving(views, clock=lambda: now[0]) as (client, hot):
        result = fetch(client, path_of(HAPPYPETS), "application/did-resolution").json()
        current = result["didDocumentMetadata"]["versionId"]
        assert current != "1"
        cases = (
            ("?versionTime=2025-01-01T00:30:00Z", True),
            ("?versionId=1", True),
            (f"?versionId={current}", False),
        )
        for query, holds in cases:
            now[0] = NOW
            first = fetch(client, path_of(HAPPYPETS) + query, "application/did-resolution")
            assert first.status_code == 200
            hits = hot.hits
            now[0] = NOW + 1
            later = fetch(client, path_of(HAPPYPETS) + query, "application/did-resolution")
            assert answer(later) == answer(first)
            assert hot.hits == hits + holds, query


def test_requests_with_a_body_or_other_methods_take_the_full_route(views: InMemoryViews) -> None:
    with serving(views, clock=lambda: NOW) as (client, hot):
        path = path_of(HAPPYPETS)
        client.get(path)
        hits = hot.hits
        with_body = client.request("GET", path, content=b"x" * (65 * 1024))
        assert with_body.status_code == 400 and "exceeds 64 KiB" in with_body.text
        assert client.head(path).status_code in (200, 405)
        assert client.get(path).status_code == 200
        assert hot.hits == hits + 1


def test_the_store_failing_falls_back_to_the_full_route(views: InMemoryViews) -> None:
    failing = MovingViews(views)
    with serving(failing, clock=lambda: NOW) as (client, hot):
        path = path_of(HAPPYPETS)
        assert client.get(path).status_code == 200

        def broken() -> Any:
            raise RuntimeError("the store is down")

        failing.freshness = failing.latest_freshness = broken  # type: ignore[attr-defined]
        hits = hot.hits
        assert client.get(path).status_code == 200  # the full route's own answer (freshness unknown)
        assert hot.hits == hits


def test_the_number_of_remembered_answers_is_bounded(views: InMemoryViews) -> None:
    with serving(views, clock=lambda: NOW) as (client, hot):
        hot.max_entries = 5
        for version in range(1, 4):
            for accept in ("application/did+json", "application/json", "application/did-resolution"):
                assert fetch(client, path_of(HAPPYPETS) + f"?versionId={version}", accept).status_code == 200
        assert len(hot.answers) == 5


def test_no_answer_is_replayed_with_no_room(views: InMemoryViews) -> None:
    """replay_entries=0 (TRUST_LEDGER_RESOLVER_REPLAY=0): every resolution takes the full route."""
    with serving(views, clock=lambda: NOW, replay_entries=0) as (client, hot):
        first = fetch(client, path_of(HAPPYPETS), "application/did+json")
        again = fetch(client, path_of(HAPPYPETS), "application/did+json")
        assert answer(again) == answer(first) and first.status_code == 200
        assert hot.hits == 0 and not hot.answers


def counting_transactions(views: SqlTrustViews) -> list[int]:
    """A counter (one cell) of the database transactions the views' recorder opens from now on."""
    opened = [0]
    transaction: Callable[..., AbstractContextManager[Any]] = views.recorder._transaction

    def counted(*, commit: bool) -> AbstractContextManager[Any]:
        opened[0] += 1
        return transaction(commit=commit)

    views.recorder._transaction = counted  # type: ignore[method-assign]
    return opened


def test_a_commit_by_another_connection_is_seen_on_the_very_next_request(store: Store) -> None:
    """On the SQL views (POPO: shared in-memory SQLite; SQLite file; PostgreSQL), a change committed
    by this process's projector, then by a second opening of the views (its own connections) and,
    on the stores another process can open, by another process is answered on the very next
    request, byte for byte as the full route answers it; between commits, on SQLite, a replay reads
    no view transaction at all."""
    subject = projected(store, Chain())
    try:
        chain = subject.logchain
        subject.ingest(chain.hierarchy())
        did = chain.DIDS["issuera1"]
        path, accept = path_of(did), "application/did-resolution"
        other = Projector(subject.ledger, subject.reopen().recorder)
        writers: list[Callable[[int], object]] = [subject.projector.wait, other.wait]
        if store.backend != "popo":
            writers.append(subject.project_in_another_process)
        with serving(subject.views, clock=lambda: NOW, chain_status=lambda: True) as (client, hot):
            for round_, writer in enumerate(writers):
                fetch(client, path, accept)
                hits = hot.hits
                opened = counting_transactions(subject.views)
                replayed = answer(fetch(client, path, accept))
                assert hot.hits == hits + 1
                assert opened[0] == (1 if store.backend == "postgres" else 0)
                chain.mine()
                endpoint = f"https://issuera1.example/moved-{round_}"
                added = chain.service_added(
                    "issuera1", f"moved-{round_}", "LinkedDomains", endpoint, "issuera1"
                )
                position = subject.ledger.ingest([added])
                writer(position)
                moved = answer(fetch(client, path, accept))
                assert hot.hits == hits + 1, "the very next request is not a replay"
                assert moved != replayed and endpoint.encode() in moved[2]
                assert dict(moved[1])[b"x-ledger-position"] == str(position).encode()
                with serving(subject.views, clock=lambda: NOW, chain_status=lambda: True) as (fresh, _):
                    assert moved == answer(fetch(fresh, path, accept))
    finally:
        subject.close()

"""The resolver's hot path: answers to GET /1.0/identifiers/{did} replayed from memory while the
views have not moved (issue 18, target 1).

``HotPath`` is an ASGI middleware, outermost in the resolver app. A DID resolution is a function
of the request (path, query string, Accept, If-None-Match), of the views' state (what the
X-Ledger-Block, X-Ledger-Block-Time, X-Ledger-Position and X-Chain-Reachable headers name) and of
the clock (key validity windows are judged at "now"). So the middleware keys each answer by the
first and remembers the answer with the second and the time it holds for: from the second it was
read in until the next edge of a key's validity window (``Resolution.holds_until``, which the
route hands over in the ASGI scope, resolver.http.HOLDS_UNTIL; an answer that does not say holds
for its second only). A request whose state is that of a remembered answer, within its time, gets
that answer's bytes again (status, every header, body), without FastAPI. Everything else goes to
the full route, as does a request with a body, a HEAD, a miss or an answer other than 200 or 304;
whatever the full route answers with 200 or 304 is what is remembered, so a replay is the full
route's answer byte for byte (tests/resolver/test_hot_path.py compares them).

Per request the hit costs the views' latest freshness (TrustViews.latest_freshness: on SQLite a
`PRAGMA data_version`, and a read transaction only after a commit; on PostgreSQL one read
transaction of two indexed single-row queries) and the chain flag: an answer written at one ledger
position is never served once the views have moved on, in this process or in another one writing
the same store.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from projections.api import TrustViews
from resolver.http import HOLDS_UNTIL, IDENTIFIER_PREFIXES, LedgerState
from trust_ledger.http_limits import ASGIApp, Message, Receive, Scope, Send
from trust_ledger.metrics import RESOLUTIONS

MAX_BODY = 256 * 1024
"""A larger answer is not remembered."""
STATE_HEADERS = (b"x-ledger-block", b"x-ledger-block-time", b"x-ledger-position", b"x-chain-reachable")
"""The headers that name the state an answer was read at (resolver.http.LedgerState.headers)."""
_PREFIXES = tuple(prefix.encode() for prefix in IDENTIFIER_PREFIXES)
_KEYED = (b"accept", b"if-none-match")
_BODY_HEADERS = (b"content-length", b"transfer-encoding")

Key = tuple[bytes, bytes, bytes | None, bytes | None]
State = tuple[bytes | None, ...]


@dataclass(frozen=True)
class _Answer:
    state: State
    since: int
    """The second it was read in."""
    until: int | None
    """The first second it may read differently in (None: only the views moving on change it)."""
    start: Message
    body: bytes


class HotPath:
    """ASGI middleware: see the module docstring. `views`, `chain_status` and `clock` are the
    resolver's own (resolver.context.Context); `max_entries` answers are remembered at once (the
    least recently stored goes first; 0: none)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        views: TrustViews,
        chain_status: Callable[[], bool] | None,
        clock: Callable[[], int],
        max_entries: int,
    ) -> None:
        self.app = app
        self.views = views
        self.chain_status = chain_status
        self.clock = clock
        self.max_entries = max_entries
        self.answers: OrderedDict[Key, _Answer] = OrderedDict()
        self._resolved = RESOLUTIONS.labels("ok")
        self._last: tuple[Any, bool | None, State] | None = None
        self.hits = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        raw_path: bytes = scope.get("raw_path") or b""
        if not raw_path.startswith(_PREFIXES):
            await self.app(scope, receive, send)
            return
        accept = if_none_match = None
        for name, value in scope["headers"]:
            name = name.lower()
            if name in _BODY_HEADERS:  # a body to read and judge: the full route's (BodyLimits)
                await self.app(scope, receive, send)
                return
            if name in _KEYED:
                if name == b"accept":
                    accept = value if accept is None else accept + b"," + value
                else:
                    if_none_match = value if if_none_match is None else if_none_match + b"," + value
        key: Key = (raw_path, scope.get("query_string", b""), accept, if_none_match)
        second = self.clock()
        state = self._state()
        answer = self.answers.get(key)
        if (
            answer is not None
            and state is not None
            and answer.state == state
            and answer.since <= second
            and (answer.until is None or second < answer.until)
        ):
            self.hits += 1
            self._resolved.inc()
            await send(answer.start)
            await send({"type": "http.response.body", "body": answer.body, "more_body": False})
            return
        await self._full(scope, receive, send, key, second)

    def _state(self) -> State | None:
        """The state headers' values now (None: the views cannot say; the full route answers)."""
        try:
            freshness = self.views.latest_freshness()
            reachable = None if self.chain_status is None else bool(self.chain_status())
        except Exception:
            return None
        last = self._last
        if last is not None and last[0] == freshness and last[1] == reachable:
            return last[2]
        headers = {
            name.lower().encode(): value
            for name, value in LedgerState(freshness, reachable).headers().items()
        }
        encoded: State = tuple(
            None if (value := headers.get(name)) is None else value.encode("latin-1")
            for name in STATE_HEADERS
        )
        self._last = (freshness, reachable, encoded)
        return encoded

    async def _full(self, scope: Scope, receive: Receive, send: Send, key: Key, second: int) -> None:
        """The full route's answer, remembered if it is a whole 200 or 304 read in this second."""
        start: Message | None = None
        chunks: list[bytes] = []
        whole = True

        async def capture(message: Message) -> None:
            nonlocal start, whole
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    whole = whole and sum(map(len, chunks)) <= MAX_BODY
            await send(message)

        await self.app(scope, receive, capture)
        if start is None or start.get("status") not in (200, 304) or not whole or self.clock() != second:
            return
        body = b"".join(chunks)
        if len(body) > MAX_BODY:
            return
        headers = {name.lower(): value for name, value in start.get("headers", ())}
        state: State = tuple(headers.get(name) for name in STATE_HEADERS)
        remembered = {
            "type": "http.response.start",
            "status": start["status"],
            "headers": list(start["headers"]),
        }
        until = scope.get(HOLDS_UNTIL, second + 1)
        self.answers[key] = _Answer(state, second, until, remembered, body)
        self.answers.move_to_end(key)
        while len(self.answers) > self.max_entries:
            self.answers.popitem(last=False)

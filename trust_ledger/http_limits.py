"""Request-body limits at the HTTP edge, enforced before an app reads or parses a body.

``BodyLimits`` is a pure ASGI middleware (no web framework needed) that every app of the project
wraps itself in (resolver, issuer, verifier, explorer). For each HTTP request, in this order:

1. ``gate``: an app-supplied check that runs on the request head alone (the issuer and verifier
   refuse a route that needs an Access-Token without one here, so an unauthenticated body is never
   read);
2. a declared ``Content-Length`` above the route's cap is refused (413) without reading a byte;
3. the body is read into memory up to the cap (413 as soon as the streamed bytes exceed it) within
   ``body_timeout`` seconds in total (408: a client dripping its body holds no worker for long);
4. the body's JSON nesting depth is measured by a linear scan (a form body's decoded values are
   each scanned, since a ``vp_token`` is JSON inside a form) and above ``max_depth`` refused (400);
5. the app gets the buffered body.

A refusal is rendered by the app's ``render(scope, refusal)`` in its own error format and sent with
``Connection: close`` when the body was not read to its end, so the server stops receiving it.
The same depth scan (``nesting_exceeds``) guards JSON the project parses from elsewhere (the
wallet's HTTP answers, JWT payloads).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KIB = 1024
MIB = 1024 * KIB
DEFAULT_BODY_CAP = 64 * KIB
"""A JSON or form body of any route without a larger cap of its own."""
MAX_JSON_DEPTH = 64
"""Arrays and objects nested deeper than this are refused (no message of ours nests beyond ~8)."""
BODY_TIMEOUT = 30.0
"""Seconds a client has to send a whole body once its request head arrived."""

_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


def nesting_depth(data: bytes | str) -> int:
    """How deep ``data`` nests arrays and objects: the highest running count of ``[``/``{`` minus
    ``]``/``}`` outside strings. Linear, in C-speed passes (about 0.1 s for a hostile MiB), valid
    JSON or not: a JSON decoder recurses no deeper than this before the value it parses ends."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if b"\\" in raw:  # escaped backslashes first, then escaped quotes: what is left of '"' delimits strings
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(raw.split(b'"')[::2]).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def nesting_exceeds(data: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """True if ``data`` nests arrays/objects deeper than ``max_depth`` (see ``nesting_depth``)."""
    return nesting_depth(data) > max_depth


def form_nesting_exceeds(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """``nesting_exceeds`` for each decoded name and value of an ``x-www-form-urlencoded`` body."""
    pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace")
    return any(nesting_exceeds(name, max_depth) or nesting_exceeds(value, max_depth) for name, value in pairs)


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused before its app saw it: the HTTP status and a sentence for the client."""

    status: int
    detail: str


Render = Callable[[Scope, Refusal], ASGIApp]
"""The app's error response (an ASGI app, e.g. a Starlette Response) for a refusal."""
Gate = Callable[[Scope], ASGIApp | None]
"""A check on the request head: the response to send instead of reading the body, or None."""


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value
    return None


def _size(limit: int) -> str:
    if limit % MIB == 0:
        return f"{limit // MIB} MiB"
    return f"{limit // KIB} KiB" if limit % KIB == 0 else f"{limit} bytes"


class BodyLimits:
    """ASGI middleware: the gate, the body cap, the body deadline and the nesting cap (see the module)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        render: Render,
        caps: Sequence[tuple[str, int]] = (),
        default_cap: int = DEFAULT_BODY_CAP,
        max_depth: int = MAX_JSON_DEPTH,
        body_timeout: float = BODY_TIMEOUT,
        gate: Gate | None = None,
        passthrough: Sequence[str] = (),
    ) -> None:
        """``caps``: (path prefix, bytes) pairs, the first matching prefix wins, else ``default_cap``.
        ``passthrough``: path prefixes left to a mounted app that enforces its own limits."""
        self.app = app
        self.render = render
        self.caps = tuple(caps)
        self.default_cap = default_cap
        self.max_depth = max_depth
        self.body_timeout = body_timeout
        self.gate = gate
        self.passthrough = tuple(passthrough)

    def cap_for(self, path: str) -> int:
        """The body cap of the route at ``path``."""
        return next((cap for prefix, cap in self.caps if path.startswith(prefix)), self.default_cap)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or (self.passthrough and path.startswith(self.passthrough)):
            await self.app(scope, receive, send)
            return
        if self.gate is not None and (refused := self.gate(scope)) is not None:
            await _send_closing(refused, scope, receive, send)
            return
        cap = self.cap_for(path)
        declared = _header(scope, b"content-length")
        too_large = f"the request body exceeds {_size(cap)} on {path}"
        if declared is not None and declared.strip().isdigit() and int(declared) > cap:
            await self._refuse(scope, receive, send, 413, too_large)
            return
        body = bytearray()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_timeout
        more = True
        while more:
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                detail = f"the request body did not arrive within {self.body_timeout:g}s"
                await self._refuse(scope, receive, send, 408, detail)
                return
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
            if len(body) > cap:
                await self._refuse(scope, receive, send, 413, too_large)
                return
        if body and self._too_deep(scope, bytes(body)):
            detail = f"the request body nests arrays or objects deeper than {self.max_depth} levels"
            await self._refuse(scope, receive, send, 400, detail, body_read=True)
            return
        await self.app(scope, _replay(bytes(body), receive), send)

    def _too_deep(self, scope: Scope, body: bytes) -> bool:
        content_type = (_header(scope, b"content-type") or b"").split(b";")[0].strip().lower()
        if content_type == b"application/x-www-form-urlencoded":
            return form_nesting_exceeds(body, self.max_depth)
        return nesting_exceeds(body, self.max_depth)  # FastAPI parses JSON whatever the content type says

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, detail: str, *, body_read: bool = False
    ) -> None:
        response = self.render(scope, Refusal(status, detail))
        if body_read:
            await response(scope, receive, send)
        else:
            await _send_closing(response, scope, receive, send)


async def _send_closing(response: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Send ``response`` with ``Connection: close``: the rest of the body is never read."""

    async def closing(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"connection"]
            message = {**message, "headers": [*headers, (b"connection", b"close")]}
        await send(message)

    await response(scope, receive, closing)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the buffered body once, then the server's (disconnect) messages."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay

"""Issue 18: the server runs uvicorn's httptools protocol (on uvloop) when installed, with the guards
of issue 13.5 that the h11 protocol has (header deadline, connection cap) and h11's head size cap;
h11 stays the fallback with its guards."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from anvil.devchain import free_port
from tests.support.waiting import wait_until
from trust_ledger.http_limits import Receive, Scope, Send
from trust_ledger.http_server import (
    ServerLimits,
    guarded_h11_protocol,
    guarded_httptools_protocol,
    guarded_protocol,
    server_config,
)

PROTOCOLS = {"httptools": guarded_httptools_protocol, "h11": guarded_h11_protocol}


async def hello(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


@contextlib.contextmanager
def serving(limits: ServerLimits, protocol: str) -> Iterator[int]:
    port = free_port()
    config = server_config(hello, "127.0.0.1", port, limits)
    config.http = PROTOCOLS[protocol](limits)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 30, what="the server to listen")
        yield port
    finally:
        server.should_exit = True
        thread.join(30)


def closed(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False
    except ConnectionError:
        return True


def answer(sock: socket.socket) -> bytes:
    """One whole answer (head and Content-Length body) read from ``sock``."""
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length and (chunk := sock.recv(4096)):
        body += chunk
    return head + b"\r\n\r\n" + body


def test_the_server_runs_httptools_on_uvloop_when_installed() -> None:
    pytest.importorskip("httptools")
    pytest.importorskip("uvloop")
    limits = ServerLimits()
    assert guarded_protocol(limits).__name__ == "GuardedHttpToolsProtocol"
    config = server_config(hello, "127.0.0.1", free_port(), limits)
    assert config.loop == "auto"  # uvicorn takes uvloop when it is installed


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
def test_a_head_after_an_answer_has_its_deadline_and_heads_have_a_size_cap(protocol: str) -> None:
    if protocol == "httptools":
        pytest.importorskip("httptools")
    limits = ServerLimits(header_timeout=1.5, max_head_bytes=4096)
    with serving(limits, protocol) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Fill: " + b"a" * 3000 + b"\r\n\r\n")
            assert answer(sock).startswith(b"HTTP/1.1 200")
            started = time.monotonic()
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # the next head never ends
            wait_until(lambda: closed(sock), 10, what="the half-sent head's connection closed")
            assert time.monotonic() - started >= limits.header_timeout - 0.2
        heads = [b"GET / HTTP/1.1\r\nHost: x\r\nX-Fill: " + b"a" * 5000]  # and never ending
        if protocol == "httptools":  # h11 judges only what it buffers incomplete
            heads.append(heads[0] + b"\r\n\r\n")
        for head in heads:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(head)
                assert answer(sock).startswith(b"HTTP/1.1 400")
                wait_until(lambda: closed(sock), 10, what="the connection with the large head closed")


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
def test_connections_beyond_the_cap_are_closed(protocol: str) -> None:
    if protocol == "httptools":
        pytest.importorskip("httptools")
    cap = 8
    with serving(ServerLimits(max_connections=cap, header_timeout=30), protocol) as port:
        held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(cap)]
        extra = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(3)]
        try:
            wait_until(lambda: all(closed(sock) for sock in extra), 5, what="the extra connections closed")
            assert not any(closed(sock) for sock in held)
            for sock in held[:2]:
                sock.close()

            def answered() -> bool:  # once the server has seen two close, it answers again
                with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                    return answer(sock).startswith(b"HTTP/1.1 200")

            wait_until(answered, 10, what="an answer below the cap")
        finally:
            for sock in held + extra:
                sock.close()

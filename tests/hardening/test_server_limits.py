"""Issue 13.5: idle and half-sent connections (slowloris) held file descriptors for ever and each bad
request logged a line. The server `serve` and `dev` run (trust_ledger.http_server) closes a
connection whose request head is not complete within the header timeout, closes connections beyond
its cap at once, and the log lets a repeated warning through a bounded number of times."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import uvicorn

from anvil.devchain import free_port
from tests.support.hardening import DevServer
from tests.support.waiting import wait_until
from trust_ledger.http_server import ServerLimits, server_config
from trust_ledger.logs import RepeatLimit

IDLE = 300
HEADER_TIMEOUT = ServerLimits().header_timeout


def closed_by_peer(sock: socket.socket) -> bool:
    """Whether the server has closed ``sock`` (EOF or reset), without waiting."""
    sock.setblocking(False)
    try:
        return sock.recv(1024) == b""
    except BlockingIOError:
        return False
    except ConnectionError:
        return True


def test_idle_and_half_sent_connections_are_closed_and_the_server_answers(dev_server: DevServer) -> None:
    sockets = []
    try:
        for i in range(IDLE):
            sock = dev_server.connect()
            if i % 2:  # a request head that never ends
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            sockets.append(sock)
        dripping = dev_server.connect()  # a head sent one byte a second: activity does not extend it
        sockets.append(dripping)
        started = time.monotonic()
        dev_server.assert_healthy()  # answered while the idle connections are open
        assert not any(closed_by_peer(sock) for sock in sockets), "closed before the header timeout"

        def dripped_and_all_closed() -> bool:
            with contextlib.suppress(OSError):
                dripping.setblocking(True)
                dripping.sendall(b"X")
            return all(closed_by_peer(sock) for sock in sockets)

        wait_until(dripped_and_all_closed, HEADER_TIMEOUT + 20, what="the server to close idle connections")
        elapsed = time.monotonic() - started
        assert elapsed >= HEADER_TIMEOUT - 1, elapsed
        dev_server.assert_healthy()
    finally:
        for sock in sockets:
            sock.close()


def test_repeated_bad_requests_are_logged_a_bounded_number_of_times(dev_server: DevServer) -> None:
    marker = "Invalid HTTP request received."
    before = dev_server.log.read_text(errors="replace").count(marker)
    for _ in range(100):
        with dev_server.connect() as sock:
            sock.sendall(b"\x00\x01 not http\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 400")
    dev_server.assert_healthy()
    logged = dev_server.log.read_text(errors="replace").count(marker) - before
    assert 1 <= logged <= RepeatLimit().burst, logged


@contextlib.contextmanager
def serving(limits: ServerLimits) -> Iterator[int]:
    """A trivial ASGI app under `server_config` with ``limits``, in a thread; its port."""

    async def app(scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"text/plain")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    port = free_port()
    server = uvicorn.Server(server_config(app, "127.0.0.1", port, limits))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 30, what="the server to listen")
        yield port
    finally:
        server.should_exit = True
        thread.join(30)


def test_connections_beyond_the_cap_are_closed_at_once() -> None:
    cap = 20
    with serving(ServerLimits(max_connections=cap, header_timeout=2)) as port:
        held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(cap)]
        extra: list[socket.socket] = []
        try:
            extra.extend(socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(10))
            wait_until(lambda: all(closed_by_peer(sock) for sock in extra), 5, what="the extra ones closed")
            assert not any(closed_by_peer(sock) for sock in held)
            # once the header timeout has closed the idle ones, the server answers again
            wait_until(lambda: all(closed_by_peer(sock) for sock in held), 10, what="idle connections closed")
            assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).text == "ok"
        finally:
            for sock in held + extra:
                sock.close()

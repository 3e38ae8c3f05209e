"""The HTTP server every `trust-ledger serve ...` and `dev` runs: uvicorn with connection limits.

uvicorn bounds the idle time between requests (keep-alive) but not the time a client may take to
send a request head, and it accepts connections without bound: idle or half-sent connections
(slowloris) pile up until the process runs out of file descriptors. ``GuardedH11Protocol`` adds
what nginx calls ``client_header_timeout`` (a request head must be complete within
``header_timeout`` seconds of the connection, or of its first byte after a previous answer; the
connection is then closed) and a hard cap on open connections (beyond ``max_connections`` a new
connection is closed at once, so descriptors stay bounded). The body's own deadline and size caps
are the apps' (trust_ledger.http_limits). A reverse proxy in front is still recommended
(README.md, "Limits").

The protocol is uvicorn's httptools one (``GuardedHttpToolsProtocol``, with the same guards and a
``max_head_bytes`` cap of its own, which h11 has built in) on uvloop when both are installed
(uvicorn[standard]; about 1.7x the requests per second of h11 on asyncio for the same app, issue
18), else h11 on asyncio. Neither writes an access line that no handler would show (``text`` logs
below debug): uvicorn formats one per request otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    import httptools  # noqa: F401  (uvicorn[standard])
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - h11 then
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

from trust_ledger.logs import UVICORN_LOG_CONFIG

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerLimits:
    """What one server process accepts."""

    header_timeout: float = 10.0
    """Seconds for a whole request head to arrive."""
    keep_alive_timeout: int = 5
    """Seconds an idle connection stays open after an answer."""
    max_connections: int = 1000
    """Open connections; a new one beyond is closed at once, and requests get 503 at the cap."""
    backlog: int = 1024
    """Connections the kernel queues before the server accepts them."""
    max_head_bytes: int = 16 * 1024
    """Bytes of request line and headers (more: 400)."""


def guarded_protocol(limits: ServerLimits) -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol (h11's if httptools is missing) with the guards of ``limits``."""
    if HttpToolsProtocol is not None:
        return guarded_httptools_protocol(limits)
    return guarded_h11_protocol(limits)


def guarded_httptools_protocol(limits: ServerLimits) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with the header deadline, the head size cap and the connection
    cap of ``limits`` (see the module docstring)."""

    class GuardedHttpToolsProtocol(HttpToolsProtocol):
        """See the module docstring."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.head_deadline: asyncio.TimerHandle | None = None
            self.in_head = False
            self.head_bytes = 0
            """Bytes of the current head's parsed URL and headers."""
            self.pending_head = 0
            """Bytes received since the current head began while it is incomplete."""
            self.access_log = self.access_log and self.access_logger.isEnabledFor(logging.INFO)

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            full = len(self.connections) >= limits.max_connections
            super().connection_made(transport)
            if full:
                log.warning("connection refused: %d connections open", limits.max_connections)
                transport.abort()
                return
            self._watch_head()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.parser is None or self.transport.is_closing():  # lost, or answered 400
                return
            if self.in_head:
                self.pending_head += len(data)
                if self.pending_head > limits.max_head_bytes:
                    self._head_too_large()
                    return
            self._watch_head()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_head_deadline()
            super().connection_lost(exc)

        def on_message_begin(self) -> None:
            self.in_head, self.head_bytes, self.pending_head = True, 0, 0
            super().on_message_begin()

        def on_headers_complete(self) -> None:
            self.in_head = False
            super().on_headers_complete()

        def on_url(self, url: bytes) -> None:
            self._count_head(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count_head(len(name) + len(value) + 4)
            super().on_header(name, value)

        def _count_head(self, size: int) -> None:
            """A head over ``max_head_bytes`` is a parser error: 400, as h11 answers it."""
            self.head_bytes += size
            if self.head_bytes > limits.max_head_bytes:
                raise ValueError(f"request head over {limits.max_head_bytes} bytes")

        def _head_too_large(self) -> None:
            """An incomplete head already over ``max_head_bytes``: 400 and close (uvicorn's words)."""
            message = "Invalid HTTP request received."
            self.logger.warning(message)
            self.send_400_response(message)

        def _awaiting_head(self) -> bool:
            """No request whose head is complete is being answered (h11's IDLE)."""
            return self.cycle is None or self.cycle.response_complete

        def _watch_head(self) -> None:
            """Arm the deadline while a request head is awaited (once: it is not reset by each byte)."""
            if not self._awaiting_head() or self.transport.is_closing():
                self._cancel_head_deadline()
            elif self.head_deadline is None:
                self.head_deadline = self.loop.call_later(limits.header_timeout, self._head_timed_out)

        def _cancel_head_deadline(self) -> None:
            if self.head_deadline is not None:
                self.head_deadline.cancel()
                self.head_deadline = None

        def _head_timed_out(self) -> None:
            self.head_deadline = None
            if self._awaiting_head() and not self.transport.is_closing():
                log.info("closed a connection: no complete request head within %gs", limits.header_timeout)
                self.transport.close()

    return GuardedHttpToolsProtocol


def guarded_h11_protocol(limits: ServerLimits) -> type[H11Protocol]:
    """uvicorn's h11 protocol with the header deadline and the connection cap of ``limits``."""

    class GuardedH11Protocol(H11Protocol):
        """See the module docstring."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.head_deadline: asyncio.TimerHandle | None = None
            self.access_log = self.access_log and self.access_logger.isEnabledFor(logging.INFO)

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            full = len(self.connections) >= limits.max_connections
            super().connection_made(transport)
            if full:
                log.warning("connection refused: %d connections open", limits.max_connections)
                transport.abort()
                return
            self._watch_head()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._watch_head()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_head_deadline()
            super().connection_lost(exc)

        def _watch_head(self) -> None:
            """Arm the deadline while a request head is awaited (once: it is not reset by each byte)."""
            awaiting_head = self.conn.their_state is h11.IDLE and not self.transport.is_closing()
            if not awaiting_head:
                self._cancel_head_deadline()
            elif self.head_deadline is None:
                self.head_deadline = self.loop.call_later(limits.header_timeout, self._head_timed_out)

        def _cancel_head_deadline(self) -> None:
            if self.head_deadline is not None:
                self.head_deadline.cancel()
                self.head_deadline = None

        def _head_timed_out(self) -> None:
            self.head_deadline = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                log.info("closed a connection: no complete request head within %gs", limits.header_timeout)
                self.transport.close()

    return GuardedH11Protocol


def server_config(
    application: Any, host: str, port: int, limits: ServerLimits | None = None
) -> uvicorn.Config:
    """The uvicorn configuration of `application` on ``host:port`` with ``limits``."""
    chosen = limits or ServerLimits()
    return uvicorn.Config(
        application,
        host=host,
        port=port,
        http=guarded_protocol(chosen),
        ws="none",
        timeout_keep_alive=chosen.keep_alive_timeout,
        limit_concurrency=chosen.max_connections,
        backlog=chosen.backlog,
        h11_max_incomplete_event_size=chosen.max_head_bytes,
        # log_level None: uvicorn would otherwise reset its loggers' levels over configure_logging's.
        log_level=None,
        log_config=UVICORN_LOG_CONFIG,
    )


def listening_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A socket bound to ``host:port``; with `reuse_port`, several processes bind the same port and
    the kernel spreads new connections over them (SO_REUSEPORT: a killed worker's share goes to the
    others at once)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def run_server(application: Any, host: str, port: int, *, reuse_port: bool = False) -> None:
    """Serve `application` on ``host:port`` within the server limits until SIGINT/SIGTERM."""
    config = server_config(application, host, port)
    server = uvicorn.Server(config)
    if not reuse_port:
        server.run()
        return
    sock = listening_socket(host, port, reuse_port=True)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


@dataclass
class WorkerPool:
    """`workers` copies of one serving command, each binding the same port with SO_REUSEPORT.

    A worker that dies (SIGKILL, a crash) is started again; more than `max_restarts` deaths within
    `restart_window` seconds means something is wrong with every worker (a bad configuration, a
    port in use): the pool stops them all and says so. SIGINT/SIGTERM stop every worker.
    """

    command: list[str]
    workers: int
    max_restarts: int = 5
    restart_window: float = 30.0
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _deaths: list[float] = field(default_factory=list)
    _stopping: bool = False

    def run(self) -> int:
        """Start the workers and watch them until told to stop; the exit status for the command."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.processes = [self._start(n) for n in range(self.workers)]
            while not self._stopping:
                for n, process in enumerate(self.processes):
                    if process.poll() is None or self._stopping:
                        continue
                    if self._too_many_deaths():
                        log.error(
                            "workers keep dying (%d within %.0fs): stopping",
                            self.max_restarts,
                            self.restart_window,
                        )
                        self._stop_all()
                        return 1
                    log.warning(
                        "worker %d (pid %d) exited with %s: starting it again",
                        n,
                        process.pid,
                        process.returncode,
                    )
                    self.processes[n] = self._start(n)
                time.sleep(0.2)
            return 0
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _start(self, n: int) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(self.command, preexec_fn=_die_with_parent)
        log.info("worker %d started (pid %d)", n, process.pid)
        return process

    def _too_many_deaths(self) -> bool:
        now = time.monotonic()
        self._deaths = [t for t in self._deaths if now - t < self.restart_window] + [now]
        return len(self._deaths) > self.max_restarts

    def _on_signal(self, signum: int, frame: object) -> None:
        self._stopping = True

    def _stop_all(self) -> None:
        self._stopping = True
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _die_with_parent() -> None:
    """In a worker, before it runs: ask Linux for SIGTERM when the pool process dies, even by SIGKILL
    (no orphaned worker keeps the port)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


PR_SET_PDEATHSIG = 1

"""Fixtures for follower tests: a pump of real contract events, a switchable RPC proxy."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from anvil.pump import EventPump
from trust_ledger.chain.follower import Follower, Horizon
from trust_ledger.sync import follower_for

PUMP_DID = "did:example:pump"


def wait_until(condition: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    """Poll `condition` (a tracked position, a process state) until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def follower_of(chain) -> Callable[..., Follower]:
    """A follower of the test chain into a given ledger."""

    def make(ledger, horizon: Horizon | None = None, **options) -> Follower:
        follower = follower_for(chain.gateway(None), ledger, horizon or Horizon())
        for name, value in options.items():
            setattr(follower, name, value)
        return follower

    return make


@pytest.fixture
def pump(chain) -> Callable[[int], int]:
    """`pump(total)` emits `total` real ServiceAdded events for PUMP_DID; returns the last block."""
    return EventPump(chain.w3, chain.gateway("anchor"), PUMP_DID).pump


class SwitchableProxy:
    """A TCP forwarder to the chain's RPC port that can be taken down and brought back up."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        with self._lock:
            for open_socket in [*([self._listener] if self._listener else []), *self._connections]:
                # shutdown wakes the threads blocked in accept() and recv(); close alone would not
                with contextlib.suppress(OSError):
                    open_socket.shutdown(socket.SHUT_RDWR)
                open_socket.close()
            self._listener = None
            self._connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            with self._lock:
                self._connections += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            return
        finally:
            for end in (source, target):
                end.close()


@pytest.fixture
def proxy(chain) -> Iterator[SwitchableProxy]:
    port = int(chain.deployment.rpc_url.rsplit(":", 1)[1])
    forwarder = SwitchableProxy(port)
    forwarder.up()
    yield forwarder
    forwarder.down()


def manifest_for(chain, rpc_url: str, directory: Path) -> Path:
    """A copy of the chain's manifest pointing at another RPC URL."""
    manifest = json.loads(chain.manifest.read_text())
    manifest["rpc_url"] = rpc_url
    path = directory / "deployment.json"
    path.write_text(json.dumps(manifest))
    return path

"""Serve ASGI apps on loopback ports from threads of this process (demo, tests, benchmarks)."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

import uvicorn

from anvil.devchain import free_port


class LocalServers:
    """Starts uvicorn servers in threads; each is stopped when ``stack`` closes."""

    def __init__(self, stack: contextlib.ExitStack, host: str = "127.0.0.1"):
        self.stack = stack
        self.host = host

    def serve(self, app: Any, port: int | None = None, timeout: float = 30.0) -> str:
        """Serve ``app`` on ``port`` (a free one by default) and return its base URL once it listens."""
        port = port or free_port()
        server = uvicorn.Server(uvicorn.Config(app, host=self.host, port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError(f"the server on port {port} did not start")
            time.sleep(0.02)  # uvicorn offers no readiness event to wait on

        def stop() -> None:
            server.should_exit = True
            thread.join(timeout)

        self.stack.callback(stop)
        return f"http://{self.host}:{port}"

"""A real `trust-ledger serve resolver` process on the test chain, reached over real HTTP."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from anvil.devchain import free_port
from tests.support.cli_process import CLI
from tests.support.waiting import wait_until


@dataclass
class ResolverProcess:
    """A running resolver: its base URL, process and state directory."""

    url: str
    process: subprocess.Popen
    var: Path
    env: dict[str, str]

    def get(self, path: str, **kwargs) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, **kwargs)

    def wait_for_block(self, block: int, timeout: float = 60) -> None:
        """Wait until the views reflect `block` (the tracked position the resolver reports)."""

        def reached() -> bool:
            response = self.get("/health")
            return (
                response.status_code == 200 and (response.json()["freshness"]["blockNumber"] or -1) >= block
            )

        wait_until(reached, timeout, what=f"the resolver to reach block {block}")


@pytest.fixture
def start_resolver(chain, tmp_path) -> Iterator[Callable[..., ResolverProcess]]:
    """Start `trust-ledger serve resolver` processes; all are stopped after the test."""
    started: list[ResolverProcess] = []

    def start(
        *options: str,
        serve_options: list[str] | None = None,
        env: dict[str, str] | None = None,
        var: Path | None = None,
    ) -> ResolverProcess:
        port = free_port()
        state = var or tmp_path / f"var-{len(started)}"
        state.mkdir(exist_ok=True)
        full_env = {
            **os.environ,
            "TRUST_LEDGER_DEPLOYMENT": str(chain.manifest),
            "TRUST_LEDGER_VAR": str(state),
        }
        for name in ("PERSISTENCE_MODULE", "TRUST_LEDGER_RPC_URL"):
            full_env.pop(name, None)
        full_env.update(env or {})
        command = CLI
        process = subprocess.Popen(
            [*command, *options, "serve", "resolver", "--port", str(port), *(serve_options or [])],
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=open(state / "resolver.log", "wb"),  # noqa: SIM115 - closed with the process
        )
        resolver = ResolverProcess(f"http://127.0.0.1:{port}", process, state, full_env)
        started.append(resolver)

        def healthy() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"the resolver exited: {(state / 'resolver.log').read_text()[-2000:]}")
            try:
                return resolver.get("/health").status_code == 200
            except httpx.TransportError:
                return False

        wait_until(healthy, 60, what="the resolver to answer /health")
        return resolver

    yield start
    for resolver in started:
        resolver.process.terminate()
        resolver.process.wait(30)

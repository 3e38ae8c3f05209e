"""A real `trust-ledger dev` process (chain, follower, resolver, issuer, verifier and explorer on one
port, under the server limits of `trust-ledger serve`), shared by the hardening tests of the HTTP
edge, and the route tables of the apps it serves."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator

import pytest

from anvil.devchain import free_port, port_open
from tests.support.cli_process import CLI, own_world
from tests.support.hardening import DevServer
from tests.support.waiting import wait_until


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    var = tmp_path_factory.mktemp("dev")
    # debug: with the access log (test_log_redaction reads it), which lower levels leave out
    env = own_world(var, TRUST_LEDGER_LOG_FORMAT="json", TRUST_LEDGER_LOG_LEVEL="debug")
    port, chain_port = free_port(), free_port()
    log = var / "dev.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*CLI, "dev", "--port", str(port), "--chain-port", str(chain_port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = DevServer(process, f"http://127.0.0.1:{port}", port, var, log)
    try:
        wait_until(lambda: port_open(port) or not server.alive(), 120, what="dev to serve")
        server.assert_healthy()
        yield server
    finally:
        if server.alive():
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

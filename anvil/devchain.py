"""Start, reuse and stop the local Anvil chain, deploying our contracts on first start."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from web3 import Web3

from anvil.accounts import DEV_ACCOUNT_COUNT, DEV_CHAIN_ID, DEV_MNEMONIC, dev_account
from trust_ledger.chain.deployment import Deployment, deploy
from trust_ledger.paths import foundry_binary, var_dir

DEFAULT_PORT = 8545
DEFAULT_ROOT_DID = "did:web:trust-anchor.example"


@dataclass(frozen=True)
class DevChainFiles:
    """The files a dev chain keeps under var/."""

    root: Path

    @property
    def manifest(self) -> Path:
        return self.root / "deployment.json"

    @property
    def pid(self) -> Path:
        return self.root / "anvil.pid"

    @property
    def log(self) -> Path:
        return self.root / "anvil.log"

    @property
    def state(self) -> Path:
        return self.root / "anvil-state.json"

    def forget_ledger(self) -> None:
        """Drop the SQLite ledger and views of a previous dev chain: its chain is gone, so they are stale."""
        for leftover in self.root.glob("ledger*.sqlite*"):  # the ledger and its views
            leftover.unlink()


def anvil_command(port: int, state: Path | None = None, block_time: float | None = None) -> list[str]:
    """The Anvil command line: deterministic accounts, `finalized` right behind the head."""
    command = [
        str(foundry_binary("anvil")),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--chain-id",
        str(DEV_CHAIN_ID),
        "--mnemonic",
        DEV_MNEMONIC,
        "--accounts",
        str(DEV_ACCOUNT_COUNT),
        "--slots-in-an-epoch",
        "1",
        "--silent",
    ]
    if state is not None:
        command += ["--state", str(state)]
    if block_time is not None:
        command += ["--block-time", str(block_time)]
    return command


def rpc_url(port: int) -> str:
    """The HTTP JSON-RPC URL of a local chain."""
    return f"http://127.0.0.1:{port}"


def port_open(port: int) -> bool:
    """Whether something listens on 127.0.0.1:`port`."""
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for_rpc(url: str, timeout: float = 20.0) -> Web3:
    """Wait until a JSON-RPC endpoint answers eth_chainId."""
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 5}))
    deadline = time.monotonic() + timeout
    while True:
        try:
            w3.eth.chain_id  # noqa: B018 - the call is the probe
            return w3
        except Exception:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no JSON-RPC answer at {url} within {timeout:.0f}s") from None
            time.sleep(0.05)


def start_anvil(port: int, files: DevChainFiles, persist: bool = True) -> subprocess.Popen:
    """Start Anvil in the background (its own session, so Ctrl-C in a shell leaves it alone)."""
    if port_open(port):
        raise RuntimeError(f"port {port} is already in use by something that is not our dev chain")
    files.root.mkdir(parents=True, exist_ok=True)
    with files.log.open("ab") as log:
        process = subprocess.Popen(
            anvil_command(port, files.state if persist else None),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    files.pid.write_text(str(process.pid))
    try:
        wait_for_rpc(rpc_url(port))
    except TimeoutError:
        process.kill()
        raise RuntimeError(f"Anvil did not start; see {files.log}") from None
    return process


def chain_up(
    port: int = DEFAULT_PORT, root_did: str = DEFAULT_ROOT_DID, root: Path | None = None
) -> tuple[Deployment, str]:
    """Start (or reuse) the dev chain and make sure our contracts are deployed.

    Returns the deployment and what happened: "already up" (a running chain with a manifest
    whose contracts are live), "resumed" (Anvil restarted from its saved state) or "deployed".
    """
    files = DevChainFiles(root or var_dir())
    url = rpc_url(port)
    started = False
    if not port_open(port):
        start_anvil(port, files)
        started = True
    w3 = wait_for_rpc(url)
    if files.manifest.exists():
        existing = Deployment.load(files.manifest)
        if existing.is_live(w3):
            if existing.rpc_url != url:
                existing = Deployment(**{**existing.__dict__, "rpc_url": url})
                existing.save(files.manifest)
            return existing, "resumed" if started else "already up"
    deployment = deploy(w3, dev_account("anchor"), root_did, url)
    deployment.save(files.manifest)
    files.forget_ledger()
    return deployment, "deployed"


def chain_down(root: Path | None = None) -> bool:
    """Stop the dev chain started by chain_up (Anvil dumps its state on the way out)."""
    files = DevChainFiles(root or var_dir())
    if not files.pid.exists():
        return False
    pid = int(files.pid.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        files.pid.unlink()
        return False
    deadline = time.monotonic() + 10
    while _alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    files.pid.unlink(missing_ok=True)
    return True


def _alive(pid: int) -> bool:
    """Whether `pid` still runs; reaps it when it is our own child (as in `trust-ledger dev`)."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        return reaped == 0
    except ChildProcessError:  # not our child: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def ephemeral_chain(root_did: str = DEFAULT_ROOT_DID) -> Iterator[tuple[Web3, Deployment]]:
    """A throwaway Anvil on a free port with our contracts deployed, stopped on exit (tests, benchmarks)."""
    port = free_port()
    process = subprocess.Popen(anvil_command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        w3 = wait_for_rpc(rpc_url(port))
        yield w3, deploy(w3, dev_account("anchor"), root_did, rpc_url(port))
    finally:
        process.terminate()
        process.wait(10)

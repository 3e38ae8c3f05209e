"""Issue 13.1 and 13.8 for the wallet: an offer of 100,000 nested arrays killed `trust-ledger wallet
accept` (exit 139), a 400 MB answer took 1.35 GB and a dripping one hung it. Every fetch is now
capped in bytes (streamed and stopped) and in total time, and JSON is depth-checked before decoding.
A hostile server is served for real (uvicorn in a thread)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import uvicorn

from anvil.devchain import free_port
from api.wallet import Wallet
from api.wallet.errors import WalletError
from api.wallet.http import MAX_RESPONSE_BYTES, wallet_client
from tests.support.cli_process import CLI
from tests.support.waiting import wait_until

HUGE = 400 << 20
DEEP = b"[" * 100_000 + b"]" * 100_000


class Hostile:
    """An ASGI app answering too much (400 MB), too slowly (a byte every 0.2 s) or too deep."""

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        headers = [(b"content-type", b"application/json")]
        if path == "/declared":
            headers.append((b"content-length", str(HUGE).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if path == "/deep":
            await send({"type": "http.response.body", "body": DEEP})
            return
        piece, pace = (b" ", 0.2) if path == "/drip" else (b"[" * 65536, 0.0)
        hung_up = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            hung_up.set()

        watcher = asyncio.ensure_future(watch())
        sent = 0
        with contextlib.suppress(Exception):  # the client hangs up
            while sent < HUGE and not hung_up.is_set():
                await send({"type": "http.response.body", "body": piece, "more_body": True})
                sent += len(piece)
                if pace:  # the next byte when the pace is up, unless the client has gone
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(hung_up.wait(), pace)
        watcher.cancel()


@pytest.fixture(scope="module")
def hostile() -> Iterator[tuple[str, Hostile]]:
    app = Hostile()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 30, what="the hostile server to listen")
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(30)


def offer_link(url: str) -> str:
    return f"openid-credential-offer://?credential_offer_uri={quote(url, safe='')}"


@pytest.mark.parametrize("path", ["/chunked", "/declared"])
def test_a_huge_offer_is_dropped_at_the_cap(tmp_path: Path, hostile: tuple[str, Hostile], path: str) -> None:
    base, _ = hostile
    wallet = Wallet(tmp_path / "wallet")
    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(WalletError, match="exceeds the wallet's limit of 1048576 bytes"):
            wallet.accept_offer(offer_link(base + path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 10
    assert peak < 16 * MAX_RESPONSE_BYTES, f"the wallet held {peak} bytes at its peak"


def test_a_dripping_answer_ends_at_the_deadline(tmp_path: Path, hostile: tuple[str, Hostile]) -> None:
    base, _ = hostile
    started = time.monotonic()
    with wallet_client(deadline=2.0) as client, pytest.raises(WalletError, match="did not arrive within 2s"):
        Wallet(tmp_path / "wallet").accept_offer(offer_link(base + "/drip"), http=client)
    assert time.monotonic() - started < 5


def test_a_deeply_nested_offer_is_refused(tmp_path: Path, hostile: tuple[str, Hostile]) -> None:
    base, _ = hostile
    with pytest.raises(WalletError, match="nests deeper than 64 levels"):
        Wallet(tmp_path / "wallet").accept_offer(offer_link(base + "/deep"))
    by_value = f"openid-credential-offer://?credential_offer={quote(DEEP.decode(), safe='')}"
    with pytest.raises(WalletError, match="nests deeper than 64 levels"):
        Wallet(tmp_path / "wallet").accept_offer(by_value)


@pytest.mark.parametrize("by", ["uri", "value"])  # by value: 20,000 levels (an argument is < 128 KiB)
def test_the_wallet_command_survives_a_nested_offer(
    tmp_path: Path, hostile: tuple[str, Hostile], by: str
) -> None:
    base, _ = hostile
    link = (
        offer_link(base + "/deep")
        if by == "uri"
        else f"openid-credential-offer://?credential_offer={quote('[' * 20_000 + ']' * 20_000, safe='')}"
    )
    env = {**os.environ, "TRUST_LEDGER_VAR": str(tmp_path), "TRUST_LEDGER_WALLET_DIR": str(tmp_path / "w")}
    process = subprocess.run(
        [*CLI, "wallet", "accept", link], env=env, capture_output=True, text=True, timeout=120
    )
    assert process.returncode == 1, (process.returncode, process.stderr[-500:])
    assert "nests deeper than 64 levels" in process.stderr

"""DWVP-02-201: POST results to the business system's callback URL, off the request path.

Deliveries run concurrently on one background event loop. What a hostile wallet (or a slow
business system) can do to them is bounded:

- only an answer that presented a credential is called back (``carries_credential``): a wallet
  error, or junk that never got past the issuer's signature and the holder binding, produces none;
- at most ``max_pending`` deliveries exist at once (queued, in flight or waiting to retry); past
  that a result is dropped, logged with the reason and counted in /metrics (the business system
  can still poll DWVP-01-201);
- at most ``per_target`` requests are open to one origin at a time, each with a short timeout;
  a failed delivery is retried with exponential backoff, and while it waits it holds no slot,
  so it never delays the other deliveries.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from prometheus_client import Counter, Gauge

from api.verifier import reasons as r

log = logging.getLogger(__name__)

CALLBACKS = Counter(
    "trust_ledger_callbacks",
    "DWVP-02-201 callbacks by outcome (delivered, failed after retries, dropped: queue_full)",
    ["outcome"],
)
CALLBACKS_PENDING = Gauge(
    "trust_ledger_callbacks_pending", "Callback deliveries queued, in flight or retrying"
)

ABOUT_A_VERIFIED_CREDENTIAL = frozenset(
    {
        r.TYPE_MISMATCH,
        r.ISSUER_NOT_ACTIVE,
        r.ANCESTOR_NOT_ACTIVE,
        r.NOT_ACCREDITED,
        r.ROLE_NOT_ACCREDITED,
        r.STATUS_MISSING,
        r.STATUS_UNKNOWN,
        r.REVOKED,
        r.SUSPENDED,
        r.CLAIMS_NOT_DISCLOSED,
        r.HOLDER_MISMATCH,
    }
)
"""Refusals the decision reaches only with a credential whose issuer signature and holder binding
verified (api/verifier/decision.py checks them after parsing). Every other refusal (a wallet error,
no or malformed vp_token, a bad signature, a wrong nonce, stale trust data) can be produced
without holding a credential, so it is never called back."""


def carries_credential(result: Mapping[str, Any]) -> bool:
    """Whether a DWVP-01-201 result is worth a callback: trusted, or refused about a verified
    credential (ABOUT_A_VERIFIED_CREDENTIAL)."""
    if result["verifyResult"]:
        return True
    return any(reason["code"] in ABOUT_A_VERIFIED_CREDENTIAL for reason in result["reasons"])


class CallbackSender:
    """Delivers results to `url` from a background thread running an asyncio loop."""

    def __init__(
        self,
        url: str | None,
        *,
        max_pending: int = 100,
        per_target: int = 4,
        timeout: float = 5.0,
        attempts: int = 3,
        backoff: float = 0.5,
    ):
        self.url = url
        self.max_pending = max_pending
        self.per_target = per_target
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 2.0))
        self.attempts = attempts
        self.backoff = backoff
        self.pending = 0
        self.most_pending = 0  # the high-water mark, for operators and tests
        self._count_lock = threading.Lock()
        self._limits: dict[str, asyncio.Semaphore] = {}
        self._loop = asyncio.new_event_loop()
        self._client: httpx.AsyncClient | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="dwvp-callbacks", daemon=True)
        self._thread.start()

    def send(self, result: Mapping[str, Any]) -> bool:
        """Queue ``{verifyResult, resultDescription, transactionId, data}`` for the callback URL;
        False (logged, counted) if there is no URL or the queue is full. Never blocks."""
        if self.url is None:
            return False
        body = {name: result[name] for name in ("verifyResult", "resultDescription", "transactionId", "data")}
        with self._count_lock:
            if self.pending >= self.max_pending:
                CALLBACKS.labels("dropped_queue_full").inc()
                log.warning(
                    "callback for %s dropped: %d deliveries already pending (max_pending); "
                    "the result stays available through DWVP-01-201",
                    body["transactionId"],
                    self.pending,
                )
                return False
            self.pending += 1
            self.most_pending = max(self.most_pending, self.pending)
            CALLBACKS_PENDING.inc()
        asyncio.run_coroutine_threadsafe(self._deliver(self.url, body), self._loop)
        return True

    async def _deliver(self, url: str, body: dict[str, Any]) -> None:
        try:
            for attempt in range(1, self.attempts + 1):
                if await self._attempt(url, body, attempt):
                    CALLBACKS.labels("delivered").inc()
                    return
                if attempt < self.attempts:
                    await asyncio.sleep(self.backoff * 2 ** (attempt - 1))  # holds no slot meanwhile
            CALLBACKS.labels("failed").inc()
            log.warning("callback for %s given up after %d attempts", body["transactionId"], self.attempts)
        finally:
            with self._count_lock:
                self.pending -= 1
                CALLBACKS_PENDING.dec()

    async def _attempt(self, url: str, body: dict[str, Any], attempt: int) -> bool:
        async with self._limit(url):
            if self._client is None:
                self._client = httpx.AsyncClient(timeout=self.timeout)
            try:
                response = await self._client.post(url, json=body)
            except httpx.HTTPError as error:
                log.warning(
                    "callback for %s failed (attempt %d): %s", body["transactionId"], attempt, repr(error)
                )
                return False
        if response.status_code < 300:
            return True
        log.warning(
            "callback for %s answered %s (attempt %d)", body["transactionId"], response.status_code, attempt
        )
        return False

    def _limit(self, url: str) -> asyncio.Semaphore:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._limits:
            self._limits[origin] = asyncio.Semaphore(self.per_target)
        return self._limits[origin]

    def close(self, grace: float = 5.0) -> None:
        """Let pending deliveries finish for up to `grace` seconds, cancel the rest, stop."""
        deadline = time.monotonic() + grace
        while self.pending and time.monotonic() < deadline:
            time.sleep(0.02)
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _shutdown(self) -> None:
        others = asyncio.all_tasks() - {asyncio.current_task()}
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

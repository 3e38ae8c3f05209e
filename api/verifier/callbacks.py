"""DWVP-02-201: POST each result to the business system's callback URL, off the request path."""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx

log = logging.getLogger(__name__)

ATTEMPTS = 3


class CallbackSender:
    """Delivers results in a background thread, retrying a failed delivery a few times."""

    def __init__(self, url: str | None, *, timeout: float = 10.0, backoff: float = 1.0):
        self.url = url
        self.timeout = timeout
        self.backoff = backoff
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dwvp-callback")

    def send(self, result: dict[str, Any]) -> Future[bool]:
        """Queue ``{verifyResult, resultDescription, transactionId, data}`` for the callback URL."""
        body = {name: result[name] for name in ("verifyResult", "resultDescription", "transactionId", "data")}
        return self._pool.submit(self._deliver, body)

    def _deliver(self, body: dict[str, Any]) -> bool:
        if self.url is None:
            return False
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = httpx.post(self.url, json=body, timeout=self.timeout)
                if response.status_code < 300:
                    return True
                log.warning(
                    "callback for %s answered %s: %s",
                    body["transactionId"],
                    response.status_code,
                    response.text[:200],
                )
            except httpx.HTTPError as error:
                log.warning("callback for %s failed (attempt %d): %s", body["transactionId"], attempt, error)
            if attempt < ATTEMPTS:
                time.sleep(self.backoff * attempt)  # retry backoff toward the business system
        return False

    def close(self) -> None:
        self._pool.shutdown(wait=True)

"""c_nonce values: unpredictable, short-lived, single use (kept in this process's memory)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable


class NonceStore:
    """Issues c_nonces and consumes each at most once before it expires."""

    def __init__(self, ttl: int, clock: Callable[[], int]):
        self.ttl = ttl
        self.clock = clock
        self._live: dict[str, int] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        nonce = secrets.token_urlsafe(24)
        with self._lock:
            now = self.clock()
            self._live = {n: until for n, until in self._live.items() if until > now}
            self._live[nonce] = now + self.ttl
        return nonce

    def consume(self, nonce: str) -> bool:
        """True once for a live nonce; False if unknown, expired or already used."""
        with self._lock:
            until = self._live.pop(nonce, None)
        return until is not None and until > self.clock()

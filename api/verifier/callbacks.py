"""DWVP-02-201: POST results to the business system's callback URL, off the request path.

The deliveries are a queue in the verifier's state database (trust_ledger.state_db: SQLite, or the
ledger's PostgreSQL shared by every replica). Each replica claims due rows for a lease
(`claimed_by`, `claimed_until`; `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two replicas never
claim one row), delivers them on one background event loop, and deletes a row once delivered or
given up. A replica that dies leaves its rows in the table: whatever it had claimed is claimed
again by another replica once the lease has run out (`LEASE` seconds), so no queued result is
lost. Delivery is therefore at least once: a delivery the business system received just before
its replica died is repeated (the business system recognises it by `transactionId`).

What a hostile wallet (or a slow business system) can do to them is bounded:

- only an answer that presented a credential is called back (``carries_credential``): a wallet
  error, or junk that never got past the issuer's signature and the holder binding, produces none;
- at most ``max_pending`` deliveries of this verifier exist at once in the database (queued, in
  flight or waiting to retry; replicas inserting at the same instant may each pass it by one);
  past that a result is dropped, logged with the reason and counted in /metrics (the business
  system can still poll DWVP-01-201);
- at most ``per_target`` requests are open to one origin at a time, each with a short timeout;
  a failed delivery is retried with exponential backoff, and while it waits it holds no slot,
  so it never delays the other deliveries.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from prometheus_client import Counter, Gauge

from api.verifier import reasons as r
from trust_ledger.state_db import SQLiteState, StateDatabase

log = logging.getLogger(__name__)

CALLBACKS = Counter(
    "trust_ledger_callbacks",
    "DWVP-02-201 callbacks by outcome (delivered, failed after retries, dropped: queue_full)",
    ["outcome"],
)
CALLBACKS_PENDING = Gauge(
    "trust_ledger_callbacks_pending", "Callback deliveries queued, in flight or retrying (all replicas)"
)
TABLE = "verifier_callbacks"
LEASE = 30.0
"""Seconds a replica holds the deliveries it claimed: longer than an attempt may last (twice its
timeout: 10 s by default); a replica's death frees them after this long."""
IDLE_POLL = 1.0
"""Seconds between two looks at the queue when nothing was sent here (rows other replicas queued,
retries coming due, leases of dead replicas running out)."""

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
    """Delivers results to `url` from a background thread running an asyncio loop; the queue is the
    `verifier_callbacks` table of `database` (an in-memory SQLite database without one: the queue
    then lives and dies with this object). `owner` (the verifier's DID) scopes the queue, so
    verifiers sharing a database deliver only their own results."""

    def __init__(
        self,
        url: str | None,
        *,
        database: StateDatabase | None = None,
        owner: str = "",
        max_pending: int = 100,
        per_target: int = 4,
        timeout: float = 5.0,
        attempts: int = 3,
        backoff: float = 0.5,
        clock: Callable[[], float] = time.time,
    ):
        self.url = url
        self.owner = owner
        self.max_pending = max_pending
        self.per_target = per_target
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 2.0))
        self.deadline = 2 * timeout
        self.lease = max(LEASE, 3 * self.deadline)
        self.attempts = attempts
        self.backoff = backoff
        self.clock = clock
        self.most_pending = 0  # the high-water mark seen here, for operators and tests
        self._owns_db = database is None
        self.db = database or SQLiteState(":memory:")
        self._table = self.db.table(TABLE)
        self.db.create(
            [
                f"CREATE TABLE IF NOT EXISTS {self._table} (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, "
                "transaction_id TEXT NOT NULL, url TEXT NOT NULL, body TEXT NOT NULL, "
                "attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL, claimed_by TEXT, "
                "claimed_until REAL, created_at REAL NOT NULL, UNIQUE (owner, transaction_id))",
                f"CREATE INDEX IF NOT EXISTS verifier_callbacks_due ON {self._table} (owner, next_at)",
            ]
        )
        self._me = uuid.uuid4().hex  # this process's claims (a restarted process is another claimer)
        self._in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._count_lock = threading.Lock()
        self._limits: dict[str, asyncio.Semaphore] = {}
        self._loop = asyncio.new_event_loop()
        self._wake = asyncio.Event()
        self._stopping = False
        self._client: httpx.AsyncClient | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="dwvp-callbacks", daemon=True)
        self._thread.start()
        self._runner = asyncio.run_coroutine_threadsafe(self._run(), self._loop)

    @property
    def pending(self) -> int:
        """Deliveries of this verifier in the queue (queued, in flight or waiting to retry), on
        every replica."""
        return int(self.db.value(f"SELECT COUNT(*) AS n FROM {self._table} WHERE owner = ?", (self.owner,)))

    def send(self, result: Mapping[str, Any]) -> bool:
        """Queue ``{verifyResult, resultDescription, transactionId, data}`` for the callback URL;
        False (logged, counted) if there is no URL or the queue is full. Never waits for the target."""
        if self.url is None:
            return False
        body = {name: result[name] for name in ("verifyResult", "resultDescription", "transactionId", "data")}
        pending = self.pending
        if pending >= self.max_pending:
            CALLBACKS.labels("dropped_queue_full").inc()
            log.warning(
                "callback for %s dropped: %d deliveries already pending (max_pending); "
                "the result stays available through DWVP-01-201",
                body["transactionId"],
                pending,
            )
            return False
        now = self.clock()
        self.db.run(
            f"INSERT INTO {self._table} (owner, transaction_id, url, body, next_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (owner, transaction_id) DO NOTHING",
            (
                self.owner,
                str(body["transactionId"]),
                self.url,
                json.dumps(body, ensure_ascii=False),
                now,
                now,
            ),
        )
        with self._count_lock:
            self.most_pending = max(self.most_pending, pending + 1)
        CALLBACKS_PENDING.set(pending + 1)
        # the loop looks once the row is committed (send may run inside the answer's transaction)
        self.db.after_commit(self._look)
        return True

    def _look(self) -> None:
        """Wake the delivery loop (from any thread), unless it has stopped."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    # ------------------------------------------------------------ the queue, on the event loop

    async def _run(self) -> None:
        """Claim what is due and may start now, deliver it, sleep until woken or the next look."""
        while not self._stopping:
            self._wake.clear()  # before looking: a send from now on wakes the wait below
            try:
                free = self.per_target - self._in_flight
                if free <= 0:  # every slot busy: a delivery that finishes wakes the loop
                    pause = IDLE_POLL
                else:
                    claimed = await asyncio.to_thread(self._claim, free)
                    for row in claimed:
                        self._in_flight += 1
                        task = asyncio.get_running_loop().create_task(self._deliver(row))
                        self._tasks.add(task)  # held until done (the loop keeps only weak references)
                        task.add_done_callback(self._tasks.discard)
                    pause = 0.0 if len(claimed) == free else await asyncio.to_thread(self._until_due)
            except Exception as error:  # the database did not answer: look again later
                log.warning(
                    "callback queue unavailable: %s", str(error).splitlines()[0] if str(error) else error
                )
                pause = IDLE_POLL
            if pause > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), pause)

    def _claim(self, limit: int) -> list[dict[str, Any]]:
        """Take up to `limit` due, unclaimed (or abandoned) deliveries for `lease` seconds."""
        now = self.clock()
        return self.db.all(
            f"UPDATE {self._table} SET claimed_by = ?, claimed_until = ? WHERE id IN ("
            f"SELECT id FROM {self._table} WHERE owner = ? AND next_at <= ? "
            "AND (claimed_until IS NULL OR claimed_until < ?) "
            f"ORDER BY next_at, id LIMIT ?{self.db.skip_locked}) "
            "RETURNING id, transaction_id, url, body, attempts",
            (self._me, now + self.lease, self.owner, now, now, limit),
        )

    def _until_due(self) -> float:
        """Seconds until the next delivery comes due (at most IDLE_POLL); also refreshes the gauge."""
        row = self.db.one(
            f"SELECT COUNT(*) AS n, MIN(CASE WHEN claimed_until IS NULL THEN next_at ELSE claimed_until END) "
            f"AS due FROM {self._table} WHERE owner = ?",
            (self.owner,),
        )
        CALLBACKS_PENDING.set(row["n"] if row else 0)
        if row is None or row["due"] is None:
            return IDLE_POLL
        return min(IDLE_POLL, max(0.01, float(row["due"]) - self.clock()))

    async def _deliver(self, row: dict[str, Any]) -> None:
        body = json.loads(row["body"])
        attempt = int(row["attempts"]) + 1
        try:
            delivered = await self._attempt(row["url"], body, attempt)
            if delivered:
                CALLBACKS.labels("delivered").inc()
                await asyncio.to_thread(self._done, row["id"])
            elif attempt >= self.attempts:
                CALLBACKS.labels("failed").inc()
                log.warning("callback for %s given up after %d attempts", body["transactionId"], attempt)
                await asyncio.to_thread(self._done, row["id"])
            else:  # waits for its retry in the table, holding no slot
                retry_at = self.clock() + self.backoff * 2 ** (attempt - 1)
                await asyncio.to_thread(self._retry_later, row["id"], attempt, retry_at)
        except Exception as error:  # the database: the lease runs out and the row is claimed again
            log.warning("callback for %s not settled: %s", body["transactionId"], error)
        finally:
            self._in_flight -= 1
            self._wake.set()

    def _done(self, row_id: int) -> None:
        self.db.run(f"DELETE FROM {self._table} WHERE id = ? AND claimed_by = ?", (row_id, self._me))

    def _retry_later(self, row_id: int, attempts: int, at: float) -> None:
        self.db.run(
            f"UPDATE {self._table} SET attempts = ?, next_at = ?, claimed_by = NULL, claimed_until = NULL "
            "WHERE id = ? AND claimed_by = ?",
            (attempts, at, row_id, self._me),
        )

    async def _attempt(self, url: str, body: dict[str, Any], attempt: int) -> bool:
        async with self._limit(url):
            if self._client is None:
                self._client = httpx.AsyncClient(timeout=self.timeout)
            try:  # one deadline for the whole attempt: a target trickling its answer cannot outlast the lease
                response = await asyncio.wait_for(self._client.post(url, json=body), self.deadline)
            except (httpx.HTTPError, TimeoutError) as error:
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
        """Let the deliveries in flight here finish for up to `grace` seconds, cancel the rest (their
        rows stay queued: claimed again once their lease runs out), stop."""
        self._stopping = True
        self._loop.call_soon_threadsafe(self._wake.set)
        deadline = time.monotonic() + grace
        while self._in_flight and time.monotonic() < deadline:
            time.sleep(0.02)
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
        try:  # what was cut off here may be claimed by another replica at once
            self.db.run(
                f"UPDATE {self._table} SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?",
                (self._me,),
            )
        except Exception as error:  # the database is gone too: the leases run out by themselves
            log.warning("callback claims not released: %s", error)
        if self._owns_db:
            self.db.close()

    async def _shutdown(self) -> None:
        others = asyncio.all_tasks() - {asyncio.current_task()}
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

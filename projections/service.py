"""The live pipeline behind a serving process: chain -> follower -> ledger -> projector -> views."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from projections import Projector, SqlTrustViews, open_views
from projections.api import FollowerStatus
from projections.leadership import FollowerLease
from projections.trust_freshness import FreshnessBounds, TrustFreshness, judge_live_views
from trust_ledger.chain.follower import Follower, Horizon, ReorgBelowHorizon, follower_for, run_forever
from trust_ledger.chain.gateway import TrustGateway, TxResult
from trust_ledger.domain import IngestError
from trust_ledger.ledger import TrustLedger
from trust_ledger.metrics import (
    CHAIN_REACHABLE,
    FOLLOWER_HALTED,
    FOLLOWER_HALTED_BLOCK,
    FOLLOWER_LEADER,
    FOLLOWER_PASS_AGE,
    INGEST_LAG_BLOCKS,
    INGEST_LAG_SECONDS,
    TRUST_DATA_STALE,
    VIEWS_BEHIND_HORIZON,
    VIEWS_BLOCK,
)
from trust_ledger.store import STORE_UNAVAILABLE, first_line, ledger_env, open_ledger

log = logging.getLogger("projections.service")

MAX_STORE_BACKOFF = 10.0
STANDBY_RETRY = 1.0
"""How often a standby tries to take the follower lease: the bound on a takeover, plus the time
PostgreSQL takes to see the leader's connection gone (immediate when its process is killed)."""
LEASE_CHECK_INTERVAL = 1.0
STORE_OUTAGE_GAP = 60.0
"""Store errors further apart than this are separate outages: the backoff starts again."""


@dataclass
class LedgerService:
    """The ledger and its views, plus (unless read-only) a thread that follows and projects.

    `chain_reachable` is what the last pass found (None before the first, or when not
    following); `halted` holds the reason the follower stopped for good (a reorg below the
    horizon, a log of ours that does not decode), while the views keep serving. After every pass
    (and on halting) the following process writes its FollowerStatus beside the views, so every
    replica reading them can tell how fresh they are (projections.trust_freshness). The store not
    answering for a while (a database restart) does not halt it: it retries, backing off up to
    MAX_STORE_BACKOFF seconds.
    """

    ledger: TrustLedger | None
    views: SqlTrustViews
    projector: Projector | None
    follower: Follower | None
    poll_interval: float = 0.5
    chain_reachable: bool | None = None
    halted: str | None = None
    status: FollowerStatus | None = None
    """The status this process last wrote (None unless it follows)."""
    lease: FollowerLease | None = None
    """Held while this process is the one following (projections.leadership); None if it never follows."""
    leading: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lease_checked: float = float("-inf")
    _standby_view: tuple[float, bool] = (float("-inf"), False)
    """(when, what) a standby last read of the leader's report: chain_status is asked per request."""

    @classmethod
    def open(
        cls, gateway: TrustGateway | None, horizon: Horizon, poll_interval: float = 0.5
    ) -> LedgerService:
        """Open the configured stores; with a gateway, follow its chain and keep the views fresh,
        without one, serve the views as a read-only replica (views written by another process)."""
        env = ledger_env()
        views = open_views(env)
        if gateway is None:
            return cls(None, views, None, None, poll_interval)
        ledger = open_ledger()
        return cls(
            ledger,
            views,
            Projector(ledger, views.recorder),
            follower_for(gateway, ledger, horizon),
            poll_interval,
        )

    @property
    def role(self) -> str:
        """ "leader" (follows and projects), "standby" (would follow, waits for the lease) or
        "replica" (never follows: reads views another process writes)."""
        if self.follower is None:
            return "replica"
        return "leader" if self.leading else "standby"

    def chain_status(self) -> bool:
        """Whether the chain answered the last pass and the follower still follows it (no
        network call: safe per request). A halted follower reads as unreachable: degraded.
        A standby answers what the leader last reported beside the views."""
        if self.follower is not None and not self.leading:
            now = time.monotonic()
            if now - self._standby_view[0] >= LEASE_CHECK_INTERVAL:
                reported = self.views.latest_follower_status()
                reachable = reported is not None and bool(reported.chain_reachable) and not reported.halted
                self._standby_view = (now, reachable)
            return self._standby_view[1]
        return bool(self.chain_reachable) and self.halted is None

    def start(self) -> None:
        """Catch the views up with what the ledger already holds, then follow in the background:
        at once if this process takes the follower lease, else as a standby that takes over when
        the leader goes away."""
        if self.follower is None:
            if self.projector is not None:
                self.projector.run_once()
            return
        self.lease = self.views.recorder.follower_lease()
        if self._take_lease():
            self._catch_up_views()
        self._thread = threading.Thread(target=self._run, name="trust-ledger-follower", daemon=True)
        self._thread.start()

    def catch_up(self) -> None:
        """One pass in this process (a command, not a server): follow up to the horizon, project, and
        report the pass beside the views like the background thread does. Raises OSError when the
        chain does not answer."""
        if self.follower is None:
            if self.projector is not None:
                self.projector.run_once()
            return
        try:
            self.follower.poll()
        except OSError:
            self.chain_reachable = False
            raise
        self.chain_reachable = True
        self._after_pass()

    def ingest_through(
        self, result: TxResult, timeout: float = 600.0, on_wait: Callable[[str], None] | None = None
    ) -> None:
        """Read-your-writes for a command that just sent `result`: return once the ledger holds every
        event of it. This process ingests up to the transaction's block itself, even when a follower
        runs elsewhere: ingestion is exactly-once, so whoever records a log first wins and the other
        skips it. The views are left to the serving process that projects them."""
        if not result.events or self.follower is None or self.ledger is None:
            return
        target = max(event.position for event in result.events)
        deadline = time.monotonic() + timeout
        told = False
        while (self.ledger.position() or -1) < target:
            self.follower.poll(until_block=result.block_number)
            if (self.ledger.position() or -1) >= target:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"block {result.block_number} did not reach the finality horizon "
                    f"({self.follower.horizon.describe()}) within {timeout:.0f}s; the transaction "
                    f"{result.tx_hash} is on chain, the ledger will follow"
                )
            if on_wait and not told:
                on_wait(f"waiting for block {result.block_number} to pass {self.follower.horizon.describe()}")
                told = True
            self._stop.wait(1.0)

    def wait_for_block(self, block: int, timeout: float = 60.0) -> None:
        """Return once the views reflect chain block `block` (their tracked position, not a guess)."""
        deadline = time.monotonic() + timeout
        while (self.views.freshness().block_number or -1) < block:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the views did not reach block {block} within {timeout:.0f}s")
            self._stop.wait(self.poll_interval / 4)

    def stop(self) -> None:
        """Stop following, give the lease up and close the stores."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
        if self.lease is not None:
            self.lease.release()
            self.leading = False
        if self.ledger is not None:
            self.ledger.close()

    def _take_lease(self) -> bool:
        assert self.lease is not None
        standing_by = self._thread is not None  # a first try at start-up is not news; a takeover is
        self.leading = self.lease.try_acquire()
        self._lease_checked = time.monotonic()
        if self.leading and standing_by:
            log.info("took over following the chain (this process holds the follower lease now)")
        return self.leading

    def _catch_up_views(self) -> None:
        assert self.projector is not None
        self.projector.run_once()

    def _lost_lease(self) -> bool:
        """Whether this leader has lost its lease (checked at most once a second: it is asked
        between the follower's short sleeps)."""
        if self.lease is None or time.monotonic() - self._lease_checked < LEASE_CHECK_INTERVAL:
            return False
        self._lease_checked = time.monotonic()
        if self.lease.held():
            return False
        log.warning("lost the follower lease; standing by")
        self.lease.release()
        self.leading = False
        return True

    def _after_pass(self) -> None:
        """Project what the pass ingested, then report the pass beside the views."""
        assert self.projector is not None and self.follower is not None
        self.projector.run_once()
        now = time.time()
        previous = self.status or FollowerStatus(reported_at=now)
        if self.chain_reachable:
            head = self.follower.head
            status = FollowerStatus(
                reported_at=now,
                checked_at=now,
                horizon_block=self.follower.last_horizon,
                head_block=head.number if head is not None else None,
                synced_block=self.follower.synced_block(),
                chain_reachable=True,
            )
        else:  # what the last pass that reached the chain found still stands; its age grows
            status = replace(previous, reported_at=now, chain_reachable=False)
        self._report(status)

    def _report(self, status: FollowerStatus) -> None:
        self.views.record_follower_status(status)
        self.status = status

    def _reachability(self, reachable: bool) -> None:
        self.chain_reachable = reachable

    def _halt(self, error: Exception) -> None:
        """Stop following for good; say so beside the views, with the block and the reason."""
        assert self.follower is not None
        self.halted = str(error)
        log.critical("follower halted: %s", error)
        if isinstance(error, ReorgBelowHorizon):
            block = error.block_number
        elif isinstance(error, IngestError) and error.log is not None:
            block = error.log.block_number
        else:
            block = self.follower.next_block()
        previous = self.status or FollowerStatus(reported_at=time.time())
        status = replace(previous, reported_at=time.time(), halted_reason=str(error), halted_block=block)
        try:
            self._report(status)
        except Exception:  # the views' store is gone too: the halt is still in the log and in memory
            log.exception("could not record the follower's halt beside the views")
            self.status = status

    def _run(self) -> None:
        assert self.follower is not None
        backoff, last_failure = self.poll_interval, float("-inf")
        while not self._stop.is_set():
            try:
                if not self.leading:
                    if not self._take_lease():
                        self._stop.wait(STANDBY_RETRY)
                        continue
                    self._catch_up_views()
                run_forever(
                    self.follower,
                    self.poll_interval,
                    should_stop=lambda: self._stop.is_set() or self._lost_lease(),
                    after_pass=self._after_pass,
                    on_reachability=self._reachability,
                )
                continue  # stopped, or the lease was lost: the loop decides
            except STORE_UNAVAILABLE as exc:
                # The database went away for a moment (a restart): nothing half-written stays (each
                # batch is one transaction) and what was not committed is read and recorded again,
                # exactly once. Wait and go on; halting here would leave the views stale for good.
                if time.monotonic() - last_failure > STORE_OUTAGE_GAP:  # a new outage: start afresh
                    backoff = self.poll_interval
                last_failure = time.monotonic()
                log.warning("the store is unavailable (%s); retrying in %.1fs", first_line(exc), backoff)
                self._stop.wait(backoff)
                backoff = min(MAX_STORE_BACKOFF, backoff * 2)
            except Exception as exc:  # the follower halts (a reorg below the horizon); the views keep serving
                self._halt(exc)
                return


def watch_service(service: LedgerService) -> None:
    """Make the lag and follower gauges read `service` (and the follower's status beside its views,
    so a read-only replica shows the following process's) whenever /metrics is scraped."""
    VIEWS_BLOCK.set_function(lambda: service.views.freshness().block_number or 0)
    CHAIN_REACHABLE.set_function(lambda: 1.0 if service.chain_status() else 0.0)
    INGEST_LAG_BLOCKS.set_function(lambda: _lag(service)[0])
    INGEST_LAG_SECONDS.set_function(lambda: _lag(service)[1])
    FOLLOWER_HALTED.set_function(lambda: 1.0 if _status(service).halted else 0.0)
    FOLLOWER_HALTED_BLOCK.set_function(lambda: float(_status(service).halted_block or 0))
    FOLLOWER_PASS_AGE.set_function(lambda: _pass_age(_status(service)))
    VIEWS_BEHIND_HORIZON.set_function(lambda: _behind(service))
    TRUST_DATA_STALE.set_function(lambda: 1.0 if _verdict(service).stale else 0.0)
    FOLLOWER_LEADER.set_function(lambda: 1.0 if service.leading else 0.0)


def _status(service: LedgerService) -> FollowerStatus:
    return service.views.follower_status() or FollowerStatus(reported_at=0.0)


def _pass_age(status: FollowerStatus) -> float:
    return -1.0 if status.checked_at is None else max(0.0, time.time() - status.checked_at)


def _verdict(service: LedgerService) -> TrustFreshness:
    return judge_live_views(service.views, FreshnessBounds())


def _behind(service: LedgerService) -> float:
    verdict = _verdict(service)
    if verdict.horizon_block is None or verdict.views_block is None:
        return 0.0
    return float(max(0, verdict.horizon_block - verdict.views_block))


def _lag(service: LedgerService) -> tuple[float, float]:
    follower = service.follower
    head = follower.head if follower is not None else None
    freshness = service.views.freshness()
    if head is None or freshness.block_number is None:
        return 0.0, 0.0
    synced = max(freshness.block_number, _status(service).synced_block or -1)
    behind = max(0, head.number - synced)
    seen = freshness.block_time if freshness.block_time is not None else int(time.time())
    return float(behind), float(max(0, head.timestamp - seen)) if behind else 0.0

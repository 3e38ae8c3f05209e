"""The projector: pulls the ledger's notification log into the views, exactly once.

Pulling works on every ledger store (eventsourcing 9.5's SQLite recorder cannot push). Each
batch of notifications becomes view changes recorded with the tracking record of its last
notification in ONE transaction, so a crash loses nothing and re-running repeats nothing: a
new Projector on the same views simply continues after the tracked position.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Notification, Tracking

from projections.changes import CursorAdvanced, EntityChanged, StatusListChanged, ViewChange
from projections.recorder import ViewRecorder
from trust_ledger.domain import ChainCursor, Entity, StatusList
from trust_ledger.ledger import TrustLedger

Progress = Callable[[int, int], None]
"""Called after each batch with (tracked notification id, ledger's last notification id)."""


class Projector:
    """Projects `ledger` into the views of `recorder`.

    Keeps up to `cache_size` Entity and StatusList aggregates in memory (least recently used
    dropped first) and advances them event by event with ``domain_event.mutate``; an aggregate
    not in the cache (cold start, eviction) is loaded once from the ledger's repository at the
    needed version.
    """

    def __init__(
        self, ledger: TrustLedger, recorder: ViewRecorder, *, batch_size: int = 500, cache_size: int = 10_000
    ) -> None:
        if batch_size < 1 or cache_size < 1:
            raise ValueError("batch_size and cache_size must be at least 1")
        self.ledger = ledger
        self.recorder = recorder
        self.upstream = ledger.name
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.loads = 0
        """How many aggregates were loaded from the ledger because the cache did not hold them."""
        self._cache: OrderedDict[UUID, Aggregate] = OrderedDict()

    # ------------------------------------------------------------------ running

    def position(self) -> int:
        """The last ledger notification id the views have processed (0 for none)."""
        return self.recorder.max_tracking_id(self.upstream) or 0

    def run_once(self, progress: Progress | None = None) -> int:
        """Process every notification available now; return the tracked notification id."""
        source = self.ledger.process_recorder
        position = self.position()
        total = source.max_notification_id() or 0
        while True:
            section = source.select_notifications(
                start=position, limit=self.batch_size, inclusive_of_start=False
            )
            if not section:
                return position
            changes = [change for n in section if (change := self._change_of(n)) is not None]
            try:
                self.recorder.record(changes, Tracking(self.upstream, section[-1].id))
            except IntegrityError:
                # Another projector recorded this batch first: continue after what it tracked.
                self._cache.clear()
                tracked = self.position()
                if tracked <= position:
                    raise
                position = tracked
                continue
            position = section[-1].id
            if progress is not None:
                progress(position, max(total, position))
            if len(section) < self.batch_size:
                return position

    def wait(self, notification_id: int, timeout: float = 10.0) -> int:
        """Return once the views have processed `notification_id` (pulling as needed), or raise
        TimeoutError after `timeout` seconds. Polls only while the ledger does not hold it yet."""
        deadline = time.monotonic() + timeout
        interval = 0.005
        while True:
            position = self.run_once()
            if position >= notification_id:
                return position
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                msg = f"the views reached notification {position}, not {notification_id}, in {timeout}s"
                raise TimeoutError(msg)
            time.sleep(min(interval, remaining))
            interval = min(interval * 2, 0.5)

    def run(self, stop: threading.Event, interval: float = 0.5) -> None:
        """Keep the views up to date until `stop` is set, pulling every `interval` seconds."""
        while not stop.is_set():
            self.run_once()
            stop.wait(interval)

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop the views and their tracking, then reprocess the ledger from its first notification."""
        self.recorder.clear(self.upstream)
        self._cache.clear()
        return self.run_once(progress)

    # ------------------------------------------------------------------ events to changes

    def _change_of(self, notification: Notification) -> ViewChange | None:
        domain_event: Any = self.ledger.mapper.to_domain_event(notification)
        if isinstance(domain_event, Entity.Event):
            entity = self._advance(domain_event)
            assert isinstance(entity, Entity)
            return EntityChanged(
                event=type(domain_event).__name__,
                version=entity.version,
                state=entity.as_dict(),
                provenance=dict(domain_event.provenance),
                by=domain_event.by,
            )
        if isinstance(domain_event, StatusList.Event):
            status_list = self._advance(domain_event)
            assert isinstance(status_list, StatusList)
            return StatusListChanged(
                version=status_list.version,
                list_id=status_list.list_id,
                owner_node=status_list.owner,
                purpose=status_list.purpose,
                size=status_list.size,
                uri=status_list.uri,
                bitstring=status_list.bitstring(),
                provenance=dict(domain_event.provenance),
                by=domain_event.by,
            )
        if isinstance(domain_event, ChainCursor.Advanced):  # type: ignore[attr-defined]  # made by @event
            return CursorAdvanced(block_number=domain_event.block_number, block_hash=domain_event.block_hash)
        return None  # DidIndex events, the cursor's start and contract bindings: nothing to show

    def _advance(self, domain_event: Any) -> Aggregate:
        """The aggregate right after `domain_event`: the cached one mutated, or loaded once."""
        key: UUID = domain_event.originator_id
        version: int = domain_event.originator_version
        cached = self._cache.pop(key, None)
        if version == 1:
            aggregate = domain_event.mutate(None)
        elif cached is not None and cached.version == version - 1:
            aggregate = domain_event.mutate(cached)
        else:
            aggregate = self.ledger.repository.get(key, version=version)
            self.loads += 1
        self._cache[key] = aggregate
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return aggregate

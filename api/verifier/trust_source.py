"""Where the verifier reads trust from: the live views of the ledger, or a signed offline snapshot.

Both implement ``TrustSource``; the trust decision (``decision.py``) reads nothing else, so online
and offline verification run the same code. Entities are ``projections.accreditation.EntityRecord``,
the records the accreditation rule judges.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from projections.accreditation import EntityRecord, record_from_views
from projections.api import EffectiveStatus, Freshness, TrustViews
from projections.trust_freshness import FreshnessBounds, TrustFreshness, judge_views

T = TypeVar("T")
MAX_REMEMBERED = 4096
"""Answers remembered at one state of the views; past it they are forgotten and read again."""


@dataclass(frozen=True)
class StatusBits:
    """A status list as the source holds it: its owner, purpose, URI and exact bitstring."""

    owner_did: str
    purpose: str
    uri: str
    size: int
    bitstring: bytes

    def is_set(self, index: int) -> bool:
        """Bit ``index`` (index 0 is the most significant bit of byte 0)."""
        if not 0 <= index < self.size:
            raise IndexError(f"index {index} is outside a list of {self.size}")
        return bool(self.bitstring[index // 8] & (0x80 >> (index % 8)))


class TrustSource(Protocol):
    """Read-only trust data: entities, effective status, status lists, and how current it is."""

    def reading(self) -> AbstractContextManager[None]:
        """Everything read inside (in this thread) is read from one state of the trust data."""
        ...

    def entity(self, did: str) -> EntityRecord | None:
        """The entity's current record, or None when the registry does not hold ``did``."""
        ...

    def effective_status(self, did: str) -> EffectiveStatus | None:
        """The entity's status once its ancestors are taken into account."""
        ...

    def status_list(self, owner_did: str, uri: str) -> StatusBits | None:
        """The list owned by ``owner_did`` that is published at ``uri``, or None."""
        ...

    def as_of(self) -> int | None:
        """Block time (unix seconds) the data reflects, None when nothing is known yet."""
        ...

    def trust_freshness(self, bounds: FreshnessBounds, now: float) -> TrustFreshness:
        """Whether the data is fresh enough to say "trusted" at wall-clock time `now`
        (decided by projections.trust_freshness, never assumed)."""
        ...

    def describe(self) -> str:
        """One line for results: where the trust data came from."""
        ...


@dataclass
class _Memo:
    """What was read at one state of the views (their freshness: ledger position and block)."""

    state: tuple[Any, ...]
    answers: dict[tuple[str, str, str], Any] = field(default_factory=dict)


class ViewsTrustSource:
    """The live read side: the projections the follower keeps current.

    Inside ``reading()`` every read is one read transaction of the views, and its answers are
    remembered with the state of the views that transaction saw (ledger position, block number and
    hash, as the resolver's hot path): a decision at the same state reads them from memory (the
    issuer's record and parsed keys, its ancestors, each status list decoded once), and the first
    decision after the views move (a key revoked, a bit set, a new block) reads them again.
    """

    def __init__(self, views: TrustViews):
        self.views = views
        self._memo = _Memo(state=())
        self._local = threading.local()

    @contextmanager
    def reading(self) -> Iterator[None]:
        if getattr(self._local, "memo", None) is not None:  # joins the one open in this thread
            yield
            return
        with self.views.snapshot():
            freshness = self.views.freshness()
            state = (freshness.position, freshness.block_number, freshness.block_hash, freshness.chain_id)
            memo = self._memo
            if memo.state != state or freshness.position is None:
                memo = self._memo = _Memo(state=state)
            self._local.memo, self._local.freshness = memo, freshness
            try:
                yield
            finally:
                self._local.memo = self._local.freshness = None

    def _remembered(self, key: tuple[str, str, str], read: Callable[[], T]) -> T:
        """``read()``, remembered for the state of the views this thread's ``reading()`` opened at."""
        memo: _Memo | None = getattr(self._local, "memo", None)
        if memo is None:
            return read()
        try:
            return memo.answers[key]
        except KeyError:
            if len(memo.answers) >= MAX_REMEMBERED:
                memo.answers.clear()
            answer = memo.answers[key] = read()
            return answer

    def entity(self, did: str) -> EntityRecord | None:
        return self._remembered(("entity", did, ""), lambda: record_from_views(self.views, did))

    def effective_status(self, did: str) -> EffectiveStatus | None:
        return self._remembered(("status", did, ""), lambda: self.views.effective_status(did))

    def status_list(self, owner_did: str, uri: str) -> StatusBits | None:
        return self._remembered(("list", owner_did, uri), lambda: self._read_status_list(owner_did, uri))

    def _read_status_list(self, owner_did: str, uri: str) -> StatusBits | None:
        version = self.views.status_list_at(owner_did, uri)
        if version is None:
            return None
        return StatusBits(version.owner_did, version.purpose, version.uri, version.size, version.bitstring)

    def _freshness(self) -> Freshness:
        """The freshness ``reading()`` read, else the views' now."""
        freshness: Freshness | None = getattr(self._local, "freshness", None)
        return freshness if freshness is not None else self.views.freshness()

    def as_of(self) -> int | None:
        return self._freshness().block_time

    def trust_freshness(self, bounds: FreshnessBounds, now: float) -> TrustFreshness:
        return judge_views(self._freshness(), self.views.follower_status(), bounds, now)

    def describe(self) -> str:
        return f"live ledger views at block {self._freshness().block_number}"

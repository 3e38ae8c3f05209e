"""Where the verifier reads trust from: the live views of the ledger, or a signed offline snapshot.

Both implement ``TrustSource``; the trust decision (``decision.py``) reads nothing else, so online
and offline verification run the same code. Entities are ``projections.accreditation.EntityRecord``,
the records the accreditation rule judges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from projections.accreditation import EntityRecord, record_from_views
from projections.api import EffectiveStatus, TrustViews
from projections.trust_freshness import FreshnessBounds, TrustFreshness, judge_live_views


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


class ViewsTrustSource:
    """The live read side: the projections the follower keeps current."""

    def __init__(self, views: TrustViews):
        self.views = views

    def entity(self, did: str) -> EntityRecord | None:
        return record_from_views(self.views, did)

    def effective_status(self, did: str) -> EffectiveStatus | None:
        return self.views.effective_status(did)

    def status_list(self, owner_did: str, uri: str) -> StatusBits | None:
        for version in self.views.status_lists_of(owner_did):
            if version.uri == uri:
                return StatusBits(
                    version.owner_did, version.purpose, version.uri, version.size, version.bitstring
                )
        return None

    def as_of(self) -> int | None:
        return self.views.freshness().block_time

    def trust_freshness(self, bounds: FreshnessBounds, now: float) -> TrustFreshness:
        return judge_live_views(self.views, bounds, now)

    def describe(self) -> str:
        freshness = self.views.freshness()
        return f"live ledger views at block {freshness.block_number}"

"""Where the verifier reads trust from: the live views of the ledger, or a signed offline snapshot.

Both implement ``TrustSource``; the trust decision (``decision.py``) reads nothing else, so online
and offline verification run the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from projections.api import EffectiveStatus, TrustViews
from projections.trust_freshness import FreshnessBounds, TrustFreshness, judge_live_views


@dataclass(frozen=True)
class EntityRecord:
    """What the trust decision needs of one registry entity, as of the source's time.

    ``keys``: key id -> {key_type, public_key (0x hex), purpose_names, valid_from, valid_until,
    revoked, added_at, revoked_at}; ``accreditations``: credential type -> {roles [{target, names}],
    valid_from, valid_until} (0 = unbounded); times are unix seconds (block times).
    """

    did: str
    parent_did: str | None
    status: str
    keys: dict[str, dict[str, Any]]
    accreditations: dict[str, dict[str, Any]]

    @classmethod
    def from_state(cls, did: str, parent_did: str | None, state: dict[str, Any]) -> EntityRecord:
        return cls(
            did=did,
            parent_did=parent_did,
            status=state.get("status", "active"),
            keys=dict(state.get("keys") or {}),
            accreditations=dict(state.get("accreditations") or {}),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "did": self.did,
            "parent_did": self.parent_did,
            "status": self.status,
            "keys": self.keys,
            "accreditations": self.accreditations,
        }


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
        version = self.views.entity_version(did)
        if version is None:
            return None
        return EntityRecord.from_state(did, version.parent_did, version.state)

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

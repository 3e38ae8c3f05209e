"""Is the trust data fresh enough to say "trusted" (or to issue)? The one rule, for the issuer, the
verifier and the offline snapshot alike (DESIGN.md, trust evaluation: fail closed).

Live views are stale when
- no follower has ever reported on them (nothing says they follow the chain), or
- the follower halted (a reorg below the horizon, a log of ours that does not decode), or
- its last pass that reached the chain is older than ``max_pass_age`` seconds (the chain is
  unreachable, or the process that follows died), or
- after that pass the views were more than ``max_blocks_behind`` blocks behind the chain's
  finality horizon seen then.

A signed offline snapshot has no follower: it is stale once it is older than
``max_snapshot_age`` seconds (its export refused stale views, so its export time is when it
was last known fresh).

Times are wall-clock unix seconds: the business clocks of the issuer and verifier (which tests
shift) do not age the views.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from projections.api import FollowerStatus, Freshness, TrustViews

TRUST_DATA_STALE = "TRUST_DATA_STALE"
"""The reason code of every refusal this rule causes."""


@dataclass(frozen=True)
class FreshnessBounds:
    """How stale trust data may be before the issuer, the verifier and the snapshot refuse."""

    max_blocks_behind: int = 3
    max_pass_age: float = 60.0
    max_snapshot_age: float = 86_400.0


@dataclass(frozen=True)
class TrustFreshness:
    """The verdict on one source of trust data, with what it was judged on."""

    stale: bool
    reason: str  # one line: why stale (or how fresh), naming the block, the age and any halt
    views_block: int | None = None
    horizon_block: int | None = None
    age_seconds: float | None = None
    halted_reason: str | None = None
    halted_block: int | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "stale": self.stale,
            "reason": self.reason,
            "viewsBlock": self.views_block,
            "horizonBlock": self.horizon_block,
            "ageSeconds": None if self.age_seconds is None else round(self.age_seconds, 1),
            "haltedReason": self.halted_reason,
            "haltedBlock": self.halted_block,
        }


def judge_views(
    freshness: Freshness, status: FollowerStatus | None, bounds: FreshnessBounds, now: float
) -> TrustFreshness:
    """The verdict on live views given their freshness and the follower's last report."""
    views_block = freshness.block_number
    if status is None:
        return TrustFreshness(
            True, f"no follower has reported on these views (views at block {views_block})", views_block
        )
    synced = max(b for b in (status.synced_block, views_block, -1) if b is not None)
    age = None if status.checked_at is None else max(0.0, now - status.checked_at)
    facts: dict[str, Any] = {"views_block": synced, "horizon_block": status.horizon_block, "age_seconds": age}
    if status.halted_reason is not None:
        return TrustFreshness(
            True,
            f"the follower halted at block {status.halted_block}: {status.halted_reason}",
            halted_reason=status.halted_reason,
            halted_block=status.halted_block,
            **facts,
        )
    if age is None:
        return TrustFreshness(True, "the follower has not reached the chain yet", **facts)
    if age > bounds.max_pass_age:
        return TrustFreshness(
            True,
            f"the follower last reached the chain {age:.0f}s ago (bound {bounds.max_pass_age:.0f}s); "
            f"the views are at block {synced}",
            **facts,
        )
    behind = (status.horizon_block or 0) - synced
    if behind > bounds.max_blocks_behind:
        return TrustFreshness(
            True,
            f"the views are at block {synced}, {behind} blocks behind the chain's horizon "
            f"{status.horizon_block} (bound {bounds.max_blocks_behind}), {age:.0f}s ago",
            **facts,
        )
    return TrustFreshness(
        False, f"views at block {synced}, horizon {status.horizon_block}, checked {age:.0f}s ago", **facts
    )


def judge_live_views(views: TrustViews, bounds: FreshnessBounds, now: float | None = None) -> TrustFreshness:
    """The verdict on `views` now (reads their freshness and the follower's status)."""
    return judge_views(
        views.freshness(), views.follower_status(), bounds, time.time() if now is None else now
    )


def judge_snapshot(
    block_number: int, exported_at: float, bounds: FreshnessBounds, now: float
) -> TrustFreshness:
    """The verdict on an offline snapshot of block `block_number` exported at `exported_at`."""
    age = now - exported_at
    if age > bounds.max_snapshot_age:
        return TrustFreshness(
            True,
            f"the snapshot of block {block_number} is {age:.0f}s old (bound {bounds.max_snapshot_age:.0f}s)",
            views_block=block_number,
            age_seconds=age,
        )
    return TrustFreshness(
        False, f"snapshot of block {block_number}, {age:.0f}s old", views_block=block_number, age_seconds=age
    )

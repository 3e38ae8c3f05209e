"""Effective status: suspended and revoked ancestors, now and as of a time."""

from __future__ import annotations

from projections.api import EffectiveStatus
from tests.projections.support import UNKNOWN_DID, Projected
from tests.support.chainlogs import Chain

ACTIVE = EffectiveStatus("active", "active", None)


def _effective(p: Projected, at_time: int | None = None) -> dict[str, EffectiveStatus | None]:
    return {name: p.views.effective_status(did, at_time=at_time) for name, did in p.logchain.DIDS.items()}


def test_a_suspended_ancestor_suspends_descendants_until_reactivated(p: Projected, logchain: Chain) -> None:
    p.ingest(logchain.hierarchy())
    before = logchain.block_time
    logchain.mine()
    p.ingest([logchain.status_changed("registera2", 1, 2, "domaina")])
    suspended_at = logchain.block_time

    registera2 = logchain.DIDS["registera2"]
    assert _effective(p) == {
        "root": ACTIVE,
        "domaina": ACTIVE,
        "registera2": EffectiveStatus("suspended", "suspended", None),
        "subregistera2_1": EffectiveStatus("suspended", "active", registera2),
        "issuera1": EffectiveStatus("suspended", "active", registera2),
    }
    entries = {e.name: e for e in p.views.trust_list().items}
    assert entries["domaina.registera2.subregistera2_1.issuera1"].effective.because_of == registera2

    logchain.mine()
    p.ingest([logchain.status_changed("registera2", 2, 1, "domaina")])
    reactivated_at = logchain.block_time

    assert set(_effective(p).values()) == {ACTIVE}
    assert set(_effective(p, at_time=before).values()) == {ACTIVE}
    assert _effective(p, at_time=suspended_at)["issuera1"] == EffectiveStatus(
        "suspended", "active", registera2
    )
    assert _effective(p, at_time=reactivated_at - 1)["subregistera2_1"] == EffectiveStatus(
        "suspended", "active", registera2
    )
    assert set(_effective(p, at_time=reactivated_at).values()) == {ACTIVE}


def test_a_revoked_entity_revokes_its_subtree_and_beats_a_nearer_suspension(
    p: Projected, logchain: Chain
) -> None:
    p.ingest(logchain.hierarchy())
    logchain.mine()
    p.ingest([logchain.status_changed("subregistera2_1", 1, 2, "registera2")])
    suspended_at = logchain.block_time
    logchain.mine()
    p.ingest([logchain.status_changed("registera2", 1, 3, "domaina")])
    revoked_at = logchain.block_time

    registera2, sub = logchain.DIDS["registera2"], logchain.DIDS["subregistera2_1"]
    assert _effective(p) == {
        "root": ACTIVE,
        "domaina": ACTIVE,
        "registera2": EffectiveStatus("revoked", "revoked", None),
        "subregistera2_1": EffectiveStatus("revoked", "suspended", registera2),
        "issuera1": EffectiveStatus("revoked", "active", registera2),
    }
    assert _effective(p, at_time=revoked_at - 1) == {
        "root": ACTIVE,
        "domaina": ACTIVE,
        "registera2": ACTIVE,
        "subregistera2_1": EffectiveStatus("suspended", "suspended", None),
        "issuera1": EffectiveStatus("suspended", "active", sub),
    }
    assert _effective(p, at_time=suspended_at - 1)["issuera1"] == ACTIVE
    assert p.views.entity_version(registera2).state.status == "revoked"  # type: ignore[union-attr]


def test_a_child_registered_under_a_suspended_ancestor_starts_suspended(
    p: Projected, logchain: Chain
) -> None:
    logs = logchain.hierarchy()[:-2]  # without issuera1
    logchain.mine()
    suspend = logchain.status_changed("registera2", 1, 2, "domaina")
    register = logchain.registered("issuera1", "subregistera2_1", "issuera1", "subregistera2_1")
    p.ingest([*logs, suspend, register])  # one batch: one transaction

    assert p.views.effective_status(logchain.DIDS["issuera1"]) == EffectiveStatus(
        "suspended", "active", logchain.DIDS["registera2"]
    )


def test_effective_status_of_unknown_or_not_yet_registered_entities(p: Projected, logchain: Chain) -> None:
    p.ingest(logchain.hierarchy())

    assert p.views.effective_status(UNKNOWN_DID) is None
    assert p.views.effective_status(UNKNOWN_DID, at_time=logchain.block_time) is None
    assert p.views.effective_status(logchain.DIDS["issuera1"], at_time=logchain.block_time - 1) is None
    assert p.views.effective_status(logchain.DIDS["issuera1"], at_time=logchain.block_time) == ACTIVE

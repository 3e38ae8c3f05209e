"""The trust list: filters, paging, and the list as of a time."""

from __future__ import annotations

import pytest

from projections import SqlTrustViews
from projections.api import EffectiveStatus
from tests.projections.support import NOW, UNKNOWN_DID, Projected, history
from tests.support.chainlogs import Chain

ROOT, A, R, S, ISS = (
    "",
    "domaina",
    "domaina.registera2",
    "domaina.registera2.subregistera2_1",
    "domaina.registera2.subregistera2_1.issuera1",
)


def _names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [entry.name for entry in page.items]


def _ingest_history(p: Projected) -> list[int]:
    """Ingest the standard history; return the block time after each batch."""
    times = []
    for batch in history(p.logchain):
        p.ingest(batch)
        times.append(batch[-1].block_time)
    return times


def test_current_trust_list_with_each_filter(p: Projected, logchain: Chain) -> None:
    _ingest_history(p)
    views = p.views

    everything = views.trust_list()
    assert _names(everything) == [ROOT, A, R, S, ISS]
    assert (everything.total, everything.page, everything.size) == (5, 1, 100)
    issuer = everything.items[4]
    assert issuer.did == logchain.DIDS["issuera1"]
    assert issuer.node == logchain.NODES["issuera1"]
    assert issuer.parent_did == logchain.DIDS["subregistera2_1"]
    assert issuer.ancestry == [logchain.DIDS[n] for n in ("root", "domaina", "registera2", "subregistera2_1")]
    assert issuer.status == "active"
    assert issuer.effective == EffectiveStatus("revoked", "active", logchain.DIDS["registera2"])
    assert issuer.accreditations == {}
    assert issuer.controller == logchain.ACCOUNTS["issuera1_new"]
    current = views.entity_version(logchain.DIDS["issuera1"])
    assert current is not None
    assert (issuer.version, issuer.updated_at) == (current.version, current.state.updated_at)
    assert set(everything.items[2].accreditations) == {"CustomerCredential", "EmployeeCredential"}

    assert _names(views.trust_list(credential_type="CustomerCredential")) == [A, R, S]
    assert _names(views.trust_list(credential_type="EmployeeCredential")) == [R]
    assert _names(views.trust_list(credential_type="NoSuchCredential")) == []
    assert _names(views.trust_list(status="active")) == [ROOT, A]
    assert _names(views.trust_list(status="revoked")) == [R, S, ISS]
    assert views.trust_list(status="suspended").total == 0
    assert _names(views.trust_list(subtree=logchain.DIDS["registera2"])) == [R, S, ISS]
    assert _names(views.trust_list(subtree=logchain.DIDS["issuera1"])) == [ISS]
    assert _names(views.trust_list(subtree=logchain.DIDS["root"])) == [ROOT, A, R, S, ISS]
    assert views.trust_list(subtree=UNKNOWN_DID).total == 0
    combined = views.trust_list(
        subtree=logchain.DIDS["domaina"], status="revoked", credential_type="CustomerCredential"
    )
    assert _names(combined) == [R, S]


def test_trust_list_pages(p: Projected) -> None:
    _ingest_history(p)

    pages = [p.views.trust_list(page=n, size=2) for n in (1, 2, 3, 4)]

    assert [_names(page) for page in pages] == [[ROOT, A], [R, S], [ISS], []]
    assert {page.total for page in pages} == {5}
    assert [(page.page, page.size) for page in pages] == [(1, 2), (2, 2), (3, 2), (4, 2)]
    revoked = p.views.trust_list(status="revoked", page=2, size=2)
    assert (_names(revoked), revoked.total) == ([ISS], 3)
    with pytest.raises(ValueError):
        p.views.trust_list(page=0)
    with pytest.raises(ValueError):
        p.views.trust_list(size=0)
    with pytest.raises(ValueError):
        p.views.trust_list(status="dormant")


def test_trust_list_as_of_a_time(p: Projected, logchain: Chain) -> None:
    times = _ingest_history(p)
    hierarchy_done, _, _, suspended, _, reactivated, withdrawn, _, _, revoked = times
    views = p.views

    assert views.trust_list(at_time=times[0] - 100).total == 0
    root = views.first_version(logchain.DIDS["root"])
    assert root is not None
    assert _names(views.trust_list(at_time=root.valid_from)) == [ROOT]
    assert _names(views.trust_list(at_time=hierarchy_done)) == [ROOT, A, R, S, ISS]

    at_suspension = views.trust_list(at_time=suspended)
    assert [e.effective.status for e in at_suspension.items] == [
        "active",
        "active",
        "active",
        "suspended",
        "suspended",
    ]
    assert _names(views.trust_list(at_time=suspended, status="suspended")) == [S, ISS]
    assert _names(views.trust_list(at_time=suspended, status="active")) == [ROOT, A, R]
    assert _names(views.trust_list(at_time=reactivated, status="suspended")) == []
    assert _names(views.trust_list(at_time=revoked - 1, status="revoked")) == []
    assert _names(views.trust_list(at_time=revoked, status="revoked")) == [R, S, ISS]

    assert _names(views.trust_list(at_time=withdrawn - 1, credential_type="CustomerCredential")) == [
        A,
        R,
        S,
        ISS,
    ]
    assert _names(views.trust_list(at_time=withdrawn, credential_type="CustomerCredential")) == [A, R, S]
    assert _names(views.trust_list(at_time=withdrawn - 1, credential_type="EmployeeCredential")) == []
    assert _names(views.trust_list(at_time=withdrawn, subtree=logchain.DIDS["subregistera2_1"])) == [S, ISS]
    old_issuer = views.trust_list(at_time=withdrawn - 1, subtree=logchain.DIDS["issuera1"]).items[0]
    assert old_issuer.controller == logchain.ACCOUNTS["issuera1"]
    assert old_issuer.accreditations.keys() == {"CustomerCredential"}
    paged = views.trust_list(at_time=suspended, page=2, size=3)
    assert (_names(paged), paged.total) == ([S, ISS], 5)


def test_the_list_as_of_the_last_block_equals_the_current_list(p: Projected, logchain: Chain) -> None:
    times = _ingest_history(p)

    for filters in (
        {},
        {"status": "active"},
        {"status": "revoked"},
        {"credential_type": "CustomerCredential"},
        {"subtree": logchain.DIDS["registera2"], "size": 2, "page": 2},
    ):
        assert p.views.trust_list(at_time=times[-1], **filters) == p.views.trust_list(**filters)  # type: ignore[arg-type]


def test_accreditation_validity_window_against_the_query_time(p: Projected, logchain: Chain) -> None:
    p.ingest(logchain.hierarchy())
    logchain.mine()
    starts, ends = NOW + 1_000, NOW + 2_000
    p.ingest(
        [
            logchain.log(
                "EntityAccredited",
                logchain.TRUST_REGISTRY,
                node=logchain.NODES["domaina"],
                credentialTypeHash="0x" + "11" * 32,
                credentialType="TimeBound",
                roles=[],
                validFrom=starts,
                validUntil=ends,
                by=logchain.ACCOUNTS["deployer"],
            )
        ]
    )

    def listed(now: int) -> list[str]:
        return _names(
            SqlTrustViews(p.views.recorder, clock=lambda: now).trust_list(credential_type="TimeBound")
        )

    assert listed(NOW) == []
    assert listed(starts) == [A]
    assert listed(ends - 1) == [A]
    assert listed(ends) == []
    assert _names(p.views.trust_list(credential_type="TimeBound", at_time=starts)) == [A]
    assert _names(p.views.trust_list(credential_type="TimeBound", at_time=ends)) == []
    customer = "CustomerCredential"  # valid until 1_893_456_000
    assert _names(p.views.trust_list(credential_type=customer, at_time=1_893_455_999)) == [A, R, S, ISS]
    assert _names(p.views.trust_list(credential_type=customer, at_time=1_893_456_000)) == []

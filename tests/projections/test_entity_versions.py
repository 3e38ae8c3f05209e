"""Entity versions: every version's whole state, its validity interval, historical lookups."""

from __future__ import annotations

import pytest

from projections.api import Provenance
from projections.records import EntityState
from tests.projections.support import UNKNOWN_DID, Projected, history
from tests.support.chainlogs import Chain
from trust_ledger.domain import entity_id


def _rotate_keys(p: Projected) -> tuple[int, int, int]:
    """Hierarchy, then issuera1 adds key-1, then key-2, then revokes key-1, one block each."""
    logchain = p.logchain
    p.ingest(logchain.hierarchy())
    times = []
    for make in (
        lambda: logchain.key_added("issuera1", "key-1", "JsonWebKey2020", logchain.JWK_HEX, 3, "issuera1"),
        lambda: logchain.key_added("issuera1", "key-2", "Multikey", logchain.JWK_HEX, 2, "issuera1"),
        lambda: logchain.key_revoked("issuera1", "key-1", "issuera1"),
    ):
        logchain.mine()
        p.ingest([make()])
        times.append(logchain.block_time)
    return times[0], times[1], times[2]


def test_key_rotation_makes_versions_with_validity_intervals(p: Projected) -> None:
    added_1, added_2, revoked_1 = _rotate_keys(p)
    did = p.logchain.DIDS["issuera1"]

    versions = p.views.versions(did)

    assert [(v.version, v.event) for v in versions] == [
        (1, "Registered"),
        (2, "Accredited"),
        (3, "KeyAdded"),
        (4, "KeyAdded"),
        (5, "KeyRevoked"),
    ]
    registered_at = versions[0].valid_from
    assert [(v.valid_from, v.valid_until, v.next_version) for v in versions] == [
        (registered_at, registered_at, 2),  # registered and accredited in the same block
        (registered_at, added_1, 3),
        (added_1, added_2, 4),
        (added_2, revoked_1, 5),
        (revoked_1, None, None),
    ]
    assert all(v.parent_did == p.logchain.DIDS["subregistera2_1"] for v in versions)
    assert versions[4].by == p.logchain.ACCOUNTS["issuera1"]
    assert versions[4].provenance == Provenance(
        chain_id=31337,
        contract=p.logchain.TRUST_REGISTRY,
        block_number=p.logchain.block_number,
        block_hash=p.logchain.block_hash(),
        block_time=revoked_1,
        tx_hash=versions[4].provenance.tx_hash,
        log_index=0,
    )


def test_entity_version_at_time_before_and_after_the_rotation(p: Projected) -> None:
    added_1, added_2, revoked_1 = _rotate_keys(p)
    did = p.logchain.DIDS["issuera1"]
    registered_at = p.views.first_version(did).valid_from  # type: ignore[union-attr]

    def keys_at(t: int) -> dict[str, bool] | None:
        version = p.views.entity_version(did, at_time=t)
        return None if version is None else {k: v.revoked for k, v in version.state.keys.items()}

    assert p.views.entity_version(did, at_time=registered_at - 1) is None
    assert p.views.entity_version(did, at_time=registered_at).version == 2  # type: ignore[union-attr]
    assert keys_at(added_1 - 1) == {}
    assert keys_at(added_1) == {"key-1": False}
    assert keys_at(added_2 - 1) == {"key-1": False}
    assert keys_at(added_2) == {"key-1": False, "key-2": False}
    assert keys_at(revoked_1 - 1) == {"key-1": False, "key-2": False}
    assert keys_at(revoked_1) == {"key-1": True, "key-2": False}
    assert keys_at(revoked_1 + 10_000) == {"key-1": True, "key-2": False}
    assert p.views.entity_version(did, at_time=added_2).version == 4  # type: ignore[union-attr]


def test_every_version_holds_the_aggregate_state_at_that_version(p: Projected) -> None:
    for batch in history(p.logchain):
        p.ingest(batch)

    for name, node in p.logchain.NODES.items():
        did = p.logchain.DIDS[name]
        versions = p.views.versions(did)
        aggregate_id = entity_id(31337, p.logchain.TRUST_REGISTRY, node)
        assert versions, name
        for version in versions:
            expected = p.ledger.repository.get(aggregate_id, version=version.version).as_dict()
            assert version.state == EntityState.from_state(expected)
            assert version.state.as_state() == expected  # the typed record holds every field, nothing else
            assert p.views.entity_version(did, version=version.version) == version
        assert p.views.entity_version(did) == versions[-1]
        assert versions[-1].state.as_state() == p.ledger.entity_by_did(did)
        assert p.views.first_version(did) == versions[0]
        assert [v.event for v in versions] == [h["event"] for h in p.ledger.history(did)]


def test_did_of_node_and_unknown_entities(p: Projected, logchain: Chain) -> None:
    p.ingest(logchain.hierarchy())

    for name, node in logchain.NODES.items():
        assert p.views.did_of_node(node) == logchain.DIDS[name]
        assert p.views.did_of_node(node.upper().replace("0X", "0x")) == logchain.DIDS[name]
    assert p.views.did_of_node("0x" + "ab" * 32) is None
    assert p.views.entity_version(UNKNOWN_DID) is None
    assert p.views.entity_version(UNKNOWN_DID, version=1) is None
    assert p.views.entity_version(UNKNOWN_DID, at_time=2_000_000_000) is None
    assert p.views.first_version(UNKNOWN_DID) is None
    assert p.views.versions(UNKNOWN_DID) == []
    assert p.views.entity_version(logchain.DIDS["root"], version=99) is None
    root = p.views.entity_version(logchain.DIDS["root"])
    assert root is not None and root.parent_did is None and root.state.name == ""


def test_entity_version_refuses_a_version_and_a_time_together(p: Projected, logchain: Chain) -> None:
    p.ingest(logchain.hierarchy())

    with pytest.raises(ValueError, match="not both"):
        p.views.entity_version(logchain.DIDS["root"], version=1, at_time=logchain.block_time)

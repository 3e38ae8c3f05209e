"""Status lists: the exact bitstring as of each time, and the lists of an owner."""

from __future__ import annotations

from tests.projections.support import UNKNOWN_DID, Projected
from tests.support.chainlogs import Chain


def _bit(bitstring: bytes, index: int) -> bool:
    """W3C Bitstring Status List layout: index 0 is the most significant bit of byte 0."""
    return bool(bitstring[index // 8] >> (7 - index % 8) & 1)


def test_bitstring_per_time(p: Projected, logchain: Chain) -> None:
    p.ingest(logchain.hierarchy())
    logchain.mine()
    p.ingest([logchain.list_created(1, "issuera1", "issuera1")])
    created = logchain.block_time
    logchain.mine()
    p.ingest([logchain.words_changed(1, {0: 1 << 255, 2: 1}, "issuera1")])
    first = logchain.block_time
    logchain.mine()
    p.ingest(
        [
            logchain.words_changed(1, {0: 0, 511: (1 << 255) | 1}, "issuera1"),
            logchain.words_changed(1, {3: 0xFF}, "issuera1"),  # same block: the later one counts
        ]
    )
    second = logchain.block_time

    assert p.views.status_list(1, at_time=created - 1) is None
    empty = p.views.status_list(1, at_time=created)
    assert empty is not None and empty.bitstring == bytes(16_384)
    at_first = p.views.status_list(1, at_time=second - 1)
    assert at_first is not None and at_first.block_time == first
    assert _bit(at_first.bitstring, 0) and _bit(at_first.bitstring, 2 * 256 + 255)
    assert sum(bin(b).count("1") for b in at_first.bitstring) == 2
    assert at_first.bitstring[0] == 0x80 and at_first.bitstring[95] == 0x01

    now = p.views.status_list(1)
    assert now is not None and now == p.views.status_list(1, at_time=second)
    assert now.bitstring == p.ledger.status_bitstring(1)
    assert len(now.bitstring) == now.size // 8 == 16_384
    assert not _bit(now.bitstring, 0)
    assert _bit(now.bitstring, 131_071) and _bit(now.bitstring, 511 * 256)
    assert [i for i in range(3 * 256, 4 * 256) if _bit(now.bitstring, i)] == list(range(4 * 256 - 8, 4 * 256))
    assert (now.list_id, now.owner_did, now.purpose, now.size) == (
        1,
        logchain.DIDS["issuera1"],
        "revocation",
        131_072,
    )
    assert now.uri == "https://issuer.happypets.example/status/1"
    assert (now.block_number, now.block_time) == (logchain.block_number, second)
    assert now.tx_hash.startswith("0x")


def ingest_three_lists(p: Projected, logchain: Chain) -> None:
    """Lists 1 (revocation) and 2 (suspension, word 1 = 7) of issuera1, list 3 of domaina."""
    p.ingest(logchain.hierarchy())
    logchain.mine()
    p.ingest(
        [
            logchain.list_created(2, "issuera1", "issuera1", purpose=1, size=1024),
            logchain.list_created(1, "issuera1", "issuera1"),
            logchain.list_created(3, "domaina", "domaina"),
            logchain.words_changed(2, {1: 7}, "issuera1"),
        ]
    )


def test_status_lists_of_an_owner(p: Projected, logchain: Chain) -> None:
    ingest_three_lists(p, logchain)

    lists = p.views.status_lists_of(logchain.DIDS["issuera1"])

    assert [(s.list_id, s.purpose, s.size) for s in lists] == [
        (1, "revocation", 131_072),
        (2, "suspension", 1024),
    ]
    assert lists[1].bitstring == p.ledger.status_bitstring(2)
    assert lists[1].bitstring[32:64] == (7).to_bytes(32, "big")
    assert [s.list_id for s in p.views.status_lists_of(logchain.DIDS["domaina"])] == [3]
    assert p.views.status_lists_of(UNKNOWN_DID) == []
    assert p.views.status_list(99) is None


def test_status_list_at_an_owners_uri(p: Projected, logchain: Chain) -> None:
    ingest_three_lists(p, logchain)
    owner = logchain.DIDS["issuera1"]
    uri = "https://issuer.happypets.example/status/{}".format

    for listed in p.views.status_lists_of(owner):
        assert p.views.status_list_at(owner, listed.uri) == listed
    changed = p.views.status_list_at(owner, uri(2))
    assert changed is not None and changed.bitstring[32:64] == (7).to_bytes(32, "big")
    logchain.mine()
    p.ingest([logchain.words_changed(2, {1: 8}, "issuera1")])
    current = p.views.status_list_at(owner, uri(2))
    assert current is not None and current.bitstring[32:64] == (8).to_bytes(32, "big")
    assert current == p.views.status_list(2)
    assert p.views.status_list_at(owner, uri(3)) is None  # domaina's list, not issuera1's
    assert p.views.status_list_at(logchain.DIDS["domaina"], uri(3)) == p.views.status_list(3)
    assert p.views.status_list_at(owner, uri(9)) is None
    assert p.views.status_list_at(UNKNOWN_DID, uri(1)) is None

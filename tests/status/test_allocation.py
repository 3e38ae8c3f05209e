"""Index allocation: random, free, never reused; roll-over, profiles, restarts, crashes, threads."""

from __future__ import annotations

import random
import secrets
import threading
from collections import Counter
from pathlib import Path

import pytest

from api.status.allocation import (
    CreatedList,
    ListRequest,
    Profile,
    StatusIndexAllocator,
)
from api.status.entries import bitstring_status_entries, ietf_status_claim, status_list_2021_entries
from api.status.store import AllocationStore

ISSUER = "did:example:issuer"
TYPE = "EmployeeCredential"


class RecordingCreator:
    """A ListCreator that numbers lists itself and remembers every request."""

    def __init__(self, first_id: int = 1, fail_on: int | None = None):
        self.requests: list[ListRequest] = []
        self.next_id = first_id
        self.fail_on = fail_on  # the n-th call (1-based) raises

    def create_list(self, request: ListRequest) -> CreatedList:
        self.requests.append(request)
        if self.fail_on == len(self.requests):
            raise ConnectionError("chain unavailable")
        list_id, self.next_id = self.next_id, self.next_id + 1
        return CreatedList(list_id, f"https://issuer.example/status/{request.purpose[0]}{request.sequence}")


def _allocator(
    path: Path,
    creator: RecordingCreator,
    *,
    profile: Profile = Profile.FINAL,
    size: int = 256,
    seed: str | None = "seed",
) -> StatusIndexAllocator:
    randbelow = random.Random(seed).randrange if seed is not None else secrets.randbelow
    return StatusIndexAllocator(
        AllocationStore(path), creator, profile=profile, list_size=size, randbelow=randbelow
    )


def test_production_path_draws_indices_with_secrets(tmp_path: Path) -> None:
    allocator = StatusIndexAllocator(AllocationStore(tmp_path / "a.db"), RecordingCreator())
    assert allocator.randbelow is secrets.randbelow
    assert allocator.list_size == 131_072
    assert allocator.profile is Profile.FINAL
    first = allocator.allocate(ISSUER, TYPE)
    assert 0 <= first.revocation.index < 131_072 and 0 <= first.suspension.index < 131_072


def test_thousand_allocations_fill_four_lists_per_purpose_without_any_repeat(tmp_path: Path) -> None:
    creator = RecordingCreator()
    allocator = _allocator(tmp_path / "a.db", creator)

    allocations = [allocator.allocate(ISSUER, TYPE) for _ in range(1_000)]

    for purpose in ("revocation", "suspension"):
        entries = [a[purpose] for a in allocations]
        pairs = {(e.list_id, e.index) for e in entries}
        assert len(pairs) == 1_000, f"a {purpose} (list, index) pair was handed out twice"
        per_list = Counter(e.list_id for e in entries)
        assert sorted(per_list.values()) == [232, 256, 256, 256]
        lists = allocator.lists(ISSUER, TYPE, purpose)
        assert [lst.sequence for lst in lists] == [1, 2, 3, 4]
        assert [lst.state for lst in lists] == ["full", "full", "full", "open"]
        assert all(
            e.purpose == purpose and e.uri.endswith(f"/{purpose[0]}{1 + (e.list_id - 1) // 2}")
            for e in entries
        )
    # Lists were created on demand, one purpose at a time, each with the configured size.
    assert len(creator.requests) == 8
    assert {r.size for r in creator.requests} == {256}
    # Final profile: revocation and suspension indices are independent.
    same = sum(a.revocation.index == a.suspension.index for a in allocations)
    assert same < 20


def test_indices_are_drawn_uniformly_not_in_sequence(tmp_path: Path) -> None:
    allocator = _allocator(tmp_path / "a.db", RecordingCreator(), size=2_048, seed="uniform")
    indices = [allocator.allocate(ISSUER, TYPE).revocation.index for _ in range(1_024)]

    assert indices != sorted(indices)
    assert len(set(indices)) == 1_024
    # Half-full list: each eighth of the index range should hold about 128 of them.
    buckets = Counter(index // 256 for index in indices)
    assert all(88 <= buckets[b] <= 168 for b in range(8)), buckets
    # The first allocations already spread over the whole list (no sequential prefix).
    assert max(indices[:16]) - min(indices[:16]) > 1_024


def test_the_last_free_indices_are_found_exactly(tmp_path: Path) -> None:
    allocator = _allocator(tmp_path / "a.db", RecordingCreator())
    first_list = [allocator.allocate(ISSUER, TYPE).revocation for _ in range(256)]
    assert {e.list_id for e in first_list} == {first_list[0].list_id}
    assert sorted(e.index for e in first_list) == list(range(256))
    assert allocator.allocate(ISSUER, TYPE).revocation.list_id != first_list[0].list_id


def test_twdiw_profile_shares_one_index_and_rolls_both_lists_over_together(tmp_path: Path) -> None:
    creator = RecordingCreator()
    allocator = _allocator(tmp_path / "a.db", creator, profile=Profile.TWDIW)

    allocations = [allocator.allocate(ISSUER, TYPE) for _ in range(600)]

    for a in allocations:
        assert a.revocation.index == a.suspension.index
        assert a.revocation.list_id != a.suspension.list_id
        assert a.revocation.uri != a.suspension.uri
    assert len({(a.revocation.list_id, a.revocation.index) for a in allocations}) == 600
    assert len({(a.suspension.list_id, a.suspension.index) for a in allocations}) == 600
    assert [(r.purpose, r.sequence) for r in creator.requests] == [
        ("revocation", 1),
        ("suspension", 1),
        ("revocation", 2),
        ("suspension", 2),
        ("revocation", 3),
        ("suspension", 3),
    ]
    assert sorted(Counter(a.revocation.list_id for a in allocations).values()) == [88, 256, 256]


def test_keys_are_separate_per_issuer_and_credential_type(tmp_path: Path) -> None:
    creator = RecordingCreator()
    allocator = _allocator(tmp_path / "a.db", creator)
    a = allocator.allocate(ISSUER, TYPE)
    b = allocator.allocate(ISSUER, "StudentCredential")
    c = allocator.allocate("did:example:other", TYPE)
    assert len({a.revocation.list_id, b.revocation.list_id, c.revocation.list_id}) == 3
    assert {(r.issuer_did, r.credential_type, r.sequence) for r in creator.requests} == {
        (ISSUER, TYPE, 1),
        (ISSUER, "StudentCredential", 1),
        ("did:example:other", TYPE, 1),
    }


def test_allocations_survive_a_restart_and_are_never_handed_out_again(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    creator = RecordingCreator()
    before = _allocator(path, creator, seed="first-run")
    first = [before.allocate(ISSUER, TYPE, credential_id=f"cred-{i}") for i in range(300)]
    before.store.close()

    # A new process: same file, a new RNG that would happily draw the same indices again.
    after = _allocator(path, creator, seed="first-run")
    second = [after.allocate(ISSUER, TYPE) for _ in range(300)]

    for purpose in ("revocation", "suspension"):
        pairs = [(a[purpose].list_id, a[purpose].index) for a in first + second]
        assert len(set(pairs)) == 600
    # The partly filled list from before the restart is still the current one: no extra list.
    assert [r.sequence for r in creator.requests if r.purpose == "revocation"] == [1, 2, 3]
    # What a credential got is still known, and asking again returns it unchanged.
    assert after.allocations_of("cred-7") == first[7]
    assert after.allocate(ISSUER, TYPE, credential_id="cred-7") == first[7]
    with pytest.raises(ValueError, match="already has other status allocations"):
        after.allocate(ISSUER, "StudentCredential", credential_id="cred-7")


def test_concurrent_allocations_in_threads_and_in_two_stores_never_collide(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    creator = RecordingCreator()
    one = _allocator(path, creator, seed="one")
    two = _allocator(path, creator, seed="one")  # a second connection: another process would look alike
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    guard = threading.Lock()

    def work(allocator: StatusIndexAllocator) -> None:
        try:
            for _ in range(60):
                got = allocator.allocate(ISSUER, TYPE).revocation
                with guard:
                    results.append((got.list_id, got.index))
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(one if i % 2 else two,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(results) == 480
    assert len(set(results)) == 480, "an index was handed out twice"


def test_a_failed_list_creation_allocates_nothing_and_never_reuses_its_url(tmp_path: Path) -> None:
    creator = RecordingCreator(fail_on=2)  # the first suspension list
    allocator = _allocator(tmp_path / "a.db", creator)

    with pytest.raises(ConnectionError):
        allocator.allocate(ISSUER, TYPE, credential_id="cred-1")
    assert allocator.allocations_of("cred-1") is None
    assert [(lst.purpose, lst.sequence, lst.state) for lst in allocator.lists(ISSUER, TYPE)] == [
        ("revocation", 1, "open"),
        ("suspension", 1, "failed"),
    ]

    got = allocator.allocate(ISSUER, TYPE, credential_id="cred-1")
    assert got.suspension.uri.endswith("/s2"), "the failed attempt's sequence (and URL) is burnt"
    assert got.revocation.uri.endswith("/r1")


def test_a_crash_half_way_through_a_credential_leaves_no_allocation(tmp_path: Path) -> None:
    allocator = _allocator(tmp_path / "a.db", RecordingCreator())
    allocator.allocate(ISSUER, TYPE)  # lists exist
    store = allocator.store
    real_add = store.add
    calls = 0

    def add_then_crash(row_id: int, index: int, credential_id: str | None) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt("power cut between the revocation and suspension rows")
        real_add(row_id, index, credential_id)

    store.add = add_then_crash  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        allocator.allocate(ISSUER, TYPE, credential_id="cred-x")
    store.add = real_add  # type: ignore[method-assign]

    assert allocator.allocations_of("cred-x") is None
    assert [store.count(lst.row_id) for lst in allocator.lists(ISSUER, TYPE)] == [1, 1]


def test_credential_status_entries_point_at_the_allocations(tmp_path: Path) -> None:
    got = _allocator(tmp_path / "a.db", RecordingCreator()).allocate(ISSUER, TYPE)
    w3c = bitstring_status_entries(got)
    assert [e["statusPurpose"] for e in w3c] == ["revocation", "suspension"]
    assert w3c[0] == {
        "id": f"{got.revocation.uri}#{got.revocation.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(got.revocation.index),
        "statusListCredential": got.revocation.uri,
    }
    assert [e["type"] for e in status_list_2021_entries(got)] == ["StatusList2021Entry"] * 2
    assert ietf_status_claim(got.revocation) == {
        "status_list": {"idx": got.revocation.index, "uri": got.revocation.uri}
    }
    assert got.revocation.as_dict() == {
        "list_id": got.revocation.list_id,
        "index": got.revocation.index,
        "uri": got.revocation.uri,
        "purpose": "revocation",
    }


@pytest.mark.parametrize("size", [0, 100, 255, 16_777_472])
def test_list_sizes_the_status_registry_refuses_are_refused_here(tmp_path: Path, size: int) -> None:
    with pytest.raises(ValueError, match="multiple of 256"):
        StatusIndexAllocator(AllocationStore(tmp_path / "a.db"), RecordingCreator(), list_size=size)

"""Status-index allocation by replicas over one PostgreSQL (issue 19 item 1): allocators on pools of
their own (as two `serve issuer` processes are) never hand out an index twice, create one list per
purpose and sequence when they all find the current one full, and the database refuses a second
allocation of an index even to a writer that skips the allocator."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from eventsourcing.persistence import IntegrityError

from api.status.allocation import CreatedList, ListRequest, StatusIndexAllocator
from api.status.store import AllocationStore
from tests.support.stores import postgres_schema
from trust_ledger.state_db import PostgresState

ISSUER = "did:example:issuer"
TYPE = "EmployeeCredential"


class CountingChain:
    """A ListCreator that numbers the lists it is asked for (shared by every allocator)."""

    def __init__(self) -> None:
        self.requests: list[ListRequest] = []
        self._guard = threading.Lock()

    def create_list(self, request: ListRequest) -> CreatedList:
        with self._guard:
            self.requests.append(request)
            list_id = len(self.requests)
        return CreatedList(list_id, f"https://issuer.example/status/{request.purpose[0]}{request.sequence}")


@pytest.fixture
def on_postgres(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    with postgres_schema("alloc") as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield env


def test_allocators_on_separate_pools_never_share_an_index(on_postgres: dict[str, str]) -> None:
    chain = CountingChain()
    databases = [PostgresState() for _ in range(6)]
    allocators = [StatusIndexAllocator(AllocationStore(db), chain, list_size=256) for db in databases]
    handed_out: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    guard = threading.Lock()
    start = threading.Barrier(len(allocators))

    def work(allocator: StatusIndexAllocator, worker: int) -> None:
        try:
            start.wait()
            for n in range(50):  # 300 credentials: the first lists (256 entries) fill up under the race
                got = allocator.allocate(ISSUER, TYPE, credential_id=f"cred-{worker}-{n}")
                with guard:
                    handed_out.extend((entry.list_id, entry.index) for entry in got.entries)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(a, i)) for i, a in enumerate(allocators)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    try:
        assert errors == []
        assert len(handed_out) == 600 and len(set(handed_out)) == 600, "an index was handed out twice"
        assert sorted((r.purpose, r.sequence) for r in chain.requests) == [
            ("revocation", 1),
            ("revocation", 2),
            ("suspension", 1),
            ("suspension", 2),
        ]
        store = allocators[0].store
        for purpose in ("revocation", "suspension"):
            assert [(lst.sequence, lst.state) for lst in store.lists(ISSUER, TYPE, purpose)] == [
                (1, "full"),
                (2, "open"),
            ]
        # the constraint itself: an index handed out is refused to a writer that skips the allocator
        (first, *_) = store.lists(ISSUER, TYPE, "revocation")
        taken = min(store.allocated(first.row_id))
        with pytest.raises(IntegrityError), store.transaction():
            store.add(first.row_id, taken, "intruder")
    finally:
        for db in databases:
            db.close()

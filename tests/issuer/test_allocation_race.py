"""Racing status-index allocations (issue 13 item 3): correctness comes from the store (immediate
transactions, the (list, index) key, the 'pending' list reservation), not from a lock in one
process: allocators on separate connections, as separate processes would be, never hand out an
index twice and create one list per purpose even when they all find the current list full."""

from __future__ import annotations

import threading
from pathlib import Path

from api.status.allocation import CreatedList, ListRequest, StatusIndexAllocator
from api.status.store import AllocationStore, ListRecord

ISSUER = "did:example:issuer"
TYPE = "EmployeeCredential"


class WatchedStore(AllocationStore):
    """The allocation store, telling when an allocator found a list of a purpose being created."""

    def __init__(self, path: Path, seen_pending: dict[str, threading.Event]):
        super().__init__(path)
        self.seen_pending = seen_pending

    def pending_lists(self, issuer_did: str, credential_type: str, purpose: str) -> list[ListRecord]:
        pending = super().pending_lists(issuer_did, credential_type, purpose)
        if pending:
            self.seen_pending[purpose].set()
        return pending


class SlowChain:
    """A ListCreator whose transaction is mined only once another allocator has run into the list
    it is creating (so the race the store must settle really happens); counts what it was asked."""

    def __init__(self, seen_pending: dict[str, threading.Event]) -> None:
        self.requests: list[ListRequest] = []
        self.seen_pending = seen_pending
        self._guard = threading.Lock()

    def create_list(self, request: ListRequest) -> CreatedList:
        with self._guard:
            self.requests.append(request)
            list_id = len(self.requests)
        assert self.seen_pending[request.purpose].wait(30), "no racing allocator met the pending list"
        return CreatedList(list_id, f"https://issuer.example/status/{request.purpose[0]}{request.sequence}")


def test_allocators_on_separate_connections_share_one_new_list_and_never_collide(tmp_path: Path) -> None:
    path = tmp_path / "status.sqlite"
    seen_pending = {"revocation": threading.Event(), "suspension": threading.Event()}
    chain = SlowChain(seen_pending)
    allocators = [
        StatusIndexAllocator(WatchedStore(path, seen_pending), chain, list_size=256) for _ in range(6)
    ]
    handed_out: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    guard = threading.Lock()
    start = threading.Barrier(len(allocators))

    def work(allocator: StatusIndexAllocator, worker: int) -> None:
        try:
            start.wait()
            for n in range(20):
                got = allocator.allocate(ISSUER, TYPE, credential_id=f"cred-{worker}-{n}")
                with guard:
                    handed_out.extend((entry.list_id, entry.index) for entry in got.entries)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(a, i)) for i, a in enumerate(allocators)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert len(handed_out) == 240 and len(set(handed_out)) == 240, "an index was handed out twice"
    assert sorted((r.purpose, r.sequence) for r in chain.requests) == [("revocation", 1), ("suspension", 1)]

"""Status list index allocation for an issuer's credentials: random, free, never reused.

Per (issuer DID, credential type, purpose) there is a current list. Each credential gets an
index in a revocation list and one in a suspension list for its type:

- profile "final": two independent random indices, one per list;
- profile "twdiw": the same index in both lists, as TW DIW does (its lists roll over together).

An index is drawn uniformly at random among the indices of the current list not yet handed
out (herd privacy), and is never handed out again. When no index is free, a new list is
created on chain through a `ListCreator` and becomes the current one.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, Protocol
from urllib.parse import quote

from api.status.store import AllocationStore, ListRecord

PURPOSES = ("revocation", "suspension")
DEFAULT_LIST_SIZE = 131_072
"""Entries per list: the W3C minimum, and the StatusRegistry default."""
MAX_LIST_SIZE = 16_777_216
"""The StatusRegistry's largest list."""

_SAMPLING_TRIES = 64
"""Random draws before falling back to listing the free indices (only dense lists get there)."""
LIST_CREATION_TIMEOUT = 300
"""Seconds a list may stay 'pending' (its creation on chain under way); an older one was left by
a process that died, and is marked failed so that another can be created."""
_PENDING_POLL = 0.1


class Profile(StrEnum):
    """How a credential's revocation and suspension indices relate."""

    FINAL = "final"  # independent random indices
    TWDIW = "twdiw"  # one index shared by both lists


@dataclass(frozen=True)
class StatusAllocation:
    """One index in one status list, handed out for one credential."""

    list_id: int
    index: int
    uri: str
    purpose: str

    def as_dict(self) -> dict[str, Any]:
        """{list_id, index, uri, purpose}."""
        return {"list_id": self.list_id, "index": self.index, "uri": self.uri, "purpose": self.purpose}


@dataclass(frozen=True)
class CredentialAllocations:
    """A credential's allocations, one per purpose."""

    issuer_did: str
    credential_type: str
    credential_id: str | None
    entries: tuple[StatusAllocation, ...]

    def __getitem__(self, purpose: str) -> StatusAllocation:
        for entry in self.entries:
            if entry.purpose == purpose:
                return entry
        raise KeyError(purpose)

    @property
    def revocation(self) -> StatusAllocation:
        """The revocation-list entry."""
        return self["revocation"]

    @property
    def suspension(self) -> StatusAllocation:
        """The suspension-list entry."""
        return self["suspension"]


@dataclass(frozen=True)
class ListRequest:
    """What a ListCreator is asked to create: `sequence` numbers an issuer's lists per type and
    purpose from 1 and is never reused, so it can name the list URL (TW DIW's `r{gid}`)."""

    issuer_did: str
    credential_type: str
    purpose: str
    size: int
    sequence: int


@dataclass(frozen=True)
class CreatedList:
    """A list that now exists on chain."""

    list_id: int
    uri: str


class ListCreator(Protocol):
    """The port through which the allocator creates a list on chain."""

    def create_list(self, request: ListRequest) -> CreatedList: ...


class StatusListWriter(Protocol):
    """The part of trust_ledger.chain.gateway.TrustGateway that creates status lists."""

    def create_status_list(
        self, owner_did: str, purpose: str, uri: str, size: int = 0
    ) -> tuple[int, Any]: ...


class GatewayListCreator:
    """A ListCreator sending StatusRegistry.createList through a TrustGateway.

    `uri_template` is formatted with `issuer_did`, `credential_type` (both URL-quoted),
    `purpose`, `purpose_letter` ("r" or "s") and `sequence`, e.g.
    "https://issuer.example/status-list/{credential_type}/{purpose_letter}{sequence}".
    The gateway's signer must control the issuer's entity (or be one of its delegates).
    """

    def __init__(self, gateway: StatusListWriter, uri_template: str):
        self.gateway = gateway
        self.uri_template = uri_template

    def uri_of(self, request: ListRequest) -> str:
        """The URL a new list will be published at."""
        return self.uri_template.format(
            issuer_did=quote(request.issuer_did, safe=""),
            credential_type=quote(request.credential_type, safe=""),
            purpose=request.purpose,
            purpose_letter=request.purpose[0],
            sequence=request.sequence,
        )

    def create_list(self, request: ListRequest) -> CreatedList:
        """Create the list on chain and wait for it to be mined."""
        uri = self.uri_of(request)
        list_id, _ = self.gateway.create_status_list(request.issuer_did, request.purpose, uri, request.size)
        return CreatedList(list_id, uri)


class StatusIndexAllocator:
    """Hands out status list indices, persisted in an AllocationStore.

    Safe for threads, processes and replicas sharing the store without any lock of its own: each
    allocation is one database transaction (api/status/store.py: SQLite's write lock, or the
    current lists' rows locked on PostgreSQL), the store's primary key refuses a second
    allocation of the same index, and a list being created on chain is reserved ('pending') in
    the store first, so racing allocators wait for it rather than create another (nothing is
    locked while the chain is waited on). `randbelow` draws the random indices:
    `secrets.randbelow` unless a test injects a seeded one.
    """

    def __init__(
        self,
        store: AllocationStore,
        creator: ListCreator,
        *,
        profile: Profile | str = Profile.FINAL,
        list_size: int = DEFAULT_LIST_SIZE,
        purposes: Sequence[str] = PURPOSES,
        randbelow: Callable[[int], int] = secrets.randbelow,
    ):
        if list_size <= 0 or list_size % 256 or list_size > MAX_LIST_SIZE:
            raise ValueError(f"list size must be a multiple of 256 up to {MAX_LIST_SIZE}, not {list_size}")
        unknown = set(purposes) - set(PURPOSES)
        if unknown or not purposes or len(set(purposes)) != len(purposes):
            raise ValueError(f"purposes must be distinct values of {PURPOSES}, not {list(purposes)}")
        self.store = store
        self.creator = creator
        self.profile = Profile(profile)
        self.list_size = list_size
        self.purposes = tuple(purposes)
        self.randbelow = randbelow

    def allocate(
        self, issuer_did: str, credential_type: str, *, credential_id: str | None = None
    ) -> CredentialAllocations:
        """One fresh index per purpose for a new credential of `credential_type`.

        With a `credential_id`, asking again returns the same allocations (a retry after a
        crash between allocating and issuing does not waste indices).
        """
        while True:
            with self.store.transaction():
                if credential_id is not None:
                    known = self._known(issuer_did, credential_type, credential_id)
                    if known is not None:
                        return known
                entries = self._try_allocate(issuer_did, credential_type, credential_id)
            if entries is not None:
                return CredentialAllocations(issuer_did, credential_type, credential_id, entries)
            self._roll_over(issuer_did, credential_type)

    def allocations_of(self, credential_id: str) -> CredentialAllocations | None:
        """What was allocated to `credential_id`, or None."""
        pairs = self.store.of_credential(credential_id)
        if not pairs:
            return None
        first = pairs[0][0]
        return CredentialAllocations(
            first.issuer_did, first.credential_type, credential_id, tuple(_entry(lst, i) for lst, i in pairs)
        )

    def lists(self, issuer_did: str, credential_type: str, purpose: str | None = None) -> list[ListRecord]:
        """The issuer's lists for a credential type, as stored."""
        return self.store.lists(issuer_did, credential_type, purpose)

    # ------------------------------------------------------------ inside the store transaction

    def _known(
        self, issuer_did: str, credential_type: str, credential_id: str
    ) -> CredentialAllocations | None:
        found = self.allocations_of(credential_id)
        if found is None:
            return None
        if (found.issuer_did, found.credential_type) != (issuer_did, credential_type) or {
            e.purpose for e in found.entries
        } != set(self.purposes):
            raise ValueError(f"credential id {credential_id!r} already has other status allocations")
        return found

    def _try_allocate(
        self, issuer_did: str, credential_type: str, credential_id: str | None
    ) -> tuple[StatusAllocation, ...] | None:
        """Allocate in the current lists, or mark the exhausted ones full and return None."""
        current = {p: self._current(issuer_did, credential_type, p) for p in self.purposes}
        if any(lst is None for lst in current.values()):
            return None
        lists = [lst for lst in current.values() if lst is not None]
        if self.profile is Profile.TWDIW:
            index = self._free_index(lists)
            if index is None:
                for lst in lists:
                    self.store.set_state(lst.row_id, "full")
                return None
            picks = [(lst, index) for lst in lists]
        else:
            picks = []
            for lst in lists:
                index = self._free_index([lst])
                if index is None:
                    self.store.set_state(lst.row_id, "full")
                    return None
                picks.append((lst, index))
        for lst, index in picks:
            self.store.add(lst.row_id, index, credential_id)
        return tuple(_entry(lst, index) for lst, index in picks)

    def _current(self, issuer_did: str, credential_type: str, purpose: str) -> ListRecord | None:
        open_lists = self.store.open_lists(issuer_did, credential_type, purpose)
        return open_lists[0] if open_lists else None

    def _free_index(self, lists: list[ListRecord]) -> int | None:
        """A uniformly random index free in every list of `lists`, or None if there is none.

        Sparse lists: draw until a free index comes up (rejection sampling is exactly uniform).
        Dense lists (or bad luck): list the free indices and draw one of them.
        """
        size = min(lst.size for lst in lists)
        used_counts = [self.store.count(lst.row_id) for lst in lists]
        if max(used_counts) * 2 < size:
            for _ in range(_SAMPLING_TRIES):
                index = self.randbelow(size)
                if not any(self.store.is_allocated(lst.row_id, index) for lst in lists):
                    return index
        used: set[int] = set()
        for lst in lists:
            used |= self.store.allocated(lst.row_id)
        if len(used) >= size:
            return None
        free = [i for i in range(size) if i not in used]
        return free[self.randbelow(len(free))]

    # ------------------------------------------------------------ creating lists

    def _roll_over(self, issuer_did: str, credential_type: str) -> None:
        """Create a list for each purpose that has no open one.

        The sequence is reserved (committed as 'pending') before the chain call, so a crash
        or a failed transaction can never make two lists share a sequence and hence a URL, and
        an allocator finding a list pending waits for it instead of creating a second one.
        """
        for purpose in self.purposes:
            while (pending := self._reserve(issuer_did, credential_type, purpose)) == "pending":
                time.sleep(_PENDING_POLL)  # another thread or process is creating this list
            if pending == "open":
                continue
            request = ListRequest(issuer_did, credential_type, purpose, self.list_size, pending.sequence)
            try:
                created = self.creator.create_list(request)
            except BaseException:
                with self.store.transaction():
                    self.store.set_state(pending.row_id, "failed")
                raise
            with self.store.transaction():
                self.store.set_state(pending.row_id, "open", list_id=created.list_id, uri=created.uri)

    def _reserve(
        self, issuer_did: str, credential_type: str, purpose: str
    ) -> ListRecord | Literal["open", "pending"]:
        """A newly reserved list for this caller to create, or "open" (one exists) or "pending"
        (another caller is creating one)."""
        with self.store.transaction():
            if self._current(issuer_did, credential_type, purpose) is not None:
                return "open"
            fresh = False
            for pending in self.store.pending_lists(issuer_did, credential_type, purpose):
                if time.time() - pending.created_at < LIST_CREATION_TIMEOUT:
                    fresh = True
                else:  # its creator died; the sequence (and URL) stays burnt
                    self.store.set_state(pending.row_id, "failed")
            if fresh:
                return "pending"
            reserved = self.store.reserve_list(issuer_did, credential_type, purpose, self.list_size)
            return "pending" if reserved is None else reserved  # None: another allocator reserved it first


def _entry(lst: ListRecord, index: int) -> StatusAllocation:
    assert lst.list_id is not None and lst.uri is not None, "only open lists hand out indices"
    return StatusAllocation(list_id=lst.list_id, index=index, uri=lst.uri, purpose=lst.purpose)

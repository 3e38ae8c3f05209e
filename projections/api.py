"""What the read side offers: plain, frozen records and the TrustViews query protocol.

The projections in this package write these views from the ledger's notification log;
resolver/ and api/ only read them through TrustViews. Times are unix seconds (block
times); "as of" queries pick the version whose validity interval holds that time.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from projections.records import Accreditation, EntityState
from projections.records import Provenance as Provenance


@dataclass(frozen=True)
class EntityVersion:
    """An entity's whole state right after one of its changes.

    `state` is the typed record (projections.records) of trust_ledger.domain.Entity.as_dict() at
    that version: node, parent node, label, name, did, controller, status, accreditations, keys,
    services, status delegates, created_at, updated_at. `version` is the entity aggregate's
    version: 1 is the registration. The version is valid from `valid_from` (its block
    time) until `valid_until` (the next version's block time, None while current).
    """

    did: str
    version: int
    event: str
    state: EntityState
    provenance: Provenance
    by: str
    valid_from: int
    valid_until: int | None
    next_version: int | None
    parent_did: str | None


@dataclass(frozen=True)
class EffectiveStatus:
    """An entity's status once its ancestors are taken into account."""

    status: str  # "active", "suspended" or "revoked"
    own_status: str
    because_of: str | None  # DID of the nearest ancestor that is not active, if that decides it


@dataclass(frozen=True)
class TrustListEntry:
    """One entity on the trust list, now or as of a time."""

    did: str
    name: str
    node: str
    parent_did: str | None
    ancestry: list[str]  # DIDs from the root down to the parent
    status: str
    effective: EffectiveStatus
    accreditations: Mapping[str, Accreditation]
    controller: str
    version: int
    updated_at: int

    @classmethod
    def of(cls, version: EntityVersion, *, ancestry: list[str], effective: EffectiveStatus) -> TrustListEntry:
        """The entry of an entity at one of its versions (the views' "as of" rows, test views)."""
        state = version.state
        return cls(
            did=version.did,
            name=state.name,
            node=state.node,
            parent_did=version.parent_did,
            ancestry=ancestry,
            status=state.status,
            effective=effective,
            accreditations=state.accreditations,
            controller=state.controller,
            version=version.version,
            updated_at=state.updated_at,
        )


@dataclass(frozen=True)
class TrustListPage:
    """A page of the trust list and how many entries match in all."""

    items: list[TrustListEntry]
    total: int
    page: int
    size: int


@dataclass(frozen=True)
class StatusListVersion:
    """A status list's exact bitstring as of one block (index 0 is the MSB of byte 0)."""

    list_id: int
    owner_did: str
    purpose: str  # "revocation" or "suspension"
    size: int
    uri: str
    bitstring: bytes
    block_number: int
    block_time: int
    tx_hash: str


@dataclass(frozen=True)
class Freshness:
    """How far the views have got: the last ledger position and chain block they reflect."""

    position: int | None  # ledger notification id the views have processed
    block_number: int | None
    block_time: int | None
    chain_id: int | None = None
    block_hash: str | None = None  # of `block_number`, the cursor's block
    last_event_block_number: int | None = None  # the last block that held one of our logs


@dataclass(frozen=True)
class FollowerStatus:
    """What the process that follows the chain (and writes the views) reported after its last pass,
    kept beside the views so every replica reading them sees it. Times are unix seconds (wall clock).

    `checked_at`, `horizon_block`, `head_block` and `synced_block` describe the last pass that
    reached the chain: its time, the chain's finality horizon and head then, and the block up to
    which every log was in the views after it. `halted_reason` and `halted_block` are set once the
    follower has stopped for good (a reorg below the horizon, a log of ours that does not decode).
    """

    reported_at: float
    checked_at: float | None = None
    horizon_block: int | None = None
    head_block: int | None = None
    synced_block: int | None = None
    chain_reachable: bool | None = None
    halted_reason: str | None = None
    halted_block: int | None = None

    @property
    def halted(self) -> bool:
        return self.halted_reason is not None

    def as_json(self) -> dict[str, Any]:
        """The status as the /health answers show it (camelCase)."""
        return {
            "reportedAt": self.reported_at,
            "lastPassAt": self.checked_at,
            "horizonBlock": self.horizon_block,
            "headBlock": self.head_block,
            "syncedBlock": self.synced_block,
            "chainReachable": self.chain_reachable,
            "halted": self.halted,
            "haltedReason": self.halted_reason,
            "haltedBlock": self.halted_block,
        }


class TrustViews(Protocol):
    """Queries over the projections; every method is a few indexed reads."""

    def snapshot(self) -> AbstractContextManager[None]:
        """Every query made inside (in this thread) reads one consistent state of the views."""
        ...

    def freshness(self) -> Freshness: ...

    def follower_status(self) -> FollowerStatus | None:
        """What the following process last reported, None when no follower ever wrote these views."""
        ...

    def latest_freshness(self) -> Freshness:
        """freshness() reflecting every commit made before the call; cheap when the views have not
        changed since the last call (no read transaction on SQLite)."""
        ...

    def latest_follower_status(self) -> FollowerStatus | None:
        """follower_status() as of now, on latest_freshness()'s terms."""
        ...

    def entity_version(
        self, did: str, *, version: int | None = None, at_time: int | None = None
    ) -> EntityVersion | None:
        """The current version, or version `version`, or the one valid at `at_time`; None if unknown
        (or, for `at_time`, if the entity did not exist yet)."""
        ...

    def first_version(self, did: str) -> EntityVersion | None: ...

    def versions(self, did: str) -> list[EntityVersion]:
        """Every version of the entity, oldest first: its audit history."""
        ...

    def did_of_node(self, node: str) -> str | None: ...

    def effective_status(self, did: str, *, at_time: int | None = None) -> EffectiveStatus | None: ...

    def trust_list(
        self,
        *,
        page: int = 1,
        size: int = 100,
        credential_type: str | None = None,
        status: str | None = None,
        subtree: str | None = None,
        at_time: int | None = None,
    ) -> TrustListPage:
        """Entities ordered by name; `status` filters on the effective status, `subtree` is a DID
        whose entity and descendants are listed, `credential_type` keeps entities accredited for it."""
        ...

    def status_list(self, list_id: int, *, at_time: int | None = None) -> StatusListVersion | None: ...

    def status_lists_of(self, owner_did: str) -> list[StatusListVersion]: ...

    def status_list_at(self, owner_did: str, uri: str) -> StatusListVersion | None:
        """The current version of `owner_did`'s list published at `uri` (the lowest list id if
        several are), or None: one list read and decoded, not all of the owner's."""
        ...

"""An in-memory TrustViews test double over real EntityVersion / StatusListVersion records.

The records are made the way the projections make them: chain logs are ingested by a real
TrustLedger (POPO), then each aggregate's stored events are folded one by one and the state
after each event (Entity.as_dict() through the views' own EntityState.from_state,
StatusList.bitstring()) becomes one version; trust-list entries come from TrustListEntry.of, the
builder the views use for their "as of" rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from projections.accreditation import EntityRecord
from projections.api import (
    EffectiveStatus,
    EntityVersion,
    FollowerStatus,
    Freshness,
    Provenance,
    StatusListVersion,
    TrustListEntry,
    TrustListPage,
)
from projections.records import EntityState
from projections.status import effective_status
from trust_ledger.domain import ChainLog, Entity, StatusList, entity_id, status_list_id
from trust_ledger.ledger import TrustLedger


class InMemoryViews:
    """TrustViews over lists of versions (oldest first), with the protocol's semantics: the effective
    status and the accreditation windows are the real rules' (projections.status, .accreditation);
    `clock` is "now" for current queries, as SqlTrustViews' clock."""

    def __init__(
        self,
        entities: dict[str, list[EntityVersion]],
        status_lists: dict[int, list[StatusListVersion]],
        freshness: Freshness,
        follower: FollowerStatus | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.entities = entities
        self.clock = clock or (lambda: freshness.block_time or 0)
        """Default: the time of the last block the views reflect (deterministic, unlike wall time)."""
        self.lists = status_lists
        self.current_freshness = freshness
        self.follower = follower
        """No follower writes these views: None says so (stale to projections.trust_freshness), and a
        test that needs them fresh or halted sets the status it means."""
        self.calls: list[str] = []

    def snapshot(self) -> AbstractContextManager[None]:
        return nullcontext()  # one process's memory: every read already sees one state

    def freshness(self) -> Freshness:
        return self.current_freshness

    def follower_status(self) -> FollowerStatus | None:
        return self.follower

    def latest_freshness(self) -> Freshness:
        return self.freshness()

    def latest_follower_status(self) -> FollowerStatus | None:
        return self.follower_status()

    def entity_version(
        self, did: str, *, version: int | None = None, at_time: int | None = None
    ) -> EntityVersion | None:
        versions = self.entities.get(did, [])
        if version is not None:
            return next((v for v in versions if v.version == version), None)
        if at_time is not None:
            held = [v for v in versions if v.valid_from <= at_time]
            return held[-1] if held else None
        return versions[-1] if versions else None

    def first_version(self, did: str) -> EntityVersion | None:
        versions = self.entities.get(did, [])
        return versions[0] if versions else None

    def versions(self, did: str) -> list[EntityVersion]:
        return list(self.entities.get(did, []))

    def did_of_node(self, node: str) -> str | None:
        for did, versions in self.entities.items():
            if versions[0].state.node == node:
                return did
        return None

    def _ancestors(self, version: EntityVersion, at_time: int | None) -> list[EntityVersion]:
        chain = []
        parent = version.parent_did
        while parent is not None:
            found = self.entity_version(parent, at_time=at_time)
            if found is None:
                break
            chain.insert(0, found)
            parent = found.parent_did
        return chain

    def effective_status(self, did: str, *, at_time: int | None = None) -> EffectiveStatus | None:
        version = self.entity_version(did, at_time=at_time)
        if version is None:
            return None
        ancestors = reversed(self._ancestors(version, at_time))  # nearest first
        return effective_status(version.state.status, [(a.did, a.state.status) for a in ancestors])

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
        entries = []
        for did in self.entities:
            version = self.entity_version(did, at_time=at_time)
            if version is None:
                continue
            ancestry = [a.did for a in self._ancestors(version, at_time)]
            effective = self.effective_status(did, at_time=at_time)
            assert effective is not None
            at = int(self.clock()) if at_time is None else at_time
            if credential_type is not None and not EntityRecord.from_version(version).accredited_at(
                credential_type, at
            ):
                continue
            if status is not None and effective.status != status:
                continue
            if subtree is not None and subtree != did and subtree not in ancestry:
                continue
            entries.append(TrustListEntry.of(version, ancestry=ancestry, effective=effective))
        entries.sort(key=lambda e: e.name)
        start = (page - 1) * size
        return TrustListPage(items=entries[start : start + size], total=len(entries), page=page, size=size)

    def status_list(self, list_id: int, *, at_time: int | None = None) -> StatusListVersion | None:
        versions = self.lists.get(list_id, [])
        if at_time is not None:
            versions = [v for v in versions if v.block_time <= at_time]
        return versions[-1] if versions else None

    def status_lists_of(self, owner_did: str) -> list[StatusListVersion]:
        return [v[-1] for v in self.lists.values() if v and v[-1].owner_did == owner_did]

    def status_list_at(self, owner_did: str, uri: str) -> StatusListVersion | None:
        found = sorted((v for v in self.status_lists_of(owner_did) if v.uri == uri), key=lambda v: v.list_id)
        return found[0] if found else None


def _provenance(event: Any) -> Provenance:
    return Provenance(**event.provenance)


def views_from_logs(logs: Sequence[ChainLog]) -> InMemoryViews:
    """Ingest `logs` into a fresh POPO TrustLedger and fold every aggregate's events into versions."""
    ledger = TrustLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    try:
        ledger.ingest(list(logs))
        chain_id, registry = logs[0].chain_id, logs[0].contract
        nodes = {e["node"]: e["did"] for e in ledger.all_entities()}
        entities: dict[str, list[EntityVersion]] = {}
        for entity in ledger.all_entities():
            events = list(ledger.events.get(entity_id(chain_id, registry, entity["node"])))
            versions: list[EntityVersion] = []
            aggregate: Entity | None = None
            for i, event in enumerate(events):
                aggregate = event.mutate(aggregate)
                assert aggregate is not None
                following = events[i + 1] if i + 1 < len(events) else None
                versions.append(
                    EntityVersion(
                        did=entity["did"],
                        version=aggregate.version,
                        event=type(event).__name__,
                        state=EntityState.from_state(aggregate.as_dict()),
                        provenance=_provenance(event),
                        by=event.by,
                        valid_from=event.provenance["block_time"],
                        valid_until=following.provenance["block_time"] if following else None,
                        next_version=following.originator_version if following else None,
                        parent_did=nodes.get(entity["parent"]) if entity["parent"] else None,
                    )
                )
            entities[entity["did"]] = versions
        lists: dict[int, list[StatusListVersion]] = {}
        status_registry = next((log.contract for log in logs if log.event == "StatusListCreated"), None)
        list_ids = sorted({int(log.args["listId"]) for log in logs if "listId" in log.args})
        for list_id in list_ids:
            assert status_registry is not None
            status_list: StatusList | None = None
            for event in ledger.events.get(status_list_id(chain_id, status_registry, list_id)):
                status_list = event.mutate(status_list)
                assert status_list is not None
                lists.setdefault(list_id, []).append(
                    StatusListVersion(
                        list_id=list_id,
                        owner_did=nodes[status_list.owner],
                        purpose=status_list.purpose,
                        size=status_list.size,
                        uri=status_list.uri,
                        bitstring=status_list.bitstring(),
                        block_number=event.provenance["block_number"],
                        block_time=event.provenance["block_time"],
                        tx_hash=event.provenance["tx_hash"],
                    )
                )
        last = logs[-1]
        freshness = Freshness(
            position=ledger.process_recorder.max_notification_id(),
            block_number=last.block_number,
            block_time=last.block_time,
        )
        return InMemoryViews(entities, lists, freshness)
    finally:
        ledger.close()

"""TrustLedger: the event-sourced mirror of the contracts, fed with ChainLogs exactly once.

Persistence is chosen by environment only (eventsourcing's ``PERSISTENCE_MODULE``:
``eventsourcing.popo`` by default, ``eventsourcing.sqlite`` with ``SQLITE_DBNAME``,
``eventsourcing.postgres`` with ``POSTGRES_DBNAME``/``_HOST``/``_PORT``/``_USER``/``_PASSWORD``
and optionally ``_SCHEMA``; each may be prefixed ``TRUSTLEDGER_``).

Exactly once: the ledger's recorder is a ProcessRecorder, so a batch's aggregate events, the
ChainCursor's update and the tracking record ``(f"chain-{chain_id}", position)`` are inserted in
one transaction, the way ``EventSourcedProjection.process_event`` records a ProcessingEvent.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, ProcessRecorder, Tracking
from eventsourcing.utils import EnvType, get_topic

from trust_ledger.chain import did_control
from trust_ledger.domain import (
    DID_PROOF_KINDS,
    ROOT_NODE,
    ChainCursor,
    ChainLog,
    ChainPosition,
    CursorView,
    DidIndex,
    DomainError,
    Entity,
    IngestError,
    ReorgError,
    StatusList,
    UnknownNodeError,
    UnknownStatusListError,
    did_index_id,
    entity_id,
    status_list_id,
)
from trust_ledger.domain.cursor import END_OF_BLOCK
from trust_ledger.domain.ids import CURSOR_ID
from trust_ledger.domain.provenance import provenance_of
from trust_ledger.recorders import ledger_recorder
from trust_ledger.table_creation import creating_tables

TRUST_REGISTRY_EVENTS = frozenset(
    {
        "EntityRegistered",
        "EntityControllerChanged",
        "EntityStatusChanged",
        "EntityAccredited",
        "AccreditationWithdrawn",
        "KeyAdded",
        "KeyRevoked",
        "ServiceAdded",
        "ServiceRemoved",
        "DidReleased",
    }
)
STATUS_REGISTRY_EVENTS = frozenset({"StatusListCreated", "StatusWordsChanged", "StatusDelegateChanged"})

MAX_ATTEMPTS = 3
"""How often a batch is re-tried after a concurrent writer recorded part of it."""

_HEX = re.compile(r"[0-9a-fA-F]*")

_EVENT_META = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp", "provenance", "by"}
)


def upstream_name(chain_id: int) -> str:
    """The tracking records' upstream application name for a chain."""
    return f"chain-{chain_id}"


class TrustLedger(Application[UUID]):
    """Event-sourced mirror of one TrustRegistry and its StatusRegistry on one chain.

    Write with :meth:`ingest`; every query returns plain data (dicts, dataclasses, bytes).
    """

    name = "TrustLedger"
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "1000"}
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {ChainCursor: 100}

    def __init__(self, env: EnvType | None = None) -> None:
        # Readers copy cached aggregates, and a batch takes its own out of the cache, under this
        # lock: no reader copies an aggregate while a batch changes it (see _take).
        self._cache_lock = threading.Lock()
        super().__init__(env)

    def construct_recorder(self) -> ProcessRecorder:
        """A process recorder: it inserts events and a tracking record in one transaction (its
        tables created once, however many processes start at the same moment; on SQLite and
        PostgreSQL a batch's events in one call, trust_ledger.recorders)."""
        with creating_tables(self.factory):
            return ledger_recorder(self.factory)

    @property
    def process_recorder(self) -> ProcessRecorder:
        """The ledger's recorder, typed as the ProcessRecorder it is."""
        assert isinstance(self.recorder, ProcessRecorder)
        return self.recorder

    # ------------------------------------------------------------------ write

    def ingest(self, logs: Sequence[ChainLog], *, chain_position: ChainPosition | None = None) -> int:
        """Record the effects of `logs` (ordered, one chain) exactly once, atomically.

        The aggregate events, the cursor and a tracking record at the last log's position
        (or at the end of `chain_position`'s block, which says the follower scanned that block
        completely) are stored in one transaction. Logs at or below the tracked position are
        skipped, so re-delivery is a no-op. Raises IngestError (nothing stored) if any log
        cannot be applied. Returns the ledger's last notification id, to wait on in projections.
        """
        batch = list(logs)
        chain_id = _check_batch(batch, chain_position)
        if chain_id is None:
            return self._last_notification_id()
        upstream = upstream_name(chain_id)
        target = chain_position.position if chain_position is not None else batch[-1].position
        conflict: Exception | None = None
        for _ in range(MAX_ATTEMPTS):
            # The cursor records the tracked position atomically with it; reading it from the batch's
            # own copy means the pending logs and the cursor it advances agree, even when another
            # process recorded part of this batch a moment ago.
            builder = _Batch(self, chain_id)
            done = builder.cursor.position
            if done >= target:
                self._keep(builder.loaded)
                return self._last_notification_id()
            pending = [log for log in batch if log.position > done]
            try:
                processing = builder.process(Tracking(upstream, target), pending, chain_position)
            except IngestError as error:
                # The aggregates were read after the cursor: if another process recorded these logs
                # in between, they look applied already. Re-check against the newer cursor.
                if _Batch(self, chain_id).cursor.position > done:
                    conflict = error
                    continue
                raise
            try:
                recordings = self._record(processing)
            except IntegrityError as error:  # a concurrent writer got there first: re-check
                conflict = error
                continue
            self._keep(builder.loaded)
            self._take_snapshots(processing)
            self._notify(recordings)
            return recordings[-1].notification.id
        msg = f"could not record the batch up to position {target} after {MAX_ATTEMPTS} attempts"
        raise IngestError(msg) from conflict

    # ------------------------------------------------------------------ queries

    def position(self) -> int | None:
        """The last tracked chain position (block * 1_000_000 + log index), or None."""
        cursor = self._get(CURSOR_ID)
        if not isinstance(cursor, ChainCursor):
            return None
        return self.process_recorder.max_tracking_id(upstream_name(cursor.chain_id))

    def cursor(self) -> CursorView | None:
        """The last ingested block (number and hash) and the followed contracts, or None."""
        cursor = self._get(CURSOR_ID)
        return cursor.view() if isinstance(cursor, ChainCursor) else None

    def entity_by_did(self, did: str) -> dict[str, Any] | None:
        """The entity holding `did`, as plain data, or None."""
        entity = self._entity_of_did(did)
        return entity.as_dict() if entity is not None else None

    def entity_by_node(self, node: str) -> dict[str, Any] | None:
        """The entity of registry node `node` (0x-prefixed hex), as plain data, or None."""
        cursor = self._get(CURSOR_ID)
        if not isinstance(cursor, ChainCursor) or cursor.trust_registry is None:
            return None
        entity = self._get(entity_id(cursor.chain_id, cursor.trust_registry, node))
        return entity.as_dict() if isinstance(entity, Entity) else None

    def history(self, did: str) -> list[dict[str, Any]]:
        """The audit trail of the entity holding `did`: every event in order, with provenance."""
        entity = self._entity_of_did(did)
        if entity is None:
            return []
        return [_history_item(e) for e in self.events.get(entity.id)]

    def status_list(self, list_id: int) -> dict[str, Any] | None:
        """Status list `list_id` as plain data (non-zero words only), or None."""
        status_list = self._status_list(list_id)
        return status_list.as_dict() if status_list is not None else None

    def status_bitstring(self, list_id: int) -> bytes | None:
        """The exact bitstring of status list `list_id` (index 0 = MSB of byte 0), or None."""
        status_list = self._status_list(list_id)
        return status_list.bitstring() if status_list is not None else None

    def all_entities(self) -> list[dict[str, Any]]:
        """Every registered entity as plain data, root first, then by full name."""
        registered = get_topic(Entity.Registered)  # type: ignore[attr-defined]  # made by @event
        ids = {n.originator_id for n in self._notifications(topics=[registered])}
        entities = [e.as_dict() for e in map(self._get, ids) if isinstance(e, Entity)]
        return sorted(entities, key=lambda e: (e["parent"] is not None, e["name"]))

    def current_state(self) -> dict[str, dict[str, Any]]:
        """Every aggregate's state as the repository reconstructs it, keyed by aggregate id."""
        ids = dict.fromkeys(n.originator_id for n in self._notifications())
        return {str(i): _state_of(self._get(UUID(str(i)))) for i in ids}

    def replay_state(self) -> dict[str, dict[str, Any]]:
        """Every aggregate's state rebuilt from zero by folding the whole notification log in order."""
        aggregates: dict[str, Aggregate] = {}
        for notification in self._notifications():
            domain_event = self.mapper.to_domain_event(notification)
            key = str(domain_event.originator_id)
            aggregates[key] = domain_event.mutate(aggregates.get(key))  # type: ignore[attr-defined]
        return {key: _state_of(aggregate) for key, aggregate in aggregates.items()}

    # ------------------------------------------------------------------ helpers

    def _get(self, aggregate_id: UUID) -> Aggregate | None:
        with self._cache_lock:
            try:
                return self.repository.get(aggregate_id)
            except AggregateNotFoundError:
                return None

    def _take(self, aggregate_id: UUID) -> Aggregate | None:
        """The aggregate for a batch to change, as the batch's own: the cached one (fast-forwarded)
        taken out of the cache instead of deep-copied, or one rebuilt from the store. No reader sees
        the batch's pending changes, a failed batch leaves nothing behind, and _keep puts it back
        once recorded."""
        with self._cache_lock:
            try:
                aggregate: Aggregate = self.repository.get(aggregate_id, deepcopy_from_cache=False)
            except AggregateNotFoundError:
                return None
            if self.repository.cache is not None:
                with contextlib.suppress(KeyError):
                    self.repository.cache.get(aggregate_id, evict=True)
            return aggregate

    def _entity_of_did(self, did: str) -> Entity | None:
        index = self._get(did_index_id(did))
        if not isinstance(index, DidIndex) or index.entity_id is None:
            return None
        entity = self._get(UUID(index.entity_id))
        return entity if isinstance(entity, Entity) else None

    def _status_list(self, list_id: int) -> StatusList | None:
        cursor = self._get(CURSOR_ID)
        if not isinstance(cursor, ChainCursor) or cursor.status_registry is None:
            return None
        status_list = self._get(status_list_id(cursor.chain_id, cursor.status_registry, list_id))
        return status_list if isinstance(status_list, StatusList) else None

    def _keep(self, aggregates: list[Aggregate]) -> None:
        """Put the aggregates of a batch that recorded (or needed nothing) back into the
        repository's cache, as recorded: the next batch takes them instead of fast-forwarding older
        ones through every event this one wrote (read back and applied again). One with events not
        recorded is never kept; nothing changes them while cached; a writer in another process is
        caught up by fast-forwarding."""
        cache = self.repository.cache
        if cache is not None:
            for aggregate in aggregates:
                if not aggregate.pending_events:
                    cache.put(aggregate.id, aggregate)

    def _last_notification_id(self) -> int:
        return self.process_recorder.max_notification_id() or 0

    def _notifications(self, topics: Sequence[str] = (), page: int = 1000) -> Iterator[Any]:
        start: int | None = None
        while True:
            section = self.process_recorder.select_notifications(
                start=start, limit=page, topics=topics, inclusive_of_start=start is None
            )
            yield from section
            if len(section) < page:
                return
            start = section[-1].id


class _Batch:
    """Applies the pending logs of one batch to aggregates loaded once and kept for the batch."""

    def __init__(self, ledger: TrustLedger, chain_id: int) -> None:
        self._ledger = ledger
        self._loaded: dict[UUID, Aggregate] = {}
        cursor = self._get(CURSOR_ID)
        if cursor is None:
            cursor = ChainCursor(chain_id=chain_id)
            self._loaded[cursor.id] = cursor
        assert isinstance(cursor, ChainCursor)
        if cursor.chain_id != chain_id:
            raise IngestError(f"this ledger follows chain {cursor.chain_id}, not chain {chain_id}")
        self.cursor = cursor
        self._handlers: dict[str, Callable[[ChainLog, _Args], list[Aggregate]]] = {
            "EntityRegistered": self._registered,
            "EntityControllerChanged": self._controller_changed,
            "EntityStatusChanged": self._status_changed,
            "EntityAccredited": self._accredited,
            "AccreditationWithdrawn": self._accreditation_withdrawn,
            "KeyAdded": self._key_added,
            "KeyRevoked": self._key_revoked,
            "ServiceAdded": self._service_added,
            "ServiceRemoved": self._service_removed,
            "DidReleased": self._did_released,
            "StatusListCreated": self._status_list_created,
            "StatusWordsChanged": self._status_words_changed,
            "StatusDelegateChanged": self._status_delegate_changed,
        }

    def process(
        self, tracking: Tracking, pending: list[ChainLog], chain_position: ChainPosition | None
    ) -> ProcessingEvent[UUID]:
        """Apply `pending` in order; collect their events, then the cursor's, with `tracking`."""
        processing = ProcessingEvent[UUID](tracking=tracking)
        for log in pending:
            self._check_block(log.block_number, log.block_hash, log)
            role = "trust_registry" if log.event in TRUST_REGISTRY_EVENTS else "status_registry"
            try:
                self.cursor.bind(role, log.contract)
                changed = self._handlers[log.event](log, _Args(log))
            except DomainError as error:
                raise IngestError(f"{log.event} rejected: {error}", log) from error
            _collect(processing, changed)
        last = chain_position or pending[-1]
        self._check_block(last.block_number, last.block_hash, None)
        self.cursor.advance(
            position=tracking.notification_id, block_number=last.block_number, block_hash=last.block_hash
        )
        _collect(processing, [self.cursor])
        return processing

    def _check_block(self, block_number: int, block_hash: str, log: ChainLog | None) -> None:
        if block_number == self.cursor.block_number and block_hash != self.cursor.block_hash:
            msg = (
                f"block {block_number} was ingested with hash {self.cursor.block_hash}, now has {block_hash}"
            )
            raise ReorgError(msg, log)

    # ------------------------------------------------------------------ lookups

    def _get(self, aggregate_id: UUID) -> Aggregate | None:
        if aggregate_id not in self._loaded:
            aggregate = self._ledger._take(aggregate_id)
            if aggregate is None:
                return None
            self._loaded[aggregate_id] = aggregate
        return self._loaded[aggregate_id]

    @property
    def loaded(self) -> list[Aggregate]:
        """Every aggregate this batch took or made."""
        return list(self._loaded.values())

    def _add(self, *aggregates: Aggregate) -> None:
        for aggregate in aggregates:
            self._loaded[aggregate.id] = aggregate

    def _entity(self, node: str, log: ChainLog) -> Entity:
        registry = self.cursor.trust_registry
        entity = self._get(entity_id(log.chain_id, registry, node)) if registry is not None else None
        if not isinstance(entity, Entity):
            raise UnknownNodeError(node, log)
        return entity

    def _parent(self, entity: Entity, log: ChainLog) -> Entity:
        if entity.parent is None:
            raise IngestError(f"{log.event} for the root {entity.node}, which has no parent", log)
        return self._entity(entity.parent, log)

    def _status_list(self, list_id: int, log: ChainLog) -> StatusList:
        status_list = self._get(status_list_id(log.chain_id, log.contract, list_id))
        if not isinstance(status_list, StatusList):
            raise UnknownStatusListError(list_id, log)
        return status_list

    # ------------------------------------------------------------------ TrustRegistry

    def _registered(self, log: ChainLog, args: _Args) -> list[Aggregate]:
        node, parent_node, did = args.node("node"), args.node("parent"), args.text("did")
        if self._get(entity_id(log.chain_id, log.contract, node)) is not None:
            raise IngestError(f"node {node} is already registered", log)
        is_root = node == ROOT_NODE and parent_node == ROOT_NODE
        parent = None if is_root else self._entity(parent_node, log)
        index = self._get(did_index_id(did))
        if isinstance(index, DidIndex) and index.held:
            raise IngestError(f"DID {did} is already held by node {index.node}", log)
        by, provenance = args.address("by"), provenance_of(log)
        label, controller = args.text("label"), args.address("controller")
        entity = Entity.register(
            node=node,
            parent=parent,
            label=label,
            did=did,
            controller=controller,
            by=by,
            provenance=provenance,
            did_control=_did_control(log, args, parent_node, label, did, controller),
        )
        if isinstance(index, DidIndex):  # a DID an ancestor released, registered again
            index.reassign(entity_id=str(entity.id), node=node, by=by, provenance=provenance)
        else:
            index = DidIndex(did=did, entity_id=str(entity.id), node=node, by=by, provenance=provenance)
        self._add(entity, index)
        return [entity, index]

    def _did_released(self, log: ChainLog, args: _Args) -> list[Aggregate]:
        entity, ancestor_node = self._entity(args.node("node"), log), args.node("ancestor")
        ancestor = self._entity(ancestor_node, log)
        lineage = [entity]
        while lineage[-1].parent is not None and lineage[-1].parent != ancestor_node:
            lineage.append(self._entity(lineage[-1].parent, log))
        if args.text("did") != entity.did:
            raise IngestError(
                f"DidReleased names {args.text('did')}, node {entity.node} holds {entity.did}", log
            )
        by, provenance = args.address("by"), provenance_of(log)
        entity.release_did(ancestor=ancestor, lineage=lineage, by=by, provenance=provenance)
        index = self._get(did_index_id(entity.did))
        if not isinstance(index, DidIndex) or index.node != entity.node:
            raise IngestError(f"DID {entity.did} is not indexed to node {entity.node}", log)
        index.release(by=by, provenance=provenance)
        return [entity, index]

    def _controller_changed(self, log: ChainLog, args: _Args) -> list[Aggregate]:
        entity = self._entity(args.node("node"), log)
        entity.change_controller(
            previous=args.address("previousController"),
            new=args.address("newController"),
            by=args.address("by"),
            provenance=provenance_of(log),
        )
        return [entity]

    def _status_changed(self, log: ChainLog, args: _Args) -> list[Aggregate]:
        entity = self._entity(args.node("node"), log)
        entity.change_status(
            parent=self._parent(entity, log),
            previous=args.integer("previousStatus"),
            new=args.integer("newStatus"),
            by=args.address("by"),
            provenance=provenance_of(log),
        )
        return [entity]

    def _accredited(self, log: ChainLog, args: _Args) -> list[Aggregate]:
        entity = self._entity(args.node("node"), log)
        entity.accredit(
            parent=self._parent(entity, log),
            credential_type=args.text("credentialType"),
            roles=args.items("roles"),
            valid_from=args.integer("validFrom"),
            valid_until=args.integer("validUntil"),
            by=args.address("by"),
            provenance=provenance_of(log),
        )
        return [entity]

    def _accreditation_withdrawn(self, log: ChainLog, args: _Args) -> list[Aggregate]:
        entity = self._entity(args.node("node"), log)
        entity.withdraw_accreditation(
            parent=self._parent(entity, log),
            credential_type=args.text("credentialType"),
            by=args.address("by"),
            provenance=provenance_of(log),
        )
        return [entity]

    def _key_added(self, log: ChainLog, args: _Args) -> list[Aggregate]:
        entity = self._entity(args.node("node"), log)
        entity.add_key(
            key_id=args.text("keyId"),
            key_type=args.text("keyType"),
            public_key=args.text("publicKey"),
            purposes=args.integer("purposes"),
            valid_from=args.integer("validFrom"),
            valid_until=args.integer("validUntil"),
            by=args.address("by"),
            provenance=provenance_of(log),
        )
        return [entity]

    def _key_revoked(self, log: ChainLog, args: _Args) -> list[Aggregate]:
        entity = self._entity(args.node("node"), log)
        entity.revoke_key(
            key_id=args.text("keyId"),
            reason=args.integer("reason"),
            compromised_since=args.integer("compromisedSince"),
            by=args.address("by"),
            provenance=provenance_of(log),
        )
        return [entity]

    def _service_added(self, log: ChainLog, args: _Args) -> list[Aggregate]:
        entity = self._entity(args.node("node"), log)
        entity.add_service(
            service_id=args.text("serviceId"),
            service_type=args.text("serviceType"),
            endpoint=args.text("endpoint"),
            by=args.address("by"),
            provenance=provenance_of(log),
        )
        return [entity]

    def _service_removed(self, log: ChainLog, args: _Args) -> list[Aggregate]:
        entity = self._entity(args.node("node"), log)
        entity.remove_service(
            service_id=args.text("serviceId"), by=args.address("by"), provenance=provenance_of(log)
        )
        return [entity]

    # ------------------------------------------------------------------ StatusRegistry

    def _status_list_created(self, log: ChainLog, args: _Args) -> list[Aggregate]:
        list_id, by = args.integer("listId"), args.address("by")
        owner = self._entity(args.node("owner"), log)
        owner.require_acting_for_status_lists(by)
        if self._get(status_list_id(log.chain_id, log.contract, list_id)) is not None:
            raise IngestError(f"status list {list_id} already exists", log)
        status_list = StatusList.create(
            list_id=list_id,
            owner=owner.node,
            purpose=args.integer("purpose"),
            size=args.integer("size"),
            uri=args.text("uri"),
            by=by,
            provenance=provenance_of(log),
        )
        self._add(status_list)
        return [status_list]

    def _status_words_changed(self, log: ChainLog, args: _Args) -> list[Aggregate]:
        status_list, by = self._status_list(args.integer("listId"), log), args.address("by")
        self._entity(status_list.owner, log).require_acting_for_status_lists(by)
        status_list.change_words(
            word_indices=args.integers("wordIndices"),
            words=args.integers("words"),
            by=by,
            provenance=provenance_of(log),
        )
        return [status_list]

    def _status_delegate_changed(self, log: ChainLog, args: _Args) -> list[Aggregate]:
        owner = self._entity(args.node("owner"), log)
        owner.change_status_delegate(
            delegate=args.address("delegate"),
            authorised=args.flag("authorised"),
            by=args.address("by"),
            provenance=provenance_of(log),
        )
        return [owner]


def _did_control(
    log: ChainLog, args: _Args, parent: str, label: str, did: str, controller: str
) -> dict[str, Any]:
    """The registration's proof of control as recorded: its kind, expiry and bytes, and whether it
    verifies. The contract checked ``secp256k1`` (ecrecover) and ``webChallenge`` (the digest) itself;
    a ``signature`` (did:key, did:jwk, ...) is checked here, once, and the verdict recorded with the
    event (None when the key type cannot be read, as for a ``webChallenge``, which only the registering
    tool could check at the domain). Never raises on what a participant wrote: a bad proof is a verdict."""
    kind = DID_PROOF_KINDS.get(args.integer("proofKind"))
    if kind is None:
        raise IngestError(f"EntityRegistered has an unknown proof kind {args.integer('proofKind')}", log)
    proof_hex = args.text("proof")
    if not proof_hex.startswith("0x") or not _is_hex(proof_hex[2:]) or len(proof_hex) % 2:
        raise IngestError(f"EntityRegistered argument 'proof' is not bytes: {proof_hex!r}", log)
    expiry, proof = args.integer("proofExpiry"), bytes.fromhex(proof_hex[2:])
    verified: bool | None = None
    if kind == did_control.SECP256K1:
        verified = True
    elif kind == did_control.SIGNATURE:
        digest = did_control.registration_digest(
            log.chain_id, log.contract, parent, label, did, controller, expiry
        )
        verified = did_control.check_signature(did, digest, proof)
    return {"kind": kind, "expiry": expiry, "proof": proof_hex.lower(), "verified": verified}


class _Args:
    """Typed access to a log's `args`; a missing or ill-typed argument is an IngestError."""

    def __init__(self, log: ChainLog) -> None:
        self._log = log

    def _value(self, name: str, kind: type | tuple[type, ...], what: str) -> Any:
        if name not in self._log.args:
            raise IngestError(f"{self._log.event} has no argument {name!r}", self._log)
        value = self._log.args[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise IngestError(f"{self._log.event} argument {name!r} is not {what}: {value!r}", self._log)
        return value

    def text(self, name: str) -> str:
        return self._value(name, str, "a string")

    def integer(self, name: str) -> int:
        return self._value(name, int, "an integer")

    def flag(self, name: str) -> bool:
        return self._value(name, bool, "a boolean")

    def items(self, name: str) -> list[Any]:
        return list(self._value(name, list, "a list"))

    def integers(self, name: str) -> list[int]:
        values = self.items(name)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise IngestError(f"{self._log.event} argument {name!r} is not a list of integers", self._log)
        return values

    def node(self, name: str) -> str:
        value = self.text(name).lower()
        if len(value) != 66 or not value.startswith("0x") or not _is_hex(value[2:]):
            raise IngestError(f"{self._log.event} argument {name!r} is not a bytes32: {value!r}", self._log)
        return value

    def address(self, name: str) -> str:
        value = self.text(name)
        if len(value) != 42 or not value.startswith("0x") or not _is_hex(value[2:]):
            raise IngestError(f"{self._log.event} argument {name!r} is not an address: {value!r}", self._log)
        return value


def _is_hex(text: str) -> bool:
    return _HEX.fullmatch(text) is not None


def _collect(processing: ProcessingEvent[UUID], aggregates: list[Aggregate]) -> None:
    """ProcessingEvent.collect_events for aggregates known to be aggregates: the same events in the
    same order, without its runtime protocol checks (a sixth of a catch-up when made per log)."""
    for aggregate in aggregates:
        processing.events.extend(aggregate.collect_events())
        processing.aggregates[aggregate.id] = aggregate


def _check_batch(batch: list[ChainLog], chain_position: ChainPosition | None) -> int | None:
    """Check a batch is one chain, strictly ordered, hash-consistent; return its chain id."""
    hashes: dict[int, str] = {}
    previous: ChainLog | None = None
    for log in batch:
        if log.event not in TRUST_REGISTRY_EVENTS and log.event not in STATUS_REGISTRY_EVENTS:
            raise IngestError(f"unknown event {log.event!r}", log)
        if not 0 <= log.log_index < END_OF_BLOCK:
            raise IngestError(f"log index {log.log_index} out of range", log)
        if previous is not None and log.chain_id != previous.chain_id:
            raise IngestError(f"batch mixes chain {previous.chain_id} and chain {log.chain_id}", log)
        if previous is not None and log.position <= previous.position:
            raise IngestError(f"batch is not in chain order: position {previous.position} came first", log)
        if hashes.setdefault(log.block_number, log.block_hash) != log.block_hash:
            raise ReorgError(f"block {log.block_number} also has hash {hashes[log.block_number]}", log)
        previous = log
    if chain_position is not None:
        if previous is not None and chain_position.chain_id != previous.chain_id:
            raise IngestError(f"chain position is on chain {chain_position.chain_id}", previous)
        if previous is not None and chain_position.block_number < previous.block_number:
            raise IngestError(
                f"chain position block {chain_position.block_number} is before the last log", previous
            )
        known = hashes.get(chain_position.block_number, chain_position.block_hash)
        if known != chain_position.block_hash:
            raise ReorgError(
                f"block {chain_position.block_number} has hash {known}, not {chain_position.block_hash}"
            )
        return chain_position.chain_id
    return previous.chain_id if previous is not None else None


def _history_item(domain_event: Any) -> dict[str, Any]:
    """One audit-trail entry: what changed, who did it, and where on chain."""
    return {
        "version": domain_event.originator_version,
        "event": type(domain_event).__name__,
        "changes": {k: v for k, v in vars(domain_event).items() if k not in _EVENT_META},
        "by": domain_event.by,
        **domain_event.provenance,
        "position": domain_event.position,
        "recorded_at": domain_event.timestamp.isoformat(),
    }


def _state_of(aggregate: Any) -> dict[str, Any]:
    """Plain state of any ledger aggregate, for comparisons."""
    if isinstance(aggregate, Entity | StatusList):
        return {"type": type(aggregate).__name__, **aggregate.as_dict()}
    state = {k: v for k, v in vars(aggregate).items() if not k.startswith("_")}
    return {"type": type(aggregate).__name__, "id": str(aggregate.id), "version": aggregate.version, **state}

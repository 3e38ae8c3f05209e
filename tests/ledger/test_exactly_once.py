"""Exactly once: events, cursor and tracking are recorded atomically; re-delivery is a no-op."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from trust_ledger import ledger as ledger_module
from trust_ledger.domain import ChainPosition, CursorView, IngestError, ReorgError
from trust_ledger.domain.ids import CURSOR_ID
from trust_ledger.ledger import TrustLedger

if TYPE_CHECKING:
    from tests.support.chainlogs import Chain
    from tests.support.stores import Store

HIERARCHY_EVENTS = 9 + 5 + 3
"""Events of Chain.hierarchy(): 9 on entities, 5 DID indexes, cursor Started, ContractBound, Advanced."""


def _event_count(ledger: TrustLedger) -> int:
    """How many events the store holds (PostgreSQL notification ids may have gaps)."""
    return len(ledger.process_recorder.select_notifications(start=None, limit=100_000))


def _snapshot(ledger: TrustLedger) -> tuple[Any, ...]:
    """Everything a batch could change: tracking, cursor, notification log, every aggregate."""
    recorder = ledger.process_recorder
    return (
        ledger.position(),
        ledger.cursor(),
        recorder.max_notification_id(),
        ledger.current_state(),
        _event_count(ledger),
    )


def test_ingest_same_batch_twice_is_a_no_op(ledger: TrustLedger, logchain: Chain) -> None:
    batch = logchain.hierarchy() + logchain.issuer_setup()
    last_id = ledger.ingest(batch)
    before = _snapshot(ledger)

    again = ledger.ingest(batch)

    assert again == last_id
    assert _snapshot(ledger) == before
    assert ledger.position() == batch[-1].position == 107_000_001
    # 9 entity events, 5 DID indexes, 2 status-list events, 3 key/service events, and the cursor's
    # Started, two ContractBound and one Advanced.
    assert _event_count(ledger) == 9 + 5 + 2 + 3 + 4
    assert last_id == ledger.process_recorder.max_notification_id()


def test_ingest_overlapping_batch_applies_only_the_new_logs(ledger: TrustLedger, logchain: Chain) -> None:
    first = logchain.hierarchy()
    second = logchain.issuer_setup()
    ledger.ingest(first)
    count = _event_count(ledger)

    ledger.ingest(first[3:] + second)

    issuer = ledger.entity_by_did(logchain.DIDS["issuera1"])
    assert issuer is not None and sorted(issuer["keys"]) == ["key-1", "key-2"]
    assert issuer["version"] == 5
    # 5 events from the logs, the cursor binds the StatusRegistry and advances.
    assert _event_count(ledger) == count + 5 + 2
    assert ledger.position() == second[-1].position


def test_crash_between_batches_new_instance_resumes_from_position(store: Store, logchain: Chain) -> None:
    first, second = logchain.hierarchy(), logchain.issuer_setup()
    ledger = store.open()
    ledger.ingest(first)
    ledger.close()  # the process dies; nothing of it survives but the store

    resumed = store.open()
    assert resumed.position() == first[-1].position
    assert resumed.cursor() == CursorView(
        chain_id=31337,
        block_number=105,
        block_hash=first[-1].block_hash,
        position=105_000_001,
        trust_registry=logchain.TRUST_REGISTRY,
        status_registry=None,
    )
    resumed.ingest(first + second)  # the follower re-delivers from further back: harmless

    issuer = resumed.entity_by_did(logchain.DIDS["issuera1"])
    assert issuer is not None and issuer["version"] == 5
    assert [e["event"] for e in resumed.history(logchain.DIDS["issuera1"])] == [
        "Registered",
        "Accredited",
        "KeyAdded",
        "KeyAdded",
        "ServiceAdded",
    ]
    assert resumed.position() == second[-1].position


def test_ingest_failing_log_mid_batch_stores_nothing_of_the_batch(
    ledger: TrustLedger, logchain: Chain
) -> None:
    ledger.ingest(logchain.hierarchy())
    before = _snapshot(ledger)
    setup = logchain.issuer_setup()
    logchain.mine()
    bad = logchain.key_revoked("issuera1", "key-9", "issuera1")  # never added: the chain cannot emit this

    with pytest.raises(IngestError, match=r"KeyRevoked rejected: .*no key 'key-9'") as raised:
        ledger.ingest([*setup, bad])

    assert raised.value.position == bad.position
    assert _snapshot(ledger) == before
    issuer = ledger.entity_by_did(logchain.DIDS["issuera1"])
    assert issuer is not None and issuer["keys"] == {} and ledger.status_list(1) is None

    ledger.ingest(setup)  # the valid part still goes in, once
    issuer = ledger.entity_by_did(logchain.DIDS["issuera1"])
    assert issuer is not None and sorted(issuer["keys"]) == ["key-1", "key-2"]


def test_concurrent_duplicate_integrity_error_means_already_done(
    store: Store, logchain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = logchain.hierarchy()
    ours, theirs = store.open(), store.open()
    real_record = ours._record

    def record_after_the_other_writer(processing: Any) -> Any:
        monkeypatch.setattr(ours, "_record", real_record)
        theirs.ingest(batch)  # commits between our read of the position and our write
        return real_record(processing)

    monkeypatch.setattr(ours, "_record", record_after_the_other_writer)
    ours.ingest(batch)

    assert ours.position() == batch[-1].position
    assert _event_count(ours) == HIERARCHY_EVENTS
    assert ours.current_state() == theirs.current_state()


def test_concurrent_partial_overlap_records_the_remainder_on_retry(
    store: Store, logchain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = logchain.hierarchy(), logchain.issuer_setup()
    ours, theirs = store.open(), store.open()
    real_record = ours._record

    def record_after_the_other_writer(processing: Any) -> Any:
        monkeypatch.setattr(ours, "_record", real_record)
        theirs.ingest(first)
        return real_record(processing)

    monkeypatch.setattr(ours, "_record", record_after_the_other_writer)
    ours.ingest(first + second)

    assert ours.position() == second[-1].position
    issuer = ours.entity_by_did(logchain.DIDS["issuera1"])
    assert issuer is not None and issuer["version"] == 5
    assert _event_count(ours) == HIERARCHY_EVENTS + 5 + 2


def test_chain_position_advances_the_cursor_without_logs(ledger: TrustLedger, logchain: Chain) -> None:
    logs = logchain.hierarchy()
    ledger.ingest(logs)
    for _ in range(3):
        logchain.mine()  # empty blocks

    ledger.ingest([], chain_position=ChainPosition(31337, logchain.block_number, logchain.block_hash()))

    assert ledger.position() == 108_999_999
    cursor = ledger.cursor()
    assert cursor is not None and (cursor.block_number, cursor.block_hash) == (108, logchain.block_hash())
    ledger.ingest(logs)  # everything at or below block 108 is done
    assert ledger.position() == 108_999_999


def test_chain_position_with_logs_tracks_the_end_of_its_block(ledger: TrustLedger, logchain: Chain) -> None:
    logs = logchain.hierarchy()
    position = ChainPosition(31337, logs[-1].block_number, logs[-1].block_hash)

    ledger.ingest(logs, chain_position=position)

    assert ledger.position() == 105_999_999
    cursor = ledger.cursor()
    assert cursor is not None and cursor.position == 105_999_999 and cursor.block_hash == logs[-1].block_hash


def test_ingest_same_block_with_another_hash_is_a_reorg(ledger: TrustLedger, logchain: Chain) -> None:
    logs = logchain.hierarchy()
    ledger.ingest(logs[:-1])  # block 105 partly ingested
    before = _snapshot(ledger)
    logchain.fork = "reorged"
    logchain.log_index = 1
    forked = logchain.accredited("issuera1", "CustomerCredential", logchain.CUSTOMER_ROLES, "subregistera2_1")

    with pytest.raises(
        ReorgError, match=r"block 105 was ingested with hash 0x[0-9a-f]{64}, now has"
    ) as raised:
        ledger.ingest([forked])

    assert raised.value.position == 105_000_001
    assert _snapshot(ledger) == before


def test_ingest_chain_position_with_another_hash_is_a_reorg(ledger: TrustLedger, logchain: Chain) -> None:
    logs = logchain.hierarchy()
    ledger.ingest(logs)

    with pytest.raises(ReorgError, match="block 105"):
        ledger.ingest([], chain_position=ChainPosition(31337, 105, "0x" + "66" * 32))


def test_cursor_snapshots_keep_a_long_followed_chain_cheap_and_correct(store: Store, logchain: Chain) -> None:
    ledger = store.open()
    ledger.ingest(logchain.hierarchy())
    for _ in range(205):  # one cursor event per batch: snapshots every 100 versions
        logchain.mine()
        ledger.ingest([], chain_position=ChainPosition(31337, logchain.block_number, logchain.block_hash()))

    assert ledger.snapshots is not None
    snapshot = next(iter(ledger.snapshots.get(CURSOR_ID, desc=True, limit=1)))
    assert snapshot.originator_version == 200
    reopened = store.open()
    assert reopened.cursor() == ledger.cursor()
    cursor = reopened.cursor()
    assert cursor is not None and (cursor.block_number, cursor.position) == (310, 310_999_999)
    assert reopened.replay_state() == ledger.current_state()


def test_a_writer_recording_the_same_logs_between_cursor_and_aggregates_is_recognised(
    store: Store, logchain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes catching up at once (a CLI and a serving follower): this ledger reads the
    cursor, the other records the same logs, then this one loads aggregates that already hold them.
    It must see that the logs are done, not refuse them as a second registration of the DIDs."""
    first, second = store.open(), store.open()
    batch = logchain.hierarchy()
    read_cursor = ledger_module._Batch.__init__
    raced: list[int] = []

    def read_cursor_then_race(builder: Any, ledger: TrustLedger, chain_id: int) -> None:
        read_cursor(builder, ledger, chain_id)
        if ledger is first and not raced:
            raced.append(second.ingest(batch))

    monkeypatch.setattr(ledger_module._Batch, "__init__", read_cursor_then_race)
    first.ingest(batch)
    assert raced, "the other writer recorded the batch in between"
    assert first.current_state() == second.current_state()
    assert _event_count(first) == HIERARCHY_EVENTS, "recorded once"


def test_a_batch_starts_from_the_aggregates_the_last_one_recorded(
    store: Store, logchain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The aggregates a batch recorded stay cached as recorded, so the next batch reads none of
    them back from the store; one another writer changed meanwhile is still caught up."""
    first, second = logchain.hierarchy(), logchain.issuer_setup()
    logchain.mine()
    third = [logchain.service_added("issuera1", "more", "LinkedDomains", "https://more.example", "issuera1")]
    ours, theirs = store.open(), store.open()
    ours.ingest(first)
    read_back: list[Any] = []
    real_get = ours.repository.event_store.get

    def get(*args: Any, **kwargs: Any) -> Any:
        events = list(real_get(*args, **kwargs))
        read_back.extend(events)
        return events

    monkeypatch.setattr(ours.repository.event_store, "get", get)
    ours.ingest(second)
    assert read_back == []  # before: every event of `first` on issuera1's entity and the cursor

    theirs.ingest(first + second + third)
    ours.ingest(third)  # recorded by the other writer: a no-op that fast-forwards the cursor
    issuer = ours.entity_by_did(logchain.DIDS["issuera1"])
    assert issuer is not None and sorted(issuer["services"]) == ["issuer", "more"]
    assert ours.current_state() == theirs.current_state() == ours.replay_state()


def test_a_reader_during_a_batch_sees_the_recorded_state_not_the_pending_one(
    ledger: TrustLedger, logchain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch changes the cached aggregates it takes without copying them: out of the cache, so a
    read made while the batch is pending (another thread, say) copies what is recorded."""
    ledger.ingest(logchain.hierarchy())
    ledger.ingest(logchain.issuer_setup()[:1])  # issuera1 and the cursor now cached as recorded
    before = _snapshot(ledger)
    seen: list[Any] = []
    real_record = ledger._record

    def read_then_record(processing: Any) -> Any:
        seen.append(_snapshot(ledger))
        return real_record(processing)

    monkeypatch.setattr(ledger, "_record", read_then_record)
    logchain.mine()
    ledger.ingest(
        [logchain.service_added("issuera1", "late", "LinkedDomains", "https://late.example", "issuera1")]
    )

    assert seen == [before]
    issuer = ledger.entity_by_did(logchain.DIDS["issuera1"])
    assert issuer is not None and sorted(issuer["services"]) == ["late"]

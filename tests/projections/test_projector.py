"""The projector: freshness, exactly once, atomic batches, crash and resume, rebuild, its cache."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from projections import Projector, views_env
from projections.writer import ViewWriter
from tests.projections.support import Projected, history, snapshot, times_of, views_backend
from tests.support.chainlogs import Chain


def _ingest_only(p: Projected, logchain: Chain) -> list[int]:
    """Ingest the standard history into the ledger only; return the block times of interest."""
    batches = history(logchain)
    for batch in batches:
        p.ledger.ingest(batch)
    return times_of(batches)


def test_freshness_follows_the_ledger(p: Projected, logchain: Chain) -> None:
    empty = p.views.freshness()
    assert (empty.position, empty.block_number, empty.block_time) == (None, None, None)

    last = p.ingest(logchain.hierarchy() + logchain.issuer_setup())

    fresh = p.views.freshness()
    assert fresh.position == last == p.ledger.process_recorder.max_notification_id()
    assert (fresh.block_number, fresh.block_time) == (logchain.block_number, logchain.block_time)
    assert fresh.block_hash == logchain.block_hash()
    assert fresh.chain_id == 31337


def test_running_twice_changes_nothing(p: Projected, logchain: Chain) -> None:
    times = _ingest_only(p, logchain)
    position = p.projector.run_once()
    before = snapshot(p.views, logchain, times)

    assert p.projector.run_once() == position
    assert Projector(p.ledger, p.views.recorder).run_once() == position
    assert snapshot(p.views, logchain, times) == before
    assert position == p.ledger.process_recorder.max_notification_id()
    with pytest.raises(IntegrityError):  # a tracked position is never recorded twice
        p.views.recorder.record([], Tracking(p.projector.upstream, position))


def test_a_projector_that_lost_a_race_continues_after_the_winner(p: Projected, logchain: Chain) -> None:
    times = _ingest_only(p, logchain)
    winner = Projector(p.ledger, p.views.recorder)
    expected_position = winner.run_once()
    expected = snapshot(p.views, logchain, times)

    class Stale(Projector):
        """Read its position just before the winner recorded the same notifications."""

        stale = True

        def position(self) -> int:
            if self.stale:
                self.stale = False
                return 0
            return super().position()

    loser = Stale(p.ledger, p.reopen().recorder, batch_size=5)
    assert loser.run_once() == expected_position
    assert snapshot(p.views, logchain, times) == expected


def test_a_failing_batch_records_nothing(
    p: Projected, logchain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    p.ingest(logchain.hierarchy())
    before = snapshot(p.views, logchain, [logchain.block_time])
    position = p.projector.position()
    p.ledger.ingest(logchain.issuer_setup())
    original = ViewWriter._status_list

    def broken(self: ViewWriter, change: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ViewWriter, "_status_list", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        p.projector.run_once()
    assert p.projector.position() == position
    assert snapshot(p.views, logchain, [logchain.block_time]) == before

    monkeypatch.setattr(ViewWriter, "_status_list", original)
    assert p.projector.run_once() == p.ledger.process_recorder.max_notification_id()
    assert p.views.status_list(1) is not None


def test_a_new_projector_resumes_after_a_crash_and_ends_equal(p: Projected, logchain: Chain) -> None:
    times = _ingest_only(p, logchain)
    p.projector.run_once()
    expected = snapshot(p.views, logchain, times)
    p.views.recorder.clear(p.projector.upstream)

    crashing = Projector(p.ledger, p.views.recorder, batch_size=7)
    with pytest.raises(Crash):
        crashing.run_once(progress=_crash_after(2))
    partial = p.views.freshness().position
    assert partial is not None and 0 < partial < p.ledger.process_recorder.max_notification_id()

    resumed = Projector(p.ledger, p.reopen().recorder, batch_size=5)
    assert resumed.run_once() == p.ledger.process_recorder.max_notification_id()
    assert snapshot(p.reopen(), logchain, times) == expected
    assert snapshot(p.views, logchain, times) == expected


def test_rebuild_from_zero_equals_the_live_views(p: Projected, logchain: Chain) -> None:
    batches = history(logchain)
    for batch in batches:  # live: one wait per ingested batch
        p.ingest(batch)
    times = times_of(batches)
    live = snapshot(p.views, logchain, times)
    seen: list[tuple[int, int]] = []

    position = Projector(p.ledger, p.views.recorder, batch_size=4).rebuild(
        progress=lambda done, total: seen.append((done, total))
    )

    assert position == p.ledger.process_recorder.max_notification_id()
    assert snapshot(p.views, logchain, times) == live
    assert [done for done, _ in seen] == sorted({done for done, _ in seen})
    assert seen[-1] == (position, position)
    assert len(seen) > 3


class Crash(Exception):
    """A projector process dying between two batches."""


def _crash_after(batches: int) -> Callable[[int, int], None]:
    calls = []

    def progress(position: int, total: int) -> None:
        calls.append(position)
        if len(calls) >= batches:
            raise Crash

    return progress


def test_the_cache_spares_replays(p: Projected, logchain: Chain) -> None:
    times = _ingest_only(p, logchain)
    warm = Projector(p.ledger, p.views.recorder, batch_size=3)
    warm.run_once()
    assert warm.loads == 0  # every event mutated an aggregate built from the log itself
    expected = snapshot(p.views, logchain, times)

    p.views.recorder.clear(warm.upstream)
    with pytest.raises(Crash):
        Projector(p.ledger, p.views.recorder, batch_size=20).run_once(progress=_crash_after(1))
    cold = Projector(p.ledger, p.views.recorder, batch_size=3)
    cold.run_once()
    assert 0 < cold.loads <= 5 + 2  # at most once per entity and status list met again
    assert snapshot(p.views, logchain, times) == expected

    tiny = Projector(p.ledger, p.views.recorder, cache_size=1)
    tiny.rebuild()
    assert tiny.loads > 0
    assert snapshot(p.views, logchain, times) == expected


def test_wait_times_out_for_a_position_the_ledger_does_not_have(p: Projected, logchain: Chain) -> None:
    last = p.ingest(logchain.hierarchy())

    assert p.projector.wait(last, timeout=0) == last
    with pytest.raises(TimeoutError):
        p.projector.wait(last + 1_000, timeout=0.02)


def test_views_settings_follow_the_ledger_settings(tmp_path: Path, p: Projected) -> None:
    sqlite = views_env(
        {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "l.sqlite")}
    )
    assert sqlite["TRUSTVIEWS_SQLITE_DBNAME"] == str(tmp_path / "l-views.sqlite")
    prefixed = views_env(
        {
            "TRUSTLEDGER_PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "TRUSTLEDGER_SQLITE_DBNAME": "/v/ledger.sqlite",
        }
    )
    assert prefixed["TRUSTVIEWS_SQLITE_DBNAME"] == "/v/ledger-views.sqlite"
    own = views_env({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "TRUSTVIEWS_SQLITE_DBNAME": "/x/v.db"})
    assert own["TRUSTVIEWS_SQLITE_DBNAME"] == "/x/v.db"
    memory = views_env({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    assert "mode=memory" in memory["TRUSTVIEWS_SQLITE_DBNAME"]
    postgres = views_env({"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_SCHEMA": "s1"})
    assert (postgres["TRUSTVIEWS_PERSISTENCE_MODULE"], postgres["POSTGRES_SCHEMA"]) == (
        "eventsourcing.postgres",
        "s1",
    )
    with pytest.raises(ValueError):
        views_env({"PERSISTENCE_MODULE": "eventsourcing.dynamodb"})
    assert views_backend(p.views) == ("postgres" if p.store.backend == "postgres" else "sqlite")

"""Every benchmark of `make bench` runs its real code paths (a real Anvil, wrk, nginx, the
ethr-did-resolver peer, PostgreSQL, didkit) at tiny sizes and writes the result bench.summary
reads, so the harness cannot rot between benchmark runs. The figures are not judged here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.benchmarks import result, run_bench


def test_ingest_compares_each_store_with_get_logs(results: Path, ingest: str) -> None:
    report = result(results, "ingest")
    assert report["logs"] >= 60
    rates = report["events_per_second"]
    assert set(rates) == {
        "eth_getLogs alone, raw JSON-RPC (baseline)",
        "getLogs + strict decoding",
        "full catch-up into SQLite",
        "full catch-up into PostgreSQL",
    }
    assert all(rate > 0 for rate in rates.values())
    for store in ("SQLite", "PostgreSQL"):
        extrapolated = report["extrapolated_1m_events"][store]
        assert extrapolated["seconds_for_1m_events"] > 0
        assert extrapolated["peak_rss_mib"] >= extrapolated["rss_before_mib"] > 0
        # ten timed polls, the last one holding every log
        assert all(run[-1][1] == report["logs"] for run in report["slices"][store])
        assert report["catch_up_cpu_seconds"][store] > 0
    assert_profiled(report["profile_sqlite_catch_up"], "ingest")


def test_resolve_measures_ours_the_peer_and_nginx_with_wrk(results: Path, resolve: str) -> None:
    report = result(results, "resolve")
    rows = report["rows"]
    assert set(rows) == {
        "ours, 1 change(s)",
        "peer, 1 change(s)",
        "ours, 3 change(s)",
        "peer, 3 change(s)",
        "ours, versionId=1 of 3",
        "ours, versionTime of version 1",
        "ours, one DID",
        "ours, 1 worker, 1 change(s)",
        "ours, 1 worker, one DID",
        "ours, random DIDs of 8 entities",
        "nginx, the same bytes from a file",
        "ours, random DIDs of 16 entities",
        "ours, random DIDs of 8 entities, all rendered",
        "ours, random DIDs of 16 entities, all rendered",
    }
    for name, row in rows.items():
        assert row["per_second"] > 0 and 0 < row["p50_ms"] <= row["p99_ms"], name
        assert all(sample["requests"] > 0 for sample in row["rounds"]), name
    assert report["workers"] == 2
    for changes in ("1", "3"):  # both sides answered a document that grew with its changes
        assert report["document_bytes"][changes]["ours"] > 0 and report["document_bytes"][changes]["peer"] > 0
    assert report["document_bytes"]["3"]["peer"] > report["document_bytes"]["1"]["peer"]
    # nginx serves the bytes of our one-DID answer: the same size on the wire, headers aside
    assert (
        abs(
            rows["nginx, the same bytes from a file"]["bytes_per_response"]
            - rows["ours, one DID"]["bytes_per_response"]
        )
        < 400
    )
    targets = [target["what"] for target in report["targets"]]
    assert "scale: p50 ms at 16 entities" in targets
    assert "scale: p50 ms at 16 entities, every answer rendered" in targets
    assert sum(target["met"] is None for target in report["targets"]) == 2  # the 1-worker references
    profiled = report["profile_one_worker_one_did"]
    assert_profiled(profiled, "resolve")
    parts = profiled["cumulative"]
    assert set(parts) == {
        "httptools_impl.py:run_asgi",
        "hot_path.py:__call__",
        "hot_path.py:_state",
        "httptools_impl.py:send",
    }
    assert (
        0 < parts["hot_path.py:_state"]["cumulative_s"] < parts["httptools_impl.py:run_asgi"]["cumulative_s"]
    )


def test_gas_compares_ours_before_and_after_with_the_naive_contract(results: Path, gas: str) -> None:
    report = result(results, "gas")
    assert report["naive_full_list"]["extrapolated"] is True
    for operation in ("single", "same_word", "batch_100", "per_entry"):
        assert all(report["gas"][operation][side] > 0 for side in ("before", "after", "naive")), operation
    assert report["gas"]["per_entry"]["after"] < report["gas"]["per_entry"]["before"]


def test_status_size_measures_every_published_encoding(results: Path, status_size: str) -> None:
    report = result(results, "status_size")
    assert report["encoded_bytes"]["raw bitstring (baseline)"]
    assert len(report["encoded_bytes"]) > 1 and len(report["seconds_per_check"]) > 1


def test_verify_times_the_trust_decision_beside_signature_only_checks(results: Path, verify: str) -> None:
    report = result(results, "verify")
    rows = report["rows"]
    for name in (
        "didkit, jwt_vc_json, issuer did:key (baseline)",
        "trust decision, dc+sd-jwt + KB-JWT",
        "trust decision, jwt_vc_json in VP-JWT",
    ):
        assert rows[name]["per_second"] > 0, name
    for found in report["profiles"].values():
        assert_profiled(found, "verify")


def assert_profiled(found: dict[str, Any], ran: str) -> None:
    """A --profile result: its total time, its 15 top functions by own time, each called, and the
    own time of every package."""
    assert found["total_s"] > 0 and len(found["top_by_own_time"]) == 15, ran
    assert all(entry["calls"] > 0 for entry in found["top_by_own_time"]), ran
    # every function's own time is some package's: the shares add up to the whole
    assert abs(sum(share["own_share"] for share in found["own_time_by_package"].values()) - 1) < 0.01, ran


def test_summary_prints_every_target_from_the_results(
    results: Path, ingest: str, resolve: str, gas: str, verify: str
) -> None:
    printed = run_bench("summary", results)
    assert "no (current) results" not in printed
    for row in (
        "DID with 1 change(s)",
        "DID with 3 change(s)",
        "one DID (per s)",
        "historical, versionId=1 of 3",
        "scale: p50 ms at 16 entities",
        "scale: p50 ms at 16 entities, every answer rendered",
        "verification, dc+sd-jwt + KB-JWT",
        "ingest into SQLite",
        "ingest into PostgreSQL",
        "ingest of 1,000,000 events",
        "gas, one revocation, empty word",
        "gas, full 131,072-entry list",
    ):
        assert row in printed, row
    markdown = run_bench("summary", results, "--markdown").splitlines()
    assert markdown[0] == "| what | ours | baseline (same run) | ratio | target | met |"
    assert len(markdown) == 2 + sum(1 for line in printed.splitlines() if line.startswith("│"))


def test_summary_names_a_missing_result(tmp_path: Path) -> None:
    printed = run_bench("summary", tmp_path)
    assert "no (current) results for: resolve, verify, ingest, gas" in printed

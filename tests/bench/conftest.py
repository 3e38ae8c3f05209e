"""Each benchmark of bench/ run once, at tiny sizes, into one temporary results directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.benchmarks import run_bench


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench-results")


@pytest.fixture(scope="module")
def ingest(results: Path) -> str:
    return run_bench("ingest", results, "--events", "60", "--repeat", "1", "--profile")


@pytest.fixture(scope="module")
def resolve(results: Path) -> str:
    return run_bench(
        "resolve",
        results,
        *("--entities", "8", "--large", "16", "--dids", "1", "--changes", "1,3"),
        *("--duration", "1", "--warmup", "0", "--repeat", "1", "--connections", "4", "--profile"),
    )


@pytest.fixture(scope="module")
def gas(results: Path) -> str:
    return run_bench("gas", results, "--batch", "8192", "--naive-entries", "200", "--naive-batch", "100")


@pytest.fixture(scope="module")
def status_size(results: Path) -> str:
    return run_bench("status_size", results, "--repeat", "3")


@pytest.fixture(scope="module")
def verify(results: Path) -> str:
    return run_bench("verify", results, "--count", "3", "--repeat", "1", "--profile")

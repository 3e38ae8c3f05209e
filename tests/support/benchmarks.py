"""Running a benchmark of bench/ as `make bench` does (`python -m bench.<name>`), at tiny sizes, with
its JSON written to a directory of the test's (BENCH_RESULTS) instead of bench/results/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_bench(name: str, results: Path, *args: str, timeout: float = 120) -> str:
    """`python -m bench.<name> args...` from the repository root, this checkout's code first on the
    path; its standard output (the tables it prints). A failing benchmark fails the test with its output."""
    env = {
        **os.environ,
        "BENCH_RESULTS": str(results),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "COLUMNS": "200",
    }
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"bench.{name} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def result(results: Path, name: str) -> dict[str, Any]:
    """The JSON bench.<name> wrote."""
    return json.loads((results / f"{name}.json").read_text())

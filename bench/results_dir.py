"""Where the benchmarks write their JSON and bench.summary reads it: bench/results/, or the directory
named by BENCH_RESULTS (tests/bench/ runs every benchmark at tiny sizes into a temporary one)."""

from __future__ import annotations

import os
from pathlib import Path

RESULTS = Path(os.environ.get("BENCH_RESULTS") or Path(__file__).with_name("results"))

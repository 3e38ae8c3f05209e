"""Where the time goes: a cProfile of one call, as the top functions by their own time, for the
benchmarks' `--profile` (the closing note of an unmet target shows it)."""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

from trust_ledger.paths import PROJECT_ROOT


def profile(run: Callable[[], Any], top: int = 15) -> dict[str, Any]:
    """cProfile `run()`: its total seconds and the `top` functions by own time (tottime), each with
    its calls, own and cumulative seconds and share of the total."""
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total: float = stats.total_tt  # type: ignore[attr-defined]
    entries = []
    for (path, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{shorten(path)}:{line}({name})" if line else name
        entries.append({"function": where, "calls": calls, "own_s": own, "cumulative_s": cumulative})
    entries.sort(key=lambda entry: entry["own_s"], reverse=True)
    for entry in entries:
        entry["own_share"] = entry["own_s"] / total if total else 0.0
    return {"total_s": total, "top_by_own_time": entries[:top]}


def shorten(path: str) -> str:
    """A source path from its package on (site-packages/, the repository root), else as it is."""
    for marker in ("site-packages/", f"{PROJECT_ROOT}/", "lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return path


def print_profile(console: Console, title: str, found: dict[str, Any]) -> None:
    table = Table(title=f"{title}: {found['total_s']:.3f} s profiled, top functions by own time")
    for column in ("function", "calls", "own s", "own %", "cumulative s"):
        table.add_column(column, justify="left" if column == "function" else "right")
    for entry in found["top_by_own_time"]:
        table.add_row(
            entry["function"],
            f"{entry['calls']:,}",
            f"{entry['own_s']:.3f}",
            f"{entry['own_share']:.1%}",
            f"{entry['cumulative_s']:.3f}",
        )
    console.print(table)

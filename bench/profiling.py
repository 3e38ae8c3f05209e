"""Where the time goes: a cProfile of one call, as the top functions by their own time, for the
benchmarks' `--profile` (the closing note of an unmet target shows it)."""

from __future__ import annotations

import cProfile
import pstats
import re
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
    return summarize(pstats.Stats(profiler), top)


def summarize(stats: pstats.Stats, top: int = 15, cumulative_of: tuple[str, ...] = ()) -> dict[str, Any]:
    """What `profile` reports, from profiler statistics (of this process or one dumped to a file);
    with the calls and cumulative seconds of each function named in `cumulative_of` ("file.py:name",
    e.g. "hot_path.py:_state"), so a part of a request can be set against the whole."""
    total: float = stats.total_tt  # type: ignore[attr-defined]
    entries = []
    for (path, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{shorten(path)}:{line}({name})" if line else name
        entries.append({"function": where, "calls": calls, "own_s": own, "cumulative_s": cumulative})
    entries.sort(key=lambda entry: entry["own_s"], reverse=True)
    packages: dict[str, float] = {}
    for entry in entries:
        entry["own_share"] = entry["own_s"] / total if total else 0.0
        name = package(entry["function"])
        packages[name] = packages.get(name, 0.0) + entry["own_s"]
    by_package = {
        name: {"own_s": own, "own_share": own / total if total else 0.0}
        for name, own in sorted(packages.items(), key=lambda item: item[1], reverse=True)
    }
    named = {}
    for (path, _, name), (_, calls, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        key = f"{path.rsplit('/', 1)[-1]}:{name}"
        if key in cumulative_of:
            named[key] = {"calls": calls, "cumulative_s": cumulative}
    return {
        "total_s": total,
        "top_by_own_time": entries[:top],
        "own_time_by_package": by_package,
        "cumulative": named,
    }


def shorten(path: str) -> str:
    """A source path from its package on (site-packages/, the repository root, the standard
    library as stdlib/), else as it is."""
    for marker in ("site-packages/", f"{PROJECT_ROOT}/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return re.sub(r"^.*/lib/python3\.\d+/", "stdlib/", path)


def package(function: str) -> str:
    """Whose code a profiled function is: the top-level package of its source, or for a built-in
    the extension module named in it (sqlite3, cryptography, ...), else `builtins`."""
    if function.startswith("<"):
        found = re.search(r"of '([A-Za-z_][\w]*)", function)
        return found.group(1) if found else "builtins"
    head = function.split("/", 2)
    if head[0] == "stdlib" and len(head) > 1:  # json/decoder.py:343(...) or base64.py:65(...)
        return "stdlib/" + head[1].split(":")[0].removesuffix(".py")
    return head[0].split(":")[0]


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
    shares = ", ".join(
        f"{name} {found_share['own_share']:.0%}"
        for name, found_share in list(found["own_time_by_package"].items())[:8]
    )
    console.print(f"own time by package: {shares}")
    for key, found_part in found.get("cumulative", {}).items():
        console.print(
            f"  {key}: {found_part['calls']:,} calls, {found_part['cumulative_s']:.3f} s cumulative"
        )

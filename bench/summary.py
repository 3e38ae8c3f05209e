"""Issue 18's target table from the benchmarks' results (bench/results/*.json): each row with our
figure, the baseline measured in the same run, the ratio, the target and whether it is met.
Run after the benchmarks (`make bench` does); a missing result is named, not guessed.

    python -m bench.summary [--markdown]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.results_dir import RESULTS

COLUMNS = ("what", "ours", "baseline (same run)", "ratio", "target", "met")
DIDKIT = "didkit, jwt_vc_json, issuer did:key (baseline)"
DECISIONS = ("trust decision, dc+sd-jwt + KB-JWT", "trust decision, jwt_vc_json in VP-JWT")


def load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def row(what: str, ours: str, baseline: str, ratio: str, target: str, met: bool | None) -> list[str]:
    return [what, ours, baseline, ratio, target, "-" if met is None else ("yes" if met else "NO")]


def resolver_rows(report: dict[str, Any]) -> list[list[str]]:
    out = []
    for target in report["targets"]:
        ratio = target["ratio"]
        shown = (
            "" if ratio is None else (f"{ratio:.2%}" if "nginx" in target["baseline"] else f"{ratio:.2f}x")
        )
        ours = target["ours"]
        out.append(
            row(
                target["what"],
                f"{ours:,.2f}" if ours < 100 else f"{ours:,.0f}",
                target["baseline"],
                shown,
                target["target"],
                target["met"],
            )
        )
    return out


def verify_rows(report: dict[str, Any]) -> list[list[str]]:
    rows = report["rows"]
    didkit = rows[DIDKIT]["per_second"]
    clock = "CPU time" if report.get("clock", "").startswith("thread CPU") else "wall clock"
    out = []
    for name in DECISIONS:
        rate = rows[name]["per_second"]
        out.append(
            row(
                f"verification, {name.removeprefix('trust decision, ')} (per s, one core, {clock})",
                f"{rate:,.0f}",
                f"didkit signature-only: {didkit:,.0f}",
                f"{rate / didkit:.2f}x",
                ">= 1,000/s and >= didkit",
                rate >= 1000 and rate >= didkit,
            )
        )
    return out


def ingest_rows(report: dict[str, Any]) -> list[list[str]]:
    rates = report["events_per_second"]
    ratios = report["ratio_to_get_logs"]
    get_logs = next(rate for name, rate in rates.items() if name.startswith("eth_getLogs"))
    sqlite, postgres = "full catch-up into SQLite", "full catch-up into PostgreSQL"
    return [
        row(
            f"ingest into SQLite, {report['logs']:,} logs (events/s)",
            f"{rates[sqlite]:,.0f}",
            f"raw eth_getLogs: {get_logs:,.0f}",
            f"{ratios[sqlite]:.2f}x slower",
            "<= 4x",
            ratios[sqlite] <= 4,
        ),
        row(
            "ingest into PostgreSQL (events/s)",
            f"{rates[postgres]:,.0f}",
            f"SQLite: {rates[sqlite]:,.0f}",
            f"{ratios[postgres] / ratios[sqlite]:.2f}x slower",
            "<= 1.3x SQLite",
            ratios[postgres] <= 1.3 * ratios[sqlite],
        ),
        *(
            row(
                f"ingest of 1,000,000 events into {store}, extrapolated",
                f"{found['seconds_for_1m_events'] / 60:,.1f} min",
                f"peak RSS {found['peak_rss_mib']:,.0f} MiB (from {found['rss_before_mib']:,.0f})",
                "",
                "stated",
                None,
            )
            for store, found in report["extrapolated_1m_events"].items()
        ),
    ]


def gas_rows(report: dict[str, Any]) -> list[list[str]]:
    gas = report["gas"]
    out = []
    for key, label in (
        ("single", "one revocation, empty word"),
        ("same_word", "one revocation, written word"),
    ):
        after, naive = gas[key]["after"], gas[key]["naive"]
        out.append(
            row(
                f"gas, {label}",
                f"{after:,.0f}",
                f"naive contract: {naive:,.0f}",
                f"{after / naive:.2f}x",
                "<= 1x",
                after <= naive,
            )
        )
    per_entry = gas["per_entry"]
    out.append(
        row(
            "gas, full 131,072-entry list, per entry",
            f"{per_entry['after']:,.1f}",
            f"naive {per_entry['naive']:,.0f}; before {per_entry['before']:,.0f}; floor 86",
            f"{per_entry['after'] / 86:.2f}x floor",
            "<= 150",
            per_entry["after"] <= 150,
        )
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--markdown", action="store_true", help="print the table as Markdown (bench/README.md)"
    )
    args = parser.parse_args()
    console = Console(width=200)
    table = Table(title="issue 18 targets: ours, the baseline from the same run, the ratio")
    for column in COLUMNS:
        table.add_column(column, justify="right" if column in ("ours", "ratio") else "left")
    markdown = ["| " + " | ".join(COLUMNS) + " |", "|---|---:|---|---:|---|---|"]
    missing = []
    for name, rows in (
        ("resolve", resolver_rows),
        ("verify", verify_rows),
        ("ingest", ingest_rows),
        ("gas", gas_rows),
    ):
        report = load(name)
        try:
            found = rows(report) if report is not None else None
        except KeyError:  # a result file from before issue 18's benchmarks
            found = None
        if found is None:
            missing.append(name)
            continue
        for cells in found:
            table.add_row(*cells)
            markdown.append("| " + " | ".join(cell.strip() or " " for cell in cells) + " |")
        table.add_section()
    if args.markdown:
        print("\n".join(markdown))
    else:
        console.print(table)
    if missing:
        console.print(f"no (current) results for: {', '.join(missing)} (run python -m bench.<name>)")


if __name__ == "__main__":
    main()

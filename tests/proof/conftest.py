"""The fault and load proofs: the follower's pump and the e2e `serve resolver` processes, reused."""

from __future__ import annotations

from tests.e2e.conftest import start_resolver
from tests.follower.conftest import pump
from tests.proof.support import SUMMARIES

__all__ = ["pump", "start_resolver"]


def pytest_terminal_summary(terminalreporter) -> None:
    """Repeat each proof's one-line figures at the end of the run (bench/results/proof-*.json)."""
    if SUMMARIES:
        terminalreporter.section("proof figures")
        for line in SUMMARIES:
            terminalreporter.write_line(line)

"""Running `trust-ledger` as a person does: a real process, judged by exit code and output."""

from __future__ import annotations

import subprocess
import sys

CLI = [sys.executable, "-c", "from trust_ledger.cli import main; main()"]
"""The console script's entry point, run with this interpreter."""


def ok(process: subprocess.CompletedProcess) -> str:
    """The stdout of a command that must have succeeded."""
    assert process.returncode == 0, process.stderr
    return process.stdout


def refused(process: subprocess.CompletedProcess) -> str:
    """The one `error: ...` line of a command that must have failed with exit 1."""
    assert process.returncode == 1, process.stdout
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one clear line, got: {process.stderr}"
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")

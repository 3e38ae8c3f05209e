"""Running `trust-ledger` as a person does: a real process, judged by exit code and output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


SHELL_SETTINGS = (
    "TRUST_LEDGER_DEPLOYMENT",
    "TRUST_LEDGER_RPC_URL",
    "TRUST_LEDGER_PRIVATE_KEY",
    "PERSISTENCE_MODULE",
    "TRUST_LEDGER_LOG_LEVEL",
)
"""What a developer's shell may have set that would point a test's process at another world."""


def own_world(var: Path, **extra: str) -> dict[str, str]:
    """This process's environment for a `trust-ledger` process with a world of its own: its var
    directory (SQLite stores, the dev chain's state) at `var`, none of SHELL_SETTINGS, plus `extra`."""
    env = {name: value for name, value in os.environ.items() if name not in SHELL_SETTINGS}
    return {**env, "TRUST_LEDGER_VAR": str(var), **extra}

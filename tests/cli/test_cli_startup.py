"""The command line starts fast: a command loads only its own module, `--json` goes where people put it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.cli_process import CLI, ok

LOADED = """
import sys
from trust_ledger.cli import main
sys.argv = ["trust-ledger", *{args!r}]
try:
    main()
except SystemExit:
    pass
heavy = ("web3", "eth_account", "fastapi", "uvicorn", "eventsourcing", "pydantic_settings")
heavy = sorted(m for m in heavy if m in sys.modules)
print("LOADED", " ".join(heavy), file=sys.stderr)
"""


def loaded_modules(*args: str) -> set[str]:
    """The heavy libraries a command run imported."""
    program = LOADED.format(args=list(args))
    process = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    line = next(line for line in process.stderr.splitlines() if line.startswith("LOADED"))
    return set(line.split()[1:])


HELP_PAGES = [["--help"], ["entity", "--help"], ["serve", "--help"], ["wallet", "--help"]]


@pytest.mark.parametrize("args", HELP_PAGES)
def test_help_loads_no_chain_or_web_stack(args: list[str]) -> None:
    assert loaded_modules(*args) == set()


def test_a_command_loads_what_it_runs_with() -> None:
    assert "web3" in loaded_modules("chain", "status")


def test_every_command_is_listed_and_loads() -> None:
    listed = ok(subprocess.run([*CLI, "--help"], capture_output=True, text=True, timeout=60))
    for name in ("chain", "entity", "key", "service", "status-list", "status", "wallet", "demo", "serve"):
        assert f" {name} " in listed
        ok(subprocess.run([*CLI, name, "--help"], capture_output=True, text=True, timeout=60))
    for name in ("dev", "rebuild", "resolve", "follow", "history", "export-trust", "verify"):
        assert f" {name} " in listed
        page = ok(subprocess.run([*CLI, name, "--help"], capture_output=True, text=True, timeout=60))
        assert "--json" in page, f"{name} accepts --json after the command"
    subcommands = [
        ("serve", "resolver"),
        ("serve", "issuer"),
        ("serve", "verifier"),
        ("demo", "dataspace"),
        ("entity", "register"),
        ("key", "add"),
        ("service", "add"),
        ("status-list", "create"),
        ("status", "set"),
        ("wallet", "list"),
        ("chain", "status"),
    ]
    for group, name in subcommands:
        ok(subprocess.run([*CLI, group, name, "--help"], capture_output=True, text=True, timeout=60))

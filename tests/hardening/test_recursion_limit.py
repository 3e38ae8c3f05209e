"""Issue 13.1: importing web3 (through py_ecc) raised the recursion limit to 100,000, so the C JSON
decoder overflowed the C stack on deep nesting and the process died of SIGSEGV. Every path by which
this project imports web3 or eth_account now leaves the limit at CPython's default, and deep JSON
raises RecursionError, which the process survives."""

from __future__ import annotations

import subprocess
import sys

import pytest

DEEP = "json.loads('[' * 100000 + ']' * 100000)"

IMPORT_PATHS = [
    "import trust_ledger.chain.gateway",
    "import trust_ledger.chain.follower",
    "import trust_ledger.cli.context",
    "import trust_ledger.cli",
    "import web3, trust_ledger",  # a program importing web3 before this package
    "import eth_account, trust_ledger.chain.deployment",
]


def run(program: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("importing", IMPORT_PATHS)
def test_the_recursion_limit_is_restored_after_web3_is_imported(importing: str) -> None:
    process = run(f"import sys\n{importing}\nprint(sys.getrecursionlimit())")
    assert process.returncode == 0, process.stderr
    assert int(process.stdout) <= 1000


def test_deeply_nested_json_raises_instead_of_killing_the_process() -> None:
    program = f"""
import json
import trust_ledger.chain.gateway  # imports web3
try:
    {DEEP}
except RecursionError:
    print("survived")
"""
    process = run(program)
    assert process.returncode == 0, f"exit {process.returncode}: {process.stderr[-500:]}"
    assert process.stdout.strip() == "survived"

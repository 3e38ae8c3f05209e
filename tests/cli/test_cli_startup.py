"""The command line starts fast: a command loads only its own module, `--json` goes where people put it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from anvil.accounts import dev_key
from tests.support.cli_process import CLI, ok, own_world

MULTIKEY = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"

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


HELP_PAGES_PROGRAM = """
import contextlib, io, json, sys
from trust_ledger.cli import main
pages = {}
for args in json.loads(sys.argv[1]):
    sys.argv = ["trust-ledger", *args]
    page = io.StringIO()
    with contextlib.redirect_stdout(page):
        try:
            main()
            code = 0
        except SystemExit as exit:
            code = exit.code
    pages[" ".join(args)] = {"code": code, "page": page.getvalue()}
print(json.dumps(pages))
"""
"""Render help pages one after the other in one `trust-ledger` process, as {args: {code, page}}."""


def help_pages(*commands: list[str]) -> dict[str, dict]:
    argument = json.dumps([[*command, "--help"] for command in commands])
    process = subprocess.run(
        [sys.executable, "-c", HELP_PAGES_PROGRAM, argument], capture_output=True, text=True, timeout=120
    )
    assert process.returncode == 0, process.stderr
    return {args.removesuffix(" --help"): page for args, page in json.loads(process.stdout).items()}


def test_every_command_is_listed_and_loads() -> None:
    listed = ok(subprocess.run([*CLI, "--help"], capture_output=True, text=True, timeout=60))
    groups = ["chain", "entity", "key", "service", "status-list", "status", "wallet", "demo", "serve"]
    commands = ["dev", "rebuild", "resolve", "follow", "history", "export-trust", "verify"]
    subcommands = [
        ["serve", "resolver"],
        ["serve", "issuer"],
        ["serve", "verifier"],
        ["demo", "dataspace"],
        ["entity", "register"],
        ["key", "add"],
        ["service", "add"],
        ["status-list", "create"],
        ["status", "set"],
        ["wallet", "list"],
        ["chain", "status"],
    ]
    for name in groups + commands:
        assert f" {name} " in listed
    pages = help_pages(*([name] for name in groups + commands), *subcommands)
    for args, shown in pages.items():
        assert shown["code"] == 0, f"{args} --help exited {shown['code']}"
        assert f"Usage: trust-ledger {args} " in shown["page"]
    for name in commands:
        assert "--json" in pages[name]["page"], f"{name} accepts --json after the command"


NOT_ON_THE_ADMIN_PATH = (
    "web3",
    "eth_account",
    "eth_keyfile",
    "py_ecc.bls",
    "py_ecc.optimized_bls12_381",
    "solcx",
    "requests",
    "aiohttp",
    "fastapi",
    "uvicorn",
)
"""What an admin command on the chain does not load: web3 and eth_account (whose keyfile module
builds py_ecc's BLS pairing tables on import), the compiler, the services' HTTP stacks."""

ADMIN_RUN = """
import sys
from trust_ledger.cli import main
sys.argv = ["trust-ledger", *{args!r}]
try:
    main()
finally:
    print("LOADED", *sorted(m for m in {excluded!r} if m in sys.modules), file=sys.stderr)
"""


def test_admin_commands_on_the_chain_load_neither_web3_nor_eth_account(chain, tmp_path) -> None:
    market = "did:example:startup-market"
    market_key = dev_key("dev1").hex()  # a hex private key, as TRUST_LEDGER_PRIVATE_KEY holds it
    commands = [
        (
            {},
            [
                "entity",
                "register",
                "--parent",
                "root",
                "--label",
                "m",
                "--did",
                market,
                "--controller",
                "dev1",
            ],
        ),
        (
            {"TRUST_LEDGER_PRIVATE_KEY": market_key},
            ["key", "add", market, "--id", "k", "--multibase", MULTIKEY],
        ),
        (
            {"TRUST_LEDGER_PRIVATE_KEY": market_key},
            ["status-list", "create", market, "--uri", "https://x.example/1"],
        ),
        ({"TRUST_LEDGER_PRIVATE_KEY": market_key}, ["status", "set", "1", "5", "7-9"]),
        ({}, ["entity", "suspend", market]),
        ({}, ["entity", "show", market]),
    ]
    for extra, args in commands:
        env = own_world(tmp_path / "var", TRUST_LEDGER_DEPLOYMENT=str(chain.manifest), **extra)
        program = ADMIN_RUN.format(args=args, excluded=NOT_ON_THE_ADMIN_PATH)
        process = subprocess.run(
            [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=120
        )
        assert process.returncode == 0, process.stderr
        loaded = next(line for line in process.stderr.splitlines() if line.startswith("LOADED"))
        assert loaded.split()[1:] == [], f"{' '.join(args)} loaded {loaded}"
    assert "suspended" in process.stdout

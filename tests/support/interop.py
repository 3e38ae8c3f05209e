"""Helpers of the interop tests (their fixtures are in tests/interop/conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.verifier import World

SCRIPTS = Path(__file__).resolve().parents[1] / "interop" / "js"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Interop:
    """The served verifier world and the resolver beside it."""

    world: World
    resolver_url: str


def run_node(script: str, *args: str, stdin: str | None = None, env: Mapping[str, str] | None = None) -> Any:
    """Run tests/interop/js/<script> with Node (node_modules of the repository), `stdin` on its
    standard input and `env` added to its environment; its JSON output. A failing script fails the
    test with what the library said."""
    completed = subprocess.run(
        ["node", str(SCRIPTS / script), *args],
        input=stdin,
        env={**os.environ, **(env or {})},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"{script} failed:\n{completed.stderr}\n{completed.stdout}"
    return json.loads(completed.stdout)

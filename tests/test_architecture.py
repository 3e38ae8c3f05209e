"""The layer contract in pyproject.toml covers every module of the core (trust_ledger/ but the
composition root), so a new core module cannot escape `lint-imports` by not being listed."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPOSITION_ROOT = {"cli"}


def test_every_core_module_is_in_the_layer_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = config["tool"]["importlinter"]["contracts"]
    listed = set(re.findall(r"trust_ledger\.(\w+)", " ".join(contract["layers"])))
    modules = {
        path.stem if path.is_file() else path.name
        for path in (ROOT / "trust_ledger").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert modules - listed == set(), "core modules missing from the layer contract"
    assert listed - modules == set(), "the layer contract names modules that do not exist"
    assert listed >= COMPOSITION_ROOT

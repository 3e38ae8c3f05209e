"""Where the checkout keeps its contracts, Node toolchain and runtime state."""

from __future__ import annotations

import os
import platform
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_DIR = PROJECT_ROOT / "contracts"
NODE_MODULES = PROJECT_ROOT / "node_modules"


def var_dir() -> Path:
    """Runtime state (manifest, SQLite files, chain state); TRUST_LEDGER_VAR overrides."""
    return Path(os.environ.get("TRUST_LEDGER_VAR", PROJECT_ROOT / "var"))


def foundry_binary(tool: str) -> Path:
    """The anvil or forge binary shipped inside the pinned @foundry-rs npm package."""
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}[
        platform.machine().lower()
    ]
    system = platform.system().lower()
    binary = NODE_MODULES / "@foundry-rs" / f"{tool}-{system}-{arch}" / "bin" / tool
    if not binary.exists():
        raise FileNotFoundError(f"{binary} is missing: run `npm ci` in {PROJECT_ROOT}")
    return binary


def solc_shim() -> Path:
    """The Node shim that answers like a native solc, backed by the pinned solcjs."""
    if not (NODE_MODULES / "solc").exists():
        raise FileNotFoundError(f"solcjs is missing from {NODE_MODULES}: run `npm ci` in {PROJECT_ROOT}")
    return CONTRACTS_DIR / "solc"

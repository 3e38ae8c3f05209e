"""Where the checkout keeps its contracts, Node toolchain and runtime state."""

from __future__ import annotations

import os
import platform
import stat
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_DIR = PROJECT_ROOT / "contracts"
NODE_MODULES = PROJECT_ROOT / "node_modules"


def var_dir() -> Path:
    """Runtime state (manifest, SQLite files, chain state); TRUST_LEDGER_VAR overrides."""
    from trust_ledger.settings import read_settings  # pydantic-settings: only once a command needs it

    return read_settings().var_dir


PRIVATE_UMASK = 0o077
"""Files this process creates are readable by its user only (SQLite's -wal / -shm / -journal too)."""


def restrict_umask() -> None:
    """Set the process umask to 077: called first by every long-running command and the wallet CLI."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """`path` as a directory only its owner can enter (0700): created so, or tightened when it is
    ours. A shared sticky directory (/tmp) or someone else's is left alone."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid == os.getuid() and not info.st_mode & stat.S_ISVTX and stat.S_IMODE(info.st_mode) != 0o700:
        path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """`path` created (empty) or kept, readable and writable by its owner only (0600), in a private
    directory. SQLite gives the -wal / -shm / -journal files it creates the database file's mode."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    path.chmod(0o600)
    return path


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

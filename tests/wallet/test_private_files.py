"""Issue 14 item 6: the wallet CLI sets umask 077 first, so nothing it creates (the var directory
above the wallet, the wallet, its key and credentials) is readable by another local user, even when
started from a shell whose umask is the usual 022."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from tests.support.cli_process import CLI, ok


def test_wallet_cli_creates_private_files_under_umask_022(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = {**os.environ, "TRUST_LEDGER_VAR": str(var)}
    env.pop("TRUST_LEDGER_WALLET_DIR", None)
    process = subprocess.run(
        [*CLI, "wallet", "init"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert ok(process).strip().startswith("did:")
    created = [var, *var.rglob("*")]
    assert len(created) > 2, created
    for path in created:
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, f"{path} is {oct(path.stat().st_mode)}"

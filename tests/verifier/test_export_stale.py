"""`trust-ledger export-trust` signs no snapshot of views that are halted, or that no follower keeps
fresh (TRUST_DATA_STALE): offline verifiers age a snapshot from its export."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from projections import open_views
from projections.api import FollowerStatus
from tests.support.cli_process import CLI, refused
from trust_ledger.store import ledger_env


def export(var: Path, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TRUST_LEDGER_VAR": str(var), "TRUST_LEDGER_DEPLOYMENT": str(var / "none.json")}
    return subprocess.run(
        [*CLI, "export-trust", "--out", str(out), "--no-catch-up"], env=env, capture_output=True, text=True
    )


def test_export_trust_refuses_views_no_follower_reports_on_or_that_halted(sqlite_var: Path) -> None:
    out = sqlite_var / "trust.jws"
    message = refused(export(sqlite_var, out))
    assert message.startswith("TRUST_DATA_STALE: the views are not exported: no follower has reported")

    views = open_views(ledger_env(sqlite_var))
    now = time.time()
    views.record_follower_status(
        FollowerStatus(
            reported_at=now,
            checked_at=now,
            horizon_block=12,
            synced_block=12,
            chain_reachable=True,
            halted_reason="reorg below the finality horizon at block 12",
            halted_block=12,
        )
    )
    views.close()
    message = refused(export(sqlite_var, out))
    assert "the follower halted at block 12: reorg below the finality horizon at block 12" in message
    assert not out.exists()

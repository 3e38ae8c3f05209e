"""Issue 14 item 6: the issuer's secret stores are created 0600 in 0700 directories (also SQLite's
-wal / -shm files, after a write), and the per-offer sealing keys are not kept beside the records
they seal. The issuer is the real one (tests/issuer/conftest.py); the test process's umask is the
usual 022, so the modes come from the module itself."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.support.issuer import RunningIssuer


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_issuer_stores_are_private_and_keys_live_apart(issuer: RunningIssuer) -> None:
    issuer.offer()  # a write to the records, the keys and the nonce-free stores
    var = issuer.ctx.config.var_dir
    assert var is not None
    assert mode(var) == 0o700, f"{var} is {oct(mode(var))}"
    stores = sorted(var.glob("issuer-*"))
    assert {p.name for p in stores} >= {"issuer-records.sqlite", "issuer-status.sqlite"}
    assert any(p.name.endswith("-wal") for p in stores), "the stores run in WAL mode: a -wal file exists"
    for path in stores:
        assert mode(path) == 0o600, f"{path.name} is {oct(mode(path))}"

    keys = issuer.ctx.shredder.path
    assert keys.exists() and not keys.resolve().is_relative_to(var.resolve())
    assert not (var / "issuer-keys.sqlite").exists(), "the sealing keys are not beside the records"
    assert mode(keys.parent) == 0o700 and mode(keys) == 0o600
    for sidecar in keys.parent.glob(keys.name + "-*"):
        assert mode(sidecar) == 0o600, f"{sidecar.name} is {oct(mode(sidecar))}"

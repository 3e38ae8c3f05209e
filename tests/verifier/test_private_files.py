"""Issue 14 item 6: the verifier's session store (nonces, states, presentations' personal data) is
created 0600 in a 0700 directory, its -wal / -shm files too, with the test process's umask at 022."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.support.verifier import World


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_session_store_is_private(world: World) -> None:
    world.open_request()  # a write: the session row
    var = world.ctx.config.var_dir
    assert var is not None
    assert mode(var) == 0o700, f"{var} is {oct(mode(var))}"
    sessions = sorted(var.glob("verifier-sessions.sqlite*"))
    assert any(p.name.endswith("-wal") for p in sessions), [p.name for p in sessions]
    for path in sessions:
        assert mode(path) == 0o600, f"{path.name} is {oct(mode(path))}"

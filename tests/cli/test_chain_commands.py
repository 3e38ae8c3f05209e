"""`trust-ledger chain up/down`: start, reuse, stop and resume the local dev chain."""

from __future__ import annotations

import json
import os
import subprocess

from anvil.accounts import dev_account
from anvil.devchain import free_port
from tests.support.cli_process import CLI
from trust_ledger.chain.deployment import Deployment
from trust_ledger.chain.gateway import TrustGateway


def test_chain_up_is_idempotent_and_resumes_after_down(tmp_path):
    env = {**os.environ, "TRUST_LEDGER_VAR": str(tmp_path)}
    env.pop("TRUST_LEDGER_DEPLOYMENT", None)
    port = str(free_port())

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*CLI, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    try:
        first = cli("chain", "up", "--port", port)
        assert first.returncode == 0, first.stderr
        assert "started and deployed" in first.stdout
        manifest = json.loads((tmp_path / "deployment.json").read_text())
        assert manifest["chain_id"] == 31337
        assert manifest["trust_anchor"] == dev_account("anchor").address
        assert manifest["rpc_url"] == f"http://127.0.0.1:{port}"

        second = cli("chain", "up", "--port", port)
        assert second.returncode == 0, second.stderr
        assert "already up" in second.stdout
        assert json.loads((tmp_path / "deployment.json").read_text()) == manifest

        registered = cli(
            "entity",
            "register",
            "--parent",
            "root",
            "--label",
            "kept",
            "--did",
            "did:example:kept",
            "--controller",
            "dev1",
        )
        assert registered.returncode == 0, registered.stderr

        assert cli("chain", "down").stdout.strip() == "dev chain stopped"
        assert cli("chain", "status").returncode == 1

        again = cli("chain", "up", "--port", port)
        assert again.returncode == 0, again.stderr
        assert "already up" not in again.stdout
        assert json.loads((tmp_path / "deployment.json").read_text()) == manifest, (
            "no redeploy after a restart"
        )
        deployment = Deployment.load(tmp_path / "deployment.json")
        entity = TrustGateway.connect(deployment.rpc_url, deployment).entity("did:example:kept")
        assert entity.controller == dev_account("dev1").address
    finally:
        cli("chain", "down")

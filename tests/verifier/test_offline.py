"""Offline verification: a presentation checked against a signed snapshot with no chain and no
network, the result stating the snapshot's age; a revocation after the export is only seen by a
newer snapshot, exactly like a daily revocation list."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from api.credentials.keys import SigningKey
from api.credentials.sd_jwt import present
from api.verifier.snapshot import build_snapshot, sign_snapshot
from tests.support.cli_process import CLI
from tests.support.verifier import EMPLOYEE, World

AUDIENCE = "decentralized_identifier:did:web:offline-verifier.test"
NONCE = "offline-nonce-0123456789abcdef"


def export(world: World, directory: Path, key: SigningKey, name: str) -> Path:
    snapshot = directory / name
    snapshot.write_text(sign_snapshot(build_snapshot(world.service.views), key))
    return snapshot


def verify_offline(
    tmp_path: Path, presentation: str, snapshot: Path, key_file: Path, *extra: str
) -> tuple[int, dict]:
    """`trust-ledger verify --snapshot` in a process that has no manifest and a dead RPC URL."""
    env = {
        "PATH": "/usr/bin:/bin",
        "TRUST_LEDGER_VAR": str(tmp_path / "offline-var"),
        "TRUST_LEDGER_DEPLOYMENT": str(tmp_path / "no-such-manifest.json"),
        "TRUST_LEDGER_RPC_URL": "http://127.0.0.1:9",
    }
    process = subprocess.run(
        [
            *CLI,
            "verify",
            "-",
            "--type",
            EMPLOYEE,
            "--audience",
            AUDIENCE,
            "--nonce",
            NONCE,
            "--claim",
            "name",
            "--snapshot",
            str(snapshot),
            "--trusted-key",
            str(key_file),
            *extra,
        ],
        input=presentation,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=Path.cwd(),
    )
    assert process.returncode in (0, 1), process.stderr
    return process.returncode, json.loads(process.stdout)


def test_offline_verification_against_a_snapshot_states_its_age_and_sees_revocations_only_when_exported(
    world: World, tmp_path: Path
) -> None:
    exporter = SigningKey.generate()
    key_file = tmp_path / "exporter.pub.jwk"
    key_file.write_text(json.dumps(exporter.public_jwk))
    credential = world.sd_jwt(index=40)
    presentation = present(credential, holder=world.holder, audience=AUDIENCE, nonce=NONCE)
    before = export(world, tmp_path, exporter, "before.jwt")

    code, result = verify_offline(tmp_path, presentation, before, key_file)
    assert code == 0 and result["trusted"] is True, result
    assert result["credential"]["issuer"] == world.issuer_key.did and result["credential"]["type"] == EMPLOYEE
    assert result["credential"]["statusChecked"] == ["revocation"]
    assert result["trustSource"].startswith("offline snapshot of block")
    assert 0 <= result["snapshotAge"] < 120

    world.on_chain("dev2", "set_statuses", world.lists["revocation"], [40])
    code, result = verify_offline(tmp_path, presentation, before, key_file)
    assert code == 0 and result["trusted"] is True, "the old snapshot predates the revocation"
    after = export(world, tmp_path, exporter, "after.jwt")
    code, result = verify_offline(tmp_path, presentation, after, key_file)
    assert code == 1 and result["reason"] == "REVOKED", result

    code, result = verify_offline(tmp_path, presentation, before, key_file, "--max-age", "-1")
    assert code == 1 and result["reason"] == "TRUST_DATA_STALE"
    block = result["trustSource"].split()[4]  # "offline snapshot of block N exported at ..."
    assert f"the snapshot of block {block} is" in result["message"] and "(bound -1s)" in result["message"]


def test_offline_verification_refuses_a_snapshot_signed_by_another_key(world: World, tmp_path: Path) -> None:
    pinned = tmp_path / "pinned.pub.jwk"
    pinned.write_text(json.dumps(SigningKey.generate().public_jwk))
    snapshot = export(world, tmp_path, SigningKey.generate(), "forged.jwt")
    presentation = present(world.sd_jwt(), holder=world.holder, audience=AUDIENCE, nonce=NONCE)
    process = subprocess.run(
        [
            *CLI,
            "verify",
            presentation,
            "--type",
            EMPLOYEE,
            "--audience",
            AUDIENCE,
            "--nonce",
            NONCE,
            "--snapshot",
            str(snapshot),
            "--trusted-key",
            str(pinned),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 1 and process.stderr.startswith(
        "error: snapshot refused (SIGNATURE_INVALID)"
    ), process.stderr

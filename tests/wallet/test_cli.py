"""`trust-ledger wallet ...` as a person runs it: real processes against a stub issuer over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli_process import CLI, ok, refused
from tests.wallet.issuer_stub import DEGREE, PERSON, StubIssuer

# What trust_ledger/cli/__init__.py needs: app.add_typer(wallet.app, name="wallet").


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    def run(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "TRUST_LEDGER_VAR": str(tmp_path / "var")}
        env.pop("TRUST_LEDGER_WALLET_DIR", None)
        return subprocess.run(
            [*CLI, "wallet", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def test_init_accept_list_show(cli, issuer: StubIssuer, tmp_path: Path) -> None:
    assert refused(cli("did")).startswith(
        f"no wallet in {tmp_path / 'var' / 'wallet'}: run `trust-ledger wallet init`"
    )
    did = ok(cli("init")).strip()
    assert did.startswith("did:jwk:") and (tmp_path / "var" / "wallet" / "holder_key.jwk").exists()
    assert ok(cli("init")).strip() == did  # idempotent
    assert ok(cli("did")).strip() == did

    lines = ok(cli("accept", issuer.offer("Person", "Degree", by_reference=True))).splitlines()
    assert len(lines) == 2 and lines[0].startswith("stored ") and "dc+sd-jwt  Person  from " in lines[0]
    assert "jwt_vc_json  Degree" in lines[1]
    assert issuer.proofs[0].holder_did == did

    listed = json.loads(ok(cli("list", "--json")))
    assert [c["configuration_id"] for c in listed] == ["Person", "Degree"]
    by_config = {c["configuration_id"]: c for c in listed}
    assert by_config["Person"]["claims"] == PERSON
    assert by_config["Degree"]["claims"] == {"id": did, **DEGREE}
    assert len(ok(cli("list")).splitlines()) == 2

    shown = json.loads(ok(cli("show", by_config["Degree"]["id"][:8])))
    assert shown == by_config["Degree"]
    assert refused(cli("show", "zzzz")) == "credential store failed: no credential 'zzzz'"


def test_refusals_are_one_line(cli, issuer: StubIssuer, tmp_path: Path) -> None:
    directory = str(tmp_path / "mine")
    did = ok(cli("init", "--dir", directory, "--curve", "Ed25519", "--binding", "did:key")).strip()
    assert did.startswith("did:key:z6Mk")
    assert ok(cli("init", "--dir", directory)).strip() == did
    assert refused(cli("init", "--dir", directory, "--curve", "P-256")).endswith(
        "has a key on Ed25519, not P-256"
    )
    assert refused(cli("init", "--dir", directory, "--binding", "did:jwk")).endswith(
        "uses did:key, not did:jwk"
    )
    link = issuer.offer("Person", tx_code="123456")
    assert refused(cli("accept", link, "--dir", directory, "--tx-code", "654321")) == (
        "token request refused: invalid_grant: wrong transaction code"
    )
    assert refused(cli("accept", link, "--dir", directory)).startswith(
        "credential offer failed: the offer requires a transaction code"
    )
    assert refused(cli("accept", "https://example.com/nothing", "--dir", directory)).startswith(
        "credential offer failed: the link needs exactly one of"
    )
    fresh = issuer.offer("Person", tx_code="123456")
    assert "dc+sd-jwt  Person" in ok(cli("accept", fresh, "--dir", directory, "--tx-code", "123456"))
    assert issuer.proofs[-1].holder_did == did

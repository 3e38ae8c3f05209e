"""Issue 14 item 7: two issuer modules (different organisations, different Access-Tokens) never see
each other's records. The second shares the first's records database (as two modules on one
PostgreSQL schema, or one copied SQLite file, would) and still cannot list (DWVC-202/203), fetch
(DWVC-201) or change (DWVC-301) the first's credentials; and a module refuses to start over a var
directory that another organisation's module owns."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from anvil.accounts import dev_account
from anvil.devchain import free_port
from api.credentials.keys import SigningKey, read_payload
from api.issuer.app import create_app
from api.issuer.config import IssuerConfig
from api.issuer.wiring import DirectoryOwned, open_issuer
from api.wallet import Wallet
from tests.support.cli_process import CLI, own_world, refused
from tests.support.issuer import ISSUER_DID, TEMPLATES, RunningIssuer

OTHER_DID = "did:web:other.issuer.test"
OTHER_TOKEN = "other-org-backend-token-0123456789"


def _other_config(var: Path) -> IssuerConfig:
    key = SigningKey.generate("P-256", did=OTHER_DID, key_id="key-1")
    return IssuerConfig.model_validate(
        {
            "did": OTHER_DID,
            "base_url": "http://127.0.0.1:9",
            "signing_key": {"key_id": "key-1", "jwk": key.private_jwk()},
            "templates": TEMPLATES,
            "access_tokens": [OTHER_TOKEN],
            "status_list_size": 1024,
            "var_dir": str(var),
        }
    )


def _code(response: Any, status: int = 400) -> str:
    assert response.status_code == status, response.text
    return response.json()["code"]


def test_a_second_organisation_sees_nothing_of_the_first(
    issuer: RunningIssuer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = issuer.offer(dataTag="acme")
    Wallet(tmp_path / "holder").accept_offer(created["deepLink"], format="jwt_vc_json")
    transaction = created["transactionId"]
    credential = issuer.api("GET", f"/api/credential/nonce/{transaction}").json()["credential"]
    cid = read_payload(credential)["jti"].rsplit("/", 1)[1]

    var = issuer.ctx.config.var_dir
    assert var is not None
    monkeypatch.setenv("ISSUANCERECORDS_PERSISTENCE_MODULE", "eventsourcing.sqlite")
    monkeypatch.setenv("ISSUANCERECORDS_SQLITE_DBNAME", str(var / "issuer-records.sqlite"))
    other = open_issuer(_other_config(tmp_path / "other-var"), issuer.chain.gateway("dev1"), issuer.service)
    try:
        with TestClient(create_app(other), headers={"Access-Token": OTHER_TOKEN}) as client:
            assert _code(client.get(f"/api/credential/nonce/{transaction}")) == "11001"  # DWVC-201
            listed = client.get("/api/credential/datatag/acme")  # DWVC-202
            assert listed.status_code == 200 and listed.json()["vcList"] == [], listed.text
            filtered = client.post("/api/credential/vcdata", json={})  # DWVC-203
            assert filtered.status_code == 200 and filtered.json()["vcList"] == [], filtered.text
            assert _code(client.put(f"/api/credential/{cid}/revocation")) == "61010"  # DWVC-301
    finally:
        other.records.close()
    # the first organisation still has its card, active
    mine = issuer.api("GET", "/api/credential/datatag/acme").json()["vcList"]
    assert [(row["cid"], row["credentialStatus"]) for row in mine] == [(cid, "0")]


def test_a_var_directory_owned_by_another_organisation_is_refused(issuer: RunningIssuer) -> None:
    var = issuer.ctx.config.var_dir
    assert var is not None
    with pytest.raises(DirectoryOwned) as refused:
        open_issuer(_other_config(var), issuer.chain.gateway("dev1"), issuer.service)
    message = str(refused.value)
    assert "\n" not in message and OTHER_DID in message and ISSUER_DID in message and str(var) in message


def test_serve_issuer_over_another_organisations_directory_stops_with_one_line(
    issuer: RunningIssuer, tmp_path: Path
) -> None:
    var = issuer.ctx.config.var_dir
    assert var is not None
    deployment = tmp_path / "deployment.json"
    issuer.chain.deployment.save(deployment)
    config = _other_config(var).model_dump(mode="json", exclude_none=True)
    config["controller_key"] = "0x" + bytes(dev_account("dev2").key).hex()
    config_file = tmp_path / "other-issuer.json"
    config_file.write_text(json.dumps(config), encoding="utf-8")
    command = [*CLI, "--deployment", str(deployment), "serve", "issuer", str(config_file)]
    process = subprocess.run(
        [*command, "--port", str(free_port())],
        env=own_world(tmp_path / "other-ledger"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    line = refused(process)
    assert OTHER_DID in line and ISSUER_DID in line and "issuer-owner.json" in line, line

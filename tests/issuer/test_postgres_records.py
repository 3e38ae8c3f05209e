"""The issuer with its issuance records, ledger and trust views on PostgreSQL (a fresh schema):
one full issuance + revocation, then the records read back from the database by a fresh app. The
ledger's settings alone put every store there: records, status-index allocations and c_nonces in
the ledger's schema, the sealing keys in a schema of their own (issue 19 item 1)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from api.credentials.keys import verify_jws
from api.credentials.sd_jwt import verify_sd_jwt_vc
from api.issuer.records import REVOKED, IssuanceRecords
from api.status.encodings import INVALID, token_status
from api.wallet import Wallet
from projections.store_postgres import PostgresViewRecorder
from tests.support.issuer import ISSUER_DID, RunningIssuer
from tests.support.stores import postgres_schema
from trust_ledger.recorders.postgres import PostgresLedgerRecorder


@pytest.fixture
def pg_env() -> Iterator[dict[str, str]]:
    """A fresh schema; requested before issuer_with, so dropped only after the issuer stopped."""
    with postgres_schema("issuer") as env:
        yield env


def _tables(env: dict[str, str]) -> dict[str, int]:
    with psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        dbname=env["POSTGRES_DBNAME"],
        autocommit=True,
    ) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (env["POSTGRES_SCHEMA"],),
            )
        ]
        schema = env["POSTGRES_SCHEMA"]
        return {
            name: conn.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()[0]  # type: ignore[index]
            for name in names
        }


def test_issuance_and_revocation_with_records_and_views_on_postgres(
    pg_env: dict[str, str],
    issuer_with: Callable[..., RunningIssuer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for name, value in pg_env.items():
        monkeypatch.setenv(name, value)
    issuer = issuer_with()
    assert type(issuer.ctx.records.recorder).__module__ == "eventsourcing.postgres"
    assert isinstance(issuer.service.views.recorder, PostgresViewRecorder)
    assert isinstance(issuer.service.ledger.recorder, PostgresLedgerRecorder)

    created = issuer.offer(dataTag="pg")
    (stored,) = Wallet(tmp_path / "wallet").accept_offer(created["deepLink"], format="dc+sd-jwt")
    verified = verify_sd_jwt_vc(stored.raw, issuer.key.public_jwk, require_key_binding=False)
    assert verified.claims["iss"] == ISSUER_DID
    collected = issuer.api("GET", f"/api/credential/nonce/{created['transactionId']}")
    assert collected.json()["credential"] == stored.raw

    (row,) = issuer.api("GET", "/api/credential/datatag/pg").json()["vcList"]
    revoked = issuer.api("PUT", f"/api/credential/{row['cid']}/revocation")
    assert revoked.status_code == 200 and revoked.json()["credentialStatus"] == "REVOKED"
    status = verified.claims["status"]["status_list"]
    listed = issuer.api(
        "GET", status["uri"].removeprefix(issuer.url), headers={"Accept": "application/statuslist+jwt"}
    )
    claims = verify_jws(listed.text, issuer.key.public_jwk).claims()
    assert token_status(claims["status_list"], status["idx"]) == INVALID  # bits: 2, revoked
    found = issuer.api("POST", "/api/credential/vcdata", json={"dataTag": "pg", "credentialStatus": "2"})
    assert [r["cid"] for r in found.json()["vcList"]] == [row["cid"]]

    # everything event-sourced is in the schema; nothing went to the SQLite defaults under var/
    tables = _tables(pg_env)
    # Offered, TokenIssued, CredentialIssued, StatusChangeStarted, Revoked
    assert tables["issuancerecords_events"] == 5
    assert tables["trustledger_events"] > 0 and tables["trustviews_tracking"] > 0
    assert tables["status_allocations"] == 2 and tables["status_lists"] == 2
    assert tables["issuer_nonces"] == 0  # the one c_nonce was spent
    assert "offer_keys" not in tables  # the sealing keys are apart from the data they seal
    keys = _tables({**pg_env, "POSTGRES_SCHEMA": pg_env["POSTGRES_SCHEMA"] + "_keys"})
    assert keys == {"offer_keys": 1}
    var = tmp_path / "var"
    stores = ("issuer-records.sqlite", "ledger.sqlite", "issuer-status.sqlite")
    assert not [name for name in stores if (var / name).exists()]
    assert not list(tmp_path.glob("*-keys/*.sqlite"))

    # a fresh application on the same schema reads the issuance back, revoked
    reopened = IssuanceRecords(env={})
    try:
        issuance = reopened.get(created["transactionId"])
        assert issuance is not None and issuance.cid == row["cid"] and issuance.status == REVOKED
        assert issuance.data_tag == "pg" and issuance.vc_uid == "employee"
    finally:
        reopened.close()

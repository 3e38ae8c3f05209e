"""Two `trust-ledger serve issuer` processes over one PostgreSQL and one Anvil behave as one issuer
(issue 19 item 1): an offer made on A is collected through B, a token B grants is spent on A, a
c_nonce spent on one is refused on the other, concurrent issuances on both never share a status
index (the database's key), and a flow whose replica is killed (SIGKILL) completes on the other."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from anvil.devchain import free_port
from api.credentials.keys import SigningKey, read_payload
from tests.support.issuer import FIELDS, ISSUER_DID, TEMPLATES, TOKEN, register_issuer
from tests.support.replicas import Holder, Replica, Replicas, replicas, write_config
from tests.support.stores import postgres_schema

CONCURRENT_ISSUANCES = 60


@pytest.fixture
def two_issuers(chain, tmp_path: Path) -> Iterator[tuple[Replica, Replica, Replicas, dict[str, str]]]:
    """Issuer replicas A and B (A's URL is the Credential Issuer Identifier both answer for) over a
    fresh PostgreSQL schema, signing status changes as the issuer's controller (dev2)."""
    key = SigningKey.generate("P-256", did=ISSUER_DID, key_id="key-1")
    register_issuer(chain, key)
    with (
        postgres_schema("replicas") as env,
        replicas(chain, tmp_path, {**env, "TRUST_LEDGER_PRIVATE_KEY": "dev2"}) as started,
    ):
        port = free_port()
        config = write_config(
            tmp_path / "issuer.json",
            {
                "did": ISSUER_DID,
                "base_url": f"http://127.0.0.1:{port}",
                "signing_key": {"key_id": "key-1", "jwk": key.private_jwk()},
                "templates": TEMPLATES,
                "access_tokens": [TOKEN],
                "status_list_size": 1024,
            },
        )
        a = started.start("issuer", config, name="a", port=port)
        b = started.start("issuer", config, name="b")
        yield a, b, started, env


def offer(replica: Replica, data_tag: str) -> dict[str, Any]:
    """DWVC-101 on `replica`."""
    answer = httpx.post(
        replica.url + "/api/qrcode/data",
        json={"vcUid": "employee", "dataTag": data_tag, "fields": FIELDS},
        headers={"Access-Token": TOKEN},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def diw(replica: Replica, path: str) -> httpx.Response:
    return httpx.get(replica.url + path, headers={"Access-Token": TOKEN}, timeout=60)


def pg_rows(env: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        dbname=env["POSTGRES_DBNAME"],
        autocommit=True,
    ) as connection:
        connection.execute(f'SET search_path TO "{env["POSTGRES_SCHEMA"]}"')
        return connection.execute(sql).fetchall()


def test_offer_on_a_token_on_b_credential_on_a_and_a_spent_nonce_refused_on_b(two_issuers) -> None:
    a, b, _, env = two_issuers
    created = offer(a, "cross")
    holder = Holder(a.url)
    holder.fetch_offer(b.url, created["deepLink"])  # recorded on A, served by B at once
    assert holder.token(b.url).status_code == 200
    nonce = holder.nonce(b.url)
    issued = holder.credential(a.url, "employee_sd_jwt", nonce)  # B's token and nonce, spent on A
    assert issued.status_code == 200, issued.text
    credential = issued.json()["credentials"][0]["credential"]
    collected = diw(b, f"/api/credential/nonce/{created['transactionId']}")
    assert collected.status_code == 200 and collected.json()["credential"] == credential

    again = holder.credential(b.url, "employee_jwt_vc", nonce)  # the nonce A consumed, on B
    assert again.status_code == 400 and again.json()["error"] == "invalid_nonce", again.text
    fresh = holder.credential(b.url, "employee_jwt_vc", holder.nonce(a.url))  # the wallet retries
    assert fresh.status_code == 200, fresh.text
    spent = holder.credential(a.url, "employee_jwt_vc", holder.nonce(a.url))
    assert spent.status_code == 401, "B spent the token: A must know"

    rows = [diw(r, "/api/credential/datatag/cross").json()["vcList"] for r in (a, b)]
    assert rows[0] == rows[1] and len(rows[0]) == 1
    # the spent nonces are gone; the one the refused request (401, before its proof) carried is not
    assert pg_rows(env, "SELECT COUNT(*) FROM issuer_nonces") == [(1,)]


def test_concurrent_issuances_on_both_replicas_never_share_a_status_index(two_issuers) -> None:
    a, b, _, env = two_issuers
    pair = (a, b)
    credentials: list[str] = []
    failures: list[str] = []
    guard = threading.Lock()
    work = iter(range(CONCURRENT_ISSUANCES))

    def issue_some(seed: int) -> None:
        pick = random.Random(seed).choice
        for n in work:
            try:
                created = offer(pick(pair), "load")
                holder = Holder(a.url)
                holder.fetch_offer(pick(pair).url, created["deepLink"])
                assert holder.token(pick(pair).url).status_code == 200
                answer = holder.credential(pick(pair).url, "employee_sd_jwt", holder.nonce(pick(pair).url))
                assert answer.status_code == 200, answer.text
                with guard:
                    credentials.append(answer.json()["credentials"][0]["credential"])
            except (AssertionError, httpx.HTTPError) as error:
                with guard:
                    failures.append(f"issuance {n}: {error}")

    threads = [threading.Thread(target=issue_some, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)

    assert failures == []
    assert len(credentials) == CONCURRENT_ISSUANCES
    revocation = [read_payload(c.split("~")[0])["status"]["status_list"] for c in credentials]
    assert len({(s["uri"], s["idx"]) for s in revocation}) == CONCURRENT_ISSUANCES, "a revocation index twice"
    ((allocations, distinct, cards),) = pg_rows(
        env,
        "SELECT COUNT(*), COUNT(DISTINCT (list_row, idx)), COUNT(DISTINCT credential_id) "
        "FROM status_allocations",
    )
    assert allocations == distinct >= 2 * CONCURRENT_ISSUANCES
    assert cards >= CONCURRENT_ISSUANCES
    listed = [diw(r, "/api/credential/datatag/load?size=100").json()["totalElements"] for r in pair]
    assert listed == [CONCURRENT_ISSUANCES, CONCURRENT_ISSUANCES]


def test_a_flow_whose_replica_is_killed_completes_on_the_other(two_issuers) -> None:
    a, b, _, _ = two_issuers
    created = offer(a, "killed")
    holder = Holder(a.url)
    holder.fetch_offer(a.url, created["deepLink"])
    assert holder.token(a.url).status_code == 200
    nonce = holder.nonce(a.url)
    a.kill()  # SIGKILL between two steps of the holder's flow, as a machine dying

    with pytest.raises(httpx.TransportError):
        holder.credential(a.url, "employee_sd_jwt", nonce)
    retried = holder.credential(b.url, "employee_sd_jwt", nonce)  # the wallet retries on the other
    assert retried.status_code == 200, retried.text
    collected = diw(b, f"/api/credential/nonce/{created['transactionId']}")
    assert collected.json()["credential"] == retried.json()["credentials"][0]["credential"]
    assert [row["cid"] for row in diw(b, "/api/credential/datatag/killed").json()["vcList"]]

"""The database going away for a moment, deterministically (the PostgreSQL restart proof hits these
paths only when the timing lands so): the resolver answers a clear 503, never a 500, and the
serving process's follower thread retries instead of halting for good."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi.testclient import TestClient

from anvil.accounts import dev_account
from projections import Projector, open_views
from projections.service import LedgerService
from resolver import create_app
from tests.support.waiting import wait_until
from trust_ledger.chain.errors import ChainError
from trust_ledger.chain.follower import Horizon, follower_for
from trust_ledger.ledger import TrustLedger

pytestmark = pytest.mark.proof

DID_BASE = "https://www.w3.org/ns/did#"
CR = "application/did-resolution"
LEGACY = 'application/ld+json;profile="https://w3id.org/did-resolution"'


class StoreDown:
    """TrustViews whose every query fails as eventsourcing does when PostgreSQL restarts."""

    def __init__(self, error: Exception):
        self.error = error

    def __getattr__(self, name: str):
        def query(*args, **kwargs):
            raise self.error

        return query


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("terminating connection due to administrator command"),
        InterfaceError("the connection is closed"),
    ],
)
def test_the_resolver_answers_503_while_the_store_is_down(error):
    did = quote("did:example:somebody", safe="")
    with TestClient(create_app(StoreDown(error), chain_status=lambda: True)) as client:  # type: ignore[arg-type]
        cr = client.get(f"/1.0/identifiers/{did}", headers={"accept": CR})
        assert cr.status_code == 503 and cr.headers["retry-after"] == "1"
        problem = cr.json()["didResolutionMetadata"]["error"]
        assert problem["type"] == DID_BASE + "INTERNAL_ERROR" and problem["title"] == "Service unavailable"
        assert problem["detail"] == "the ledger's views are unavailable; retry shortly"  # no internals
        legacy = client.get(f"/1.0/identifiers/{did}", headers={"accept": LEGACY})
        assert (
            legacy.status_code == 503 and legacy.json()["didResolutionMetadata"]["error"] == "internalError"
        )
        trust_list = client.get("/1.0/trust-list")
        assert (
            trust_list.status_code == 503 and trust_list.headers["content-type"] == "application/problem+json"
        )
        assert trust_list.json()["status"] == 503
        assert client.get("/v4/issuers").status_code == 503
        assert client.get(f"/api/did/{did}").json()["code"] == "59999"
        health = client.get("/health")  # still answers, and says it cannot vouch for freshness
        assert health.status_code == 200 and health.json()["status"] == "degraded"


def test_the_follower_thread_retries_when_the_store_errs_and_catches_up(chain, tmp_path, caplog):
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "ledger.sqlite")}
    ledger = TrustLedger(env=env)
    views = open_views(env)
    projector = Projector(ledger, views.recorder)
    follower = follower_for(chain.gateway(None), ledger, Horizon())
    service = LedgerService(ledger, views, projector, follower, poll_interval=0.05)
    service.start()
    # The next pass fails in the ledger's store, the one after in the views' store, then all is well.
    failures = {
        "poll": [OperationalError("terminating connection due to administrator command")],
        "project": [InterfaceError("the connection is closed")],
    }
    poll, project = follower.poll, projector.run_once

    def flaky(name, real):
        def call(*args, **kwargs):
            if failures[name]:
                raise failures[name].pop()
            return real(*args, **kwargs)

        return call

    follower.poll, projector.run_once = flaky("poll", poll), flaky("project", project)
    try:
        with caplog.at_level(logging.WARNING, logger="projections.service"):
            registered = chain.gateway("anchor").register(
                "root", "later", "did:example:later", dev_account("dev1").address
            )
            service.wait_for_block(registered.block_number, timeout=30)
        assert failures == {"poll": [], "project": []}
        assert service.halted is None and service.chain_status()
        assert views.entity_version("did:example:later") is not None
        assert sum("the store is unavailable" in r.getMessage() for r in caplog.records) == 2

        # Anything else still halts the follower (a reorg below the horizon, say); the views keep serving.
        def reorganised(*args, **kwargs):
            raise ChainError("reorg below the finality horizon")

        follower.poll = reorganised
        wait_until(lambda: service.halted is not None, 30, what="the follower to halt")
        assert service.halted == "reorg below the finality horizon" and not service.chain_status()
        assert views.entity_version("did:example:later") is not None
    finally:
        service.stop()
        views.close()

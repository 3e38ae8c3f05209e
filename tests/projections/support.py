"""Helpers of the projection tests: a ledger with its views, a standard history, view snapshots."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from projections import Projector, SqlTrustViews, open_views, views_env
from tests.support.chainlogs import Chain
from tests.support.stores import Store
from trust_ledger.domain import ChainLog
from trust_ledger.ledger import TrustLedger

NOW = 1_750_000_000
"""The views' clock in tests: inside the chain logs' accreditation windows (2025..2030)."""

UNKNOWN_DID = "did:elsi:EU.EORI.NOBODY"


@dataclass
class Projected:
    """A ledger on one backend, its views on the matching backend, and a projector between them."""

    store: Store
    logchain: Chain
    ledger: TrustLedger
    env: dict[str, str]
    views: SqlTrustViews
    projector: Projector
    opened: list[SqlTrustViews] = field(default_factory=list)

    def ingest(self, logs: list[ChainLog]) -> int:
        """Ingest `logs` into the ledger and wait until the views show them."""
        notification_id = self.ledger.ingest(logs)
        self.projector.wait(notification_id, timeout=30)
        return notification_id

    def reopen(self) -> SqlTrustViews:
        """Another connection to the same views (as a restarted process would open them)."""
        views = open_views(self.env, clock=lambda: NOW)
        self.opened.append(views)
        return views

    def project_in_another_process(self, notification_id: int) -> None:
        """Project up to `notification_id` from another process (its own ledger, views and
        projector on the same stores: SQLite files or PostgreSQL, not in-memory ones)."""
        code = (
            "import json, sys; from projections import Projector, open_views; "
            "from trust_ledger.ledger import TrustLedger; "
            "ledger_env, env, position = json.loads(sys.argv[1]); "
            "Projector(TrustLedger(env=ledger_env), open_views(env).recorder).wait(position, timeout=30)"
        )
        arguments = json.dumps([self.store.env, self.env, notification_id])
        done = subprocess.run(
            [sys.executable, "-c", code, arguments], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr

    def close(self) -> None:
        for views in [self.views, *self.opened]:
            views.close()


def projected(store: Store, logchain: Chain) -> Projected:
    """Open a ledger on `store` and views from the same environment."""
    ledger = store.open()
    env = views_env(store.env)  # fixed once, so a POPO ledger's in-memory views can be reopened
    views = open_views(env, clock=lambda: NOW)
    return Projected(store, logchain, ledger, env, views, Projector(ledger, views.recorder, batch_size=7))


def views_backend(views: SqlTrustViews) -> str:
    """ "sqlite" or "postgres": where these views live."""
    return views.recorder.tables.dialect.name


def history(logchain: Chain) -> list[list[ChainLog]]:
    """A realistic history in batches: hierarchy, issuer setup, a key rotation, a suspension and
    reactivation, accreditation changes, a second status list and a revocation."""
    batches = [logchain.hierarchy(), logchain.issuer_setup()]
    logchain.mine()
    batches.append(
        [
            logchain.key_added("issuera1", "key-3", "Multikey", logchain.JWK_HEX, 2, "issuera1"),
            logchain.key_revoked("issuera1", "key-1", "issuera1"),
        ]
    )
    logchain.mine()
    batches.append([logchain.status_changed("subregistera2_1", 1, 2, "registera2")])
    logchain.mine()
    batches.append([logchain.words_changed(1, {3: 12345, 511: 1}, "issuera1")])
    logchain.mine()
    batches.append([logchain.status_changed("subregistera2_1", 2, 1, "registera2")])
    logchain.mine()
    batches.append(
        [
            logchain.accredited("registera2", "EmployeeCredential", [], "domaina"),
            logchain.withdrawn("issuera1", "CustomerCredential", "subregistera2_1"),
            logchain.controller_changed("issuera1", "issuera1", "issuera1_new"),
        ]
    )
    logchain.mine()
    batches.append(
        [
            logchain.list_created(2, "registera2", "registera2", purpose=1, size=2048),
            logchain.words_changed(2, {0: 5, 7: 1 << 255}, "registera2"),
            logchain.delegate_changed("issuera1", "delegate", True, "issuera1_new"),
        ]
    )
    logchain.mine()
    batches.append([logchain.words_changed(1, {0: 0}, "delegate")])
    logchain.mine()
    batches.append([logchain.status_changed("registera2", 1, 3, "domaina")])
    return batches


def times_of(batches: list[list[ChainLog]]) -> list[int]:
    """Every block time of the logs, a second before each, and one before everything."""
    times = sorted({log.block_time for batch in batches for log in batch})
    return sorted({times[0] - 100, *times, *(t - 1 for t in times), times[-1] + 100})


def snapshot(views: SqlTrustViews, logchain: Chain, times: list[int]) -> dict[str, Any]:
    """The answer of every TrustViews method for every DID, node, list and time of interest."""
    dids = [*logchain.DIDS.values(), UNKNOWN_DID]
    out: dict[str, Any] = {"freshness": views.freshness()}
    for did in dids:
        versions = views.versions(did)
        out[did] = {
            "current": views.entity_version(did),
            "first": views.first_version(did),
            "versions": versions,
            "by_version": [views.entity_version(did, version=v.version) for v in versions],
            "as_of": [views.entity_version(did, at_time=t) for t in times],
            "effective": views.effective_status(did),
            "effective_as_of": [views.effective_status(did, at_time=t) for t in times],
            "status_lists": views.status_lists_of(did),
        }
    out["nodes"] = {node: views.did_of_node(node) for node in [*logchain.NODES.values(), "0x" + "ab" * 32]}
    lists = []
    for at_time in [None, *times]:
        for filters in _trust_list_filters(logchain):
            lists.append(views.trust_list(at_time=at_time, **filters))
    out["trust_lists"] = lists
    out["status_list"] = {
        list_id: [views.status_list(list_id), *(views.status_list(list_id, at_time=t) for t in times)]
        for list_id in (1, 2, 3)
    }
    return out


def _trust_list_filters(logchain: Chain) -> list[dict[str, Any]]:
    return [
        {},
        {"size": 2, "page": 2},
        {"credential_type": "CustomerCredential"},
        {"credential_type": "EmployeeCredential"},
        {"status": "active"},
        {"status": "suspended"},
        {"status": "revoked"},
        {"subtree": logchain.DIDS["registera2"]},
        {"subtree": logchain.DIDS["root"], "status": "active", "size": 3},
    ]

"""One read, one snapshot: under concurrent ingestion, a resolution's document and its
X-Ledger-Block header describe the same state of the views (before, the document and the
freshness were separate transactions, so the header could name a block the document predates)."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from projections import Projector
from resolver.app import create_app as create_resolver_app
from tests.projections.support import NOW, Projected

CHANGES = 40


@pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)
def test_a_document_and_its_headers_describe_one_block_under_concurrent_ingestion(p: Projected) -> None:
    p.ingest(p.logchain.hierarchy())
    did = p.logchain.DIDS["issuera1"]
    versions_before = len(p.views.versions(did))
    client = TestClient(create_resolver_app(p.views, clock=lambda: NOW))
    done = threading.Event()

    def ingest_changes() -> None:
        try:
            for i in range(CHANGES):
                p.logchain.mine()
                endpoint = f"https://issuera1.example/{i}"
                added = p.logchain.service_added("issuera1", f"s{i}", "LinkedDomains", endpoint, "issuera1")
                p.ledger.ingest([added])
                p.projector.run_once()
        finally:
            done.set()

    writer = threading.Thread(target=ingest_changes)
    writer.start()
    samples: list[tuple[int, int]] = []
    while not done.is_set() or not samples:
        answer = client.get(f"/1.0/identifiers/{did}", headers={"Accept": "application/did-resolution"})
        assert answer.status_code == 200, answer.text
        version = int(answer.json()["didDocumentMetadata"]["versionId"])
        samples.append((version, int(answer.headers["X-Ledger-Block"])))
    writer.join()

    blocks = {v.version: v.provenance.block_number for v in p.views.versions(did)}
    assert len(blocks) == versions_before + CHANGES
    for version, header_block in samples:
        newest_at_header = max(v for v, block in blocks.items() if block <= header_block)
        assert version == newest_at_header, f"document version {version} under X-Ledger-Block {header_block}"
    assert len({version for version, _ in samples}) > 1, "the reads overlapped the ingestion"


@pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)  # in-memory: a write waits for it
def test_the_latest_freshness_read_inside_a_snapshot_is_not_kept_past_it(p: Projected) -> None:
    """TrustViews.latest_freshness keeps what it read only for as long as the views' data version
    holds: a read inside an older snapshot is that snapshot's, and must not be served after it."""
    p.ingest(p.logchain.hierarchy())
    other = p.reopen()
    with p.views.snapshot():
        before = p.views.freshness()
        p.logchain.mine()
        endpoint = "https://issuera1.example/s"
        added = p.logchain.service_added("issuera1", "s", "LinkedDomains", endpoint, "issuera1")
        position = p.ledger.ingest([added])
        Projector(p.ledger, other.recorder).wait(position)
        assert p.views.latest_freshness() == before  # the snapshot's
    assert p.views.latest_freshness().position == position
    assert p.views.latest_freshness() == p.views.freshness() == other.latest_freshness()

"""End to end on Anvil: a participant's bytes that are not UTF-8 (the reported `addService` with id
`svc-\\xff\\xfe`) go through the real follower, ledger, projector and resolver; the service keeps
following, and a later event still reaches the views."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from projections.service import LedgerService
from resolver.app import create_app
from tests.follower.hostile import HostileRegistry
from tests.support.waiting import wait_until
from trust_ledger.chain.follower import Horizon

HOSTILE_ID = b"svc-\xff\xfe"
DID = "did:web:alpha.test"


def test_hostile_service_id_is_mirrored_and_the_service_keeps_following(chain, sqlite_var: Path) -> None:
    registry = HostileRegistry(chain.w3)
    registry.register_root()
    node = registry.register(b"alpha", DID.encode(), "dev1")
    hostile_block = registry.emit(
        "dev1", "serviceAdded", node, HOSTILE_ID, b"OID4VCI", b"https://a.test/\x00"
    )
    service = LedgerService.open(registry.gateway, Horizon(), poll_interval=0.05)
    service.start()
    try:

        def reached(block: int) -> bool:
            assert service.halted is None, f"the follower halted: {service.halted}"
            return (service.views.freshness().block_number or -1) >= block

        wait_until(lambda: reached(hostile_block), 60, "the hostile log in the views")
        # A later event (the parent suspends the entity) still arrives.
        later = registry.emit("anchor", "statusChanged", node, 1, 2)
        wait_until(lambda: reached(later), 60, "the later event in the views")
        assert service.views.effective_status(DID).status == "suspended"

        history = service.ledger.history(DID)
        added = next(item for item in history if item["event"] == "ServiceAdded")
        assert added["changes"]["service_id"] == "svc-\ufffd\ufffd [0x7376632dfffe]"
        assert added["changes"]["endpoint"] == "https://a.test/\ufffd [0x68747470733a2f2f612e746573742f00]"

        client = TestClient(create_app(service.views, chain_status=service.chain_status))
        answer = client.get(f"/1.0/identifiers/{DID}", headers={"Accept": "application/did+json"})
        assert answer.status_code == 200, answer.text
        (published,) = answer.json()["service"]
        assert published["id"] == f"{DID}#svc-%FF%FE"
        assert published["serviceEndpoint"] == "https://a.test/\ufffd [0x68747470733a2f2f612e746573742f00]"
        health = client.get("/health").json()
        assert health["status"] == "ok"
        assert health["halted"] is False and health["follower"]["halted"] is False
    finally:
        service.stop()

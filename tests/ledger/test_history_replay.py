"""The audit trail, and replaying the whole store into fresh aggregates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trust_ledger.ledger import TrustLedger

if TYPE_CHECKING:
    from tests.support.chainlogs import Chain
    from tests.support.stores import Store


def test_history_lists_every_change_in_order_with_provenance(ledger: TrustLedger, logchain: Chain) -> None:
    logs = logchain.hierarchy() + logchain.issuer_setup()
    logchain.mine()
    revoke = logchain.key_revoked("issuera1", "key-1", "issuera1")
    suspend = logchain.status_changed("issuera1", 1, 2, "subregistera2_1")
    ledger.ingest([*logs, revoke, suspend])
    issuer_logs = [log for log in logs if log.args.get("node") == logchain.NODES["issuera1"]] + [
        revoke,
        suspend,
    ]

    history = ledger.history(logchain.DIDS["issuera1"])

    assert [h["event"] for h in history] == [
        "Registered",
        "Accredited",
        "KeyAdded",
        "KeyAdded",
        "ServiceAdded",
        "KeyRevoked",
        "StatusChanged",
    ]
    assert [h["version"] for h in history] == list(range(1, 8))
    for item, log in zip(history, issuer_logs, strict=True):
        assert (item["block_number"], item["block_hash"], item["tx_hash"], item["log_index"]) == (
            log.block_number,
            log.block_hash,
            log.tx_hash,
            log.log_index,
        )
        assert (item["block_time"], item["chain_id"], item["contract"]) == (
            log.block_time,
            31337,
            logchain.TRUST_REGISTRY,
        )
        assert item["by"] == log.args["by"]
        assert item["position"] == log.position
    assert history[0]["changes"] == {
        "node": logchain.NODES["issuera1"],
        "parent": logchain.NODES["subregistera2_1"],
        "label": "issuera1",
        "name": "domaina.registera2.subregistera2_1.issuera1",
        "did": logchain.DIDS["issuera1"],
        "controller": logchain.ACCOUNTS["issuera1"],
        "did_control": {"kind": "none", "expiry": 0, "proof": "0x", "verified": None},  # a did:elsi: no proof
    }
    assert history[5]["changes"] == {"key_id": "key-1", "reason": "superseded", "compromised_since": None}
    assert history[6]["changes"] == {"previous_status": "active", "status": "suspended"}
    assert history[6]["by"] == logchain.ACCOUNTS["subregistera2_1"]


def _full_history(logchain: Chain) -> list:
    logs = logchain.hierarchy() + logchain.issuer_setup()
    logchain.mine()
    logs += [
        logchain.controller_changed("issuera1", "issuera1", "issuera1_new"),
        logchain.delegate_changed("issuera1", "delegate", True, "issuera1_new"),
        logchain.words_changed(1, {3: 12345, 511: 1}, "delegate"),
        logchain.service_removed("issuera1", "issuer", "issuera1_new"),
        logchain.withdrawn("issuera1", "CustomerCredential", "subregistera2_1"),
        logchain.status_changed("registera2", 1, 3, "domaina"),
    ]
    return logs


def test_replay_of_the_whole_store_equals_the_current_state(store: Store, logchain: Chain) -> None:
    ledger = store.open()
    logs = _full_history(logchain)
    ledger.ingest(logs[:7])
    ledger.ingest(logs[7:])

    current = ledger.current_state()

    assert ledger.replay_state() == current
    assert store.open().replay_state() == current  # a fresh instance, nothing cached
    types = sorted(state["type"] for state in current.values())
    assert types == ["ChainCursor"] + ["DidIndex"] * 5 + ["Entity"] * 5 + ["StatusList"]
    revoked = ledger.entity_by_did(logchain.DIDS["registera2"])
    assert revoked is not None and revoked["status"] == "revoked"


def test_reingesting_the_chain_into_a_fresh_store_reproduces_the_same_state(
    ledger: TrustLedger, logchain: Chain
) -> None:
    logs = _full_history(logchain)
    ledger.ingest(logs[:3])
    ledger.ingest(logs[3:])
    fresh = TrustLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})

    fresh.ingest(logs)

    def without_cursor(state: dict) -> dict:
        return {k: v for k, v in state.items() if v["type"] != "ChainCursor"}

    assert without_cursor(fresh.current_state()) == without_cursor(ledger.current_state())
    assert fresh.all_entities() == ledger.all_entities()
    assert fresh.status_bitstring(1) == ledger.status_bitstring(1)

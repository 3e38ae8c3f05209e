"""Registration of the hierarchy: full names, lookups by DID and node, provenance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trust_ledger.domain import ROOT_NODE
from trust_ledger.ledger import TrustLedger

if TYPE_CHECKING:
    from tests.support.chainlogs import Chain


def test_ingest_registers_root_child_and_grandchild_with_full_names(
    ledger: TrustLedger, logchain: Chain
) -> None:
    ledger.ingest(logchain.hierarchy())

    root = ledger.entity_by_node(ROOT_NODE)
    assert root is not None
    assert (root["name"], root["label"], root["parent"], root["did"]) == ("", "", None, logchain.DIDS["root"])
    assert root["controller"] == logchain.ACCOUNTS["deployer"]
    assert root["accreditations"] == {}

    expected = {
        "domaina": ("domaina", ROOT_NODE),
        "registera2": ("domaina.registera2", logchain.NODES["domaina"]),
        "subregistera2_1": ("domaina.registera2.subregistera2_1", logchain.NODES["registera2"]),
        "issuera1": ("domaina.registera2.subregistera2_1.issuera1", logchain.NODES["subregistera2_1"]),
    }
    for key, (name, parent) in expected.items():
        entity = ledger.entity_by_did(logchain.DIDS[key])
        assert entity is not None, key
        assert entity["node"] == logchain.NODES[key]
        assert entity["name"] == name
        assert entity["label"] == key
        assert entity["parent"] == parent
        assert entity["controller"] == logchain.ACCOUNTS[key]
        assert entity["status"] == "active"
        assert entity["chain_id"] == 31337
        assert entity["contract"] == logchain.TRUST_REGISTRY
        assert ledger.entity_by_node(logchain.NODES[key]) == entity


def test_ingest_records_block_times_and_last_change_provenance(ledger: TrustLedger, logchain: Chain) -> None:
    logs = logchain.hierarchy()
    ledger.ingest(logs)
    registration, accreditation = logs[-2], logs[-1]

    issuer = ledger.entity_by_did(logchain.DIDS["issuera1"])
    assert issuer is not None
    assert issuer["created_at"] == registration.block_time == 1_735_689_660
    assert issuer["updated_at"] == accreditation.block_time
    assert issuer["version"] == 2
    assert issuer["last_change"] == {
        "event": "Accredited",
        "by": logchain.ACCOUNTS["subregistera2_1"],
        "chain_id": 31337,
        "contract": logchain.TRUST_REGISTRY,
        "block_number": 105,
        "block_hash": accreditation.block_hash,
        "block_time": 1_735_689_660,
        "tx_hash": accreditation.tx_hash,
        "log_index": 1,
    }


def test_all_entities_lists_root_first_then_by_name(ledger: TrustLedger, logchain: Chain) -> None:
    ledger.ingest(logchain.hierarchy())

    names = [e["name"] for e in ledger.all_entities()]

    assert names == [
        "",
        "domaina",
        "domaina.registera2",
        "domaina.registera2.subregistera2_1",
        "domaina.registera2.subregistera2_1.issuera1",
    ]


def test_queries_return_none_or_empty_for_unknown_did_node_and_list(
    ledger: TrustLedger, logchain: Chain
) -> None:
    assert ledger.entity_by_did(logchain.DIDS["root"]) is None
    assert ledger.entity_by_node(ROOT_NODE) is None
    assert ledger.status_list(1) is None
    assert ledger.all_entities() == []
    assert ledger.position() is None
    assert ledger.cursor() is None

    ledger.ingest(logchain.hierarchy())

    assert ledger.entity_by_did("did:elsi:EU.EORI.NOBODY") is None
    assert ledger.history("did:elsi:EU.EORI.NOBODY") == []
    assert ledger.entity_by_node("0x" + "ab" * 32) is None
    assert ledger.status_list(1) is None

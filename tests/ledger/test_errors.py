"""Logs the contracts could never have emitted are refused loudly, naming where they came from."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from trust_ledger.domain import IngestError, UnknownNodeError, UnknownStatusListError
from trust_ledger.ledger import TrustLedger

if TYPE_CHECKING:
    from tests.support.chainlogs import Chain


def test_unknown_node_raises_naming_the_node_and_the_position(ledger: TrustLedger, logchain: Chain) -> None:
    hierarchy = logchain.hierarchy()
    ledger.ingest(hierarchy[:3])  # root and domaina only
    logchain.mine()
    orphan = logchain.key_added("issuera1", "key-1", "Multikey", "0xed01aa", 2, "issuera1")

    with pytest.raises(UnknownNodeError) as raised:
        ledger.ingest([orphan])

    message = str(raised.value)
    assert logchain.NODES["issuera1"] in message
    assert "KeyAdded" in message
    assert "position 106000000" in message and f"tx {orphan.tx_hash}" in message
    assert (raised.value.node, raised.value.position) == (logchain.NODES["issuera1"], 106_000_000)
    assert ledger.position() == hierarchy[2].position


def test_registration_under_unknown_parent_names_the_parent(ledger: TrustLedger, logchain: Chain) -> None:
    logs = logchain.hierarchy()
    ledger.ingest(logs[:1])

    with pytest.raises(UnknownNodeError, match=logchain.NODES["domaina"]):
        ledger.ingest([logs[3]])  # registera2, whose parent domaina was never registered


def test_unknown_status_list_raises(ledger: TrustLedger, logchain: Chain) -> None:
    ledger.ingest(logchain.hierarchy())
    logchain.mine()

    with pytest.raises(
        UnknownStatusListError, match=r"unknown status list 7 in StatusWordsChanged \(position"
    ):
        ledger.ingest([logchain.words_changed(7, {0: 1}, "issuera1")])


def test_act_by_non_controller_is_refused(ledger: TrustLedger, logchain: Chain) -> None:
    ledger.ingest(logchain.hierarchy())
    logchain.mine()

    with pytest.raises(IngestError, match="is not the controller"):
        ledger.ingest([logchain.service_added("issuera1", "x", "y", "https://z.example", "domaina")])


def test_malformed_args_and_unknown_events_are_refused(ledger: TrustLedger, logchain: Chain) -> None:
    ledger.ingest(logchain.hierarchy())
    logchain.mine()
    no_by = logchain.log(
        "KeyRevoked",
        logchain.TRUST_REGISTRY,
        node=logchain.NODES["issuera1"],
        keyId="key-1",
        reason=1,
        compromisedSince=0,
    )
    bad_int = logchain.log(
        "EntityStatusChanged",
        logchain.TRUST_REGISTRY,
        node=logchain.NODES["issuera1"],
        previousStatus=True,
        newStatus=2,
        by=logchain.ACCOUNTS["subregistera2_1"],
    )
    unknown = logchain.log("Transfer", logchain.TRUST_REGISTRY)

    with pytest.raises(IngestError, match="KeyRevoked has no argument 'by'"):
        ledger.ingest([no_by])
    with pytest.raises(IngestError, match="'previousStatus' is not an integer"):
        ledger.ingest([bad_int])
    with pytest.raises(IngestError, match="unknown event 'Transfer'"):
        ledger.ingest([unknown])


def test_batch_out_of_order_or_from_another_chain_is_refused(ledger: TrustLedger, logchain: Chain) -> None:
    logs = logchain.hierarchy()

    with pytest.raises(IngestError, match="not in chain order"):
        ledger.ingest([logs[1], logs[0]])
    ledger.ingest(logs)
    logchain.chain_id = 1
    logchain.mine()
    with pytest.raises(IngestError, match="follows chain 31337, not chain 1"):
        ledger.ingest([logchain.service_added("issuera1", "x", "y", "https://z.example", "issuera1")])


def test_log_from_another_trust_registry_is_refused(ledger: TrustLedger, logchain: Chain) -> None:
    ledger.ingest(logchain.hierarchy())
    logchain.mine()
    other = logchain.log(
        "KeyRevoked", "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", node=logchain.NODES["issuera1"]
    )

    with pytest.raises(
        IngestError, match="follows trust_registry 0x5FbDB2315678afecb367f032d93F642f64180aa3"
    ):
        ledger.ingest([other])

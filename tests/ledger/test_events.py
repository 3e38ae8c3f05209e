"""Every contract event changes the mirrored state exactly as the contract did."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from trust_ledger.domain import IngestError
from trust_ledger.ledger import TrustLedger

if TYPE_CHECKING:
    from tests.support.chainlogs import Chain


def _issuer(ledger: TrustLedger, logchain: Chain) -> dict:
    entity = ledger.entity_by_did(logchain.DIDS["issuera1"])
    assert entity is not None
    return entity


def test_controller_changed_moves_control_and_later_acts_need_the_new_controller(
    ledger: TrustLedger, logchain: Chain
) -> None:
    ledger.ingest(logchain.hierarchy())
    logchain.mine()
    ledger.ingest([logchain.controller_changed("issuera1", "issuera1", "issuera1_new")])
    assert _issuer(ledger, logchain)["controller"] == logchain.ACCOUNTS["issuera1_new"]

    logchain.mine()
    ledger.ingest(
        [logchain.service_added("issuera1", "verifier", "OID4VP", "https://v.example", "issuera1_new")]
    )
    assert _issuer(ledger, logchain)["services"] == {
        "verifier": {"type": "OID4VP", "endpoint": "https://v.example"}
    }


def test_status_changed_suspends_reactivates_and_revokes(ledger: TrustLedger, logchain: Chain) -> None:
    ledger.ingest(logchain.hierarchy())
    seen = []
    for previous, new in [(1, 2), (2, 1), (1, 3)]:
        logchain.mine()
        ledger.ingest([logchain.status_changed("issuera1", previous, new, "subregistera2_1")])
        seen.append(_issuer(ledger, logchain)["status"])

    assert seen == ["suspended", "active", "revoked"]
    parent = ledger.entity_by_did(logchain.DIDS["subregistera2_1"])
    assert parent is not None and parent["status"] == "active"


def test_accredited_grants_replaces_and_withdrawn_removes(ledger: TrustLedger, logchain: Chain) -> None:
    ledger.ingest(logchain.hierarchy())
    assert _issuer(ledger, logchain)["accreditations"] == {
        "CustomerCredential": {
            "roles": [
                {"target": "did:elsi:EU.EORI.PACKETDELIVERY", "names": ["P.Info.gold", "P.Info.standard"]}
            ],
            "valid_from": 1_735_689_600,
            "valid_until": 1_893_456_000,
            "granted_at": 1_735_689_660,
        }
    }

    logchain.mine()
    gold_only = [{"target": "did:elsi:EU.EORI.PACKETDELIVERY", "names": ["P.Info.gold"]}]
    ledger.ingest([logchain.accredited("issuera1", "CustomerCredential", gold_only, "subregistera2_1")])
    accreditation = _issuer(ledger, logchain)["accreditations"]["CustomerCredential"]
    assert accreditation["roles"] == gold_only
    assert accreditation["granted_at"] == logchain.block_time

    logchain.mine()
    ledger.ingest([logchain.withdrawn("issuera1", "CustomerCredential", "subregistera2_1")])
    assert _issuer(ledger, logchain)["accreditations"] == {}


def test_key_added_and_key_revoked_keep_key_material_purposes_and_times(
    ledger: TrustLedger, logchain: Chain
) -> None:
    ledger.ingest(logchain.hierarchy() + logchain.issuer_setup())
    added_at = logchain.block_time - 12
    keys = _issuer(ledger, logchain)["keys"]
    assert keys["key-1"] == {
        "key_type": "JsonWebKey2020",
        "public_key": logchain.JWK_HEX,
        "purposes": 3,
        "purpose_names": ["authentication", "assertionMethod"],
        "valid_from": 1_735_689_600,
        "valid_until": 0,
        "revoked": False,
        "added_at": added_at,
        "revoked_at": None,
        "revocation_reason": None,
        "compromised_since": None,
    }
    assert keys["key-2"]["purpose_names"] == ["assertionMethod"]
    assert bytes.fromhex(keys["key-1"]["public_key"][2:]).startswith(b'{"kty":"EC"')

    logchain.mine()
    ledger.ingest([logchain.key_revoked("issuera1", "key-1", "issuera1")])
    keys = _issuer(ledger, logchain)["keys"]
    assert (keys["key-1"]["revoked"], keys["key-1"]["revoked_at"]) == (True, logchain.block_time)
    assert (keys["key-1"]["revocation_reason"], keys["key-1"]["compromised_since"]) == ("superseded", None)
    assert keys["key-1"]["added_at"] == added_at
    assert keys["key-2"]["revoked"] is False


def test_key_compromise_is_recorded_and_only_widens(ledger: TrustLedger, logchain: Chain) -> None:
    """Issue 14 item 1: the reason and the compromise time reach the key's state and its history; as on
    chain, a rotated key may be declared compromised later and a compromise may only start earlier."""
    ledger.ingest(logchain.hierarchy() + logchain.issuer_setup())
    logchain.mine()
    ledger.ingest([logchain.key_revoked("issuera1", "key-1", "issuera1", reason=0)])
    rotated_at = logchain.block_time
    logchain.mine()
    since = rotated_at - 7200
    ledger.ingest([logchain.key_revoked("issuera1", "key-1", "issuera1", reason=2, compromised_since=since)])
    key = _issuer(ledger, logchain)["keys"]["key-1"]
    assert (key["revoked"], key["revoked_at"]) == (True, rotated_at)
    assert (key["revocation_reason"], key["compromised_since"]) == ("keyCompromise", since)

    logchain.mine()
    ledger.ingest([logchain.key_revoked("issuera1", "key-2", "issuera1", reason=2, compromised_since=since)])
    assert _issuer(ledger, logchain)["keys"]["key-2"]["compromised_since"] == since
    for narrowing in (
        logchain.key_revoked("issuera1", "key-1", "issuera1", reason=2, compromised_since=since),
        logchain.key_revoked("issuera1", "key-1", "issuera1", reason=2, compromised_since=since + 1),
        logchain.key_revoked("issuera1", "key-1", "issuera1", reason=1),
        logchain.key_revoked("issuera1", "key-1", "issuera1", reason=1, compromised_since=since),
        logchain.key_revoked("issuera1", "key-1", "issuera1", reason=2, compromised_since=0),
        logchain.key_revoked("issuera1", "key-1", "issuera1", reason=3),
    ):
        with pytest.raises(IngestError, match="KeyRevoked rejected"):
            ledger.ingest([narrowing])
    logchain.mine()
    ledger.ingest(
        [logchain.key_revoked("issuera1", "key-1", "issuera1", reason=2, compromised_since=since - 1)]
    )
    assert _issuer(ledger, logchain)["keys"]["key-1"]["compromised_since"] == since - 1

    did = _issuer(ledger, logchain)["did"]
    revocations = [item for item in ledger.history(did) if item["event"] == "KeyRevoked"]
    assert [
        (i["changes"]["key_id"], i["changes"]["reason"], i["changes"]["compromised_since"])
        for i in revocations
    ] == [
        ("key-1", "unspecified", None),
        ("key-1", "keyCompromise", since),
        ("key-2", "keyCompromise", since),
        ("key-1", "keyCompromise", since - 1),
    ]


def test_service_added_and_service_removed(ledger: TrustLedger, logchain: Chain) -> None:
    ledger.ingest(logchain.hierarchy() + logchain.issuer_setup())
    assert _issuer(ledger, logchain)["services"] == {
        "issuer": {"type": "OID4VCI", "endpoint": "https://issuer.happypets.example"}
    }

    logchain.mine()
    ledger.ingest([logchain.service_removed("issuera1", "issuer", "issuera1")])
    assert _issuer(ledger, logchain)["services"] == {}


def test_status_delegate_changed_is_recorded_on_the_owning_entity(
    ledger: TrustLedger, logchain: Chain
) -> None:
    ledger.ingest(logchain.hierarchy() + logchain.issuer_setup())
    logchain.mine()
    ledger.ingest([logchain.delegate_changed("issuera1", "delegate", True, "issuera1")])
    assert _issuer(ledger, logchain)["status_delegates"] == [logchain.ACCOUNTS["delegate"]]
    assert _issuer(ledger, logchain)["last_change"]["event"] == "StatusDelegateChanged"
    assert _issuer(ledger, logchain)["last_change"]["contract"] == logchain.STATUS_REGISTRY

    logchain.mine()
    ledger.ingest([logchain.words_changed(1, {1: 1 << 200}, "delegate")])
    status_list = ledger.status_list(1)
    assert status_list is not None and status_list["last_change"]["by"] == logchain.ACCOUNTS["delegate"]

    logchain.mine()
    ledger.ingest([logchain.delegate_changed("issuera1", "delegate", False, "issuera1")])
    assert _issuer(ledger, logchain)["status_delegates"] == []


def test_status_list_created_and_words_changed(ledger: TrustLedger, logchain: Chain) -> None:
    ledger.ingest(logchain.hierarchy() + logchain.issuer_setup())

    status_list = ledger.status_list(1)
    assert status_list is not None
    assert {k: status_list[k] for k in ("list_id", "owner", "purpose", "size", "uri", "contract")} == {
        "list_id": 1,
        "owner": logchain.NODES["issuera1"],
        "purpose": "revocation",
        "size": 131_072,
        "uri": "https://issuer.happypets.example/status/1",
        "contract": logchain.STATUS_REGISTRY,
    }
    assert status_list["words"] == {0: 1 << 255}
    assert status_list["version"] == 2

    logchain.mine()
    ledger.ingest(
        [
            logchain.list_created(2, "issuera1", "issuera1", purpose=1, size=256),
            logchain.words_changed(2, {0: 0b1010}, "issuera1"),
            logchain.words_changed(1, {0: 0, 7: 5}, "issuera1"),
        ]
    )
    second = ledger.status_list(2)
    assert second is not None and (second["purpose"], second["size"], second["words"]) == (
        "suspension",
        256,
        {0: 10},
    )
    first = ledger.status_list(1)
    assert first is not None and first["words"] == {7: 5}

"""Revoked keys in the DID document and the entity detail (issue 14 item 1): never a verification
method, listed with when, why and (for a compromise) since when."""

from __future__ import annotations

from fastapi.testclient import TestClient

from resolver.did_syntax import xml_datetime
from resolver.documents import render_document
from tests.resolver.views import views_from_logs
from tests.support.chainlogs import Chain
from tests.support.resolver import NOW, client_for


def history() -> tuple[Chain, list, dict[str, int]]:
    """issuera1 with key-1 rotated out (superseded) and key-2 revoked as compromised since a time."""
    chain = Chain()
    logs = chain.hierarchy() + chain.issuer_setup()
    times: dict[str, int] = {}
    chain.mine()
    logs.append(chain.key_revoked("issuera1", "key-1", "issuera1", reason=1))
    times["rotated"] = chain.block_time
    chain.mine()
    times["since"] = chain.block_time - 86_400
    logs.append(
        chain.key_revoked("issuera1", "key-2", "issuera1", reason=2, compromised_since=times["since"])
    )
    times["compromised"] = chain.block_time
    return chain, logs, times


def test_document_lists_revoked_keys_with_reason_and_compromise_time() -> None:
    chain, logs, times = history()
    did = chain.DIDS["issuera1"]
    views = views_from_logs(logs)
    version = views.entity_version(did)
    assert version is not None
    document = render_document(version, views.effective_status(did), NOW)

    assert "verificationMethod" not in document and "assertionMethod" not in document
    assert document["trustLedger"]["revokedKeys"] == [
        {
            "id": f"{did}#key-1",
            "type": "JsonWebKey2020",
            "revoked": xml_datetime(times["rotated"]),
            "revocationReason": "superseded",
        },
        {
            "id": f"{did}#key-2",
            "type": "Multikey",
            "revoked": xml_datetime(times["compromised"]),
            "revocationReason": "keyCompromise",
            "compromisedSince": xml_datetime(times["since"]),
        },
    ]
    before = views.entity_version(did, at_time=times["rotated"] - 1)
    assert before is not None
    assert "revokedKeys" not in render_document(before, None, times["rotated"] - 1)["trustLedger"]


def test_entity_detail_keys_carry_reason_and_compromise_time() -> None:
    chain, logs, times = history()
    did = chain.DIDS["issuera1"]
    with client_for(views_from_logs(logs), chain_status=lambda: True) as client:
        client_keys = _keys(client, did)
    assert client_keys["key-1"]["revocationReason"] == "superseded"
    assert client_keys["key-1"]["compromisedSince"] is None
    assert client_keys["key-2"]["revocationReason"] == "keyCompromise"
    assert client_keys["key-2"]["compromisedSince"] == xml_datetime(times["since"])
    assert client_keys["key-2"]["revokedAt"] == xml_datetime(times["compromised"])


def _keys(client: TestClient, did: str) -> dict[str, dict]:
    response = client.get(f"/1.0/entities/{did}")
    assert response.status_code == 200, response.text
    return {key["id"].split("#")[1]: key for key in response.json()["keys"]}

"""DID document rendering from real EntityVersion records (pure functions)."""

from __future__ import annotations

import json

import pytest

from resolver.documents import (
    DID_CONTEXT,
    JWS_2020_CONTEXT,
    MULTIKEY_CONTEXT,
    TRUST_LEDGER_CONTEXT,
    find_resource,
    render_document,
)
from resolver.foreign import resolve_foreign
from resolver.keys import KeyMaterialError, jwk_from_hex, multibase_from_hex
from tests.resolver.scenario import (
    HAPPYPETS,
    KEY_3_JWK,
    KEY_EXP_UNTIL,
    REGISTERA2,
    ROOT,
    SECRET_MULTIKEY_HEX,
    SUBREGISTER,
    Scenario,
    jwk_hex,
)
from tests.resolver.views import InMemoryViews
from tests.support.chainlogs import ED25519_MULTIKEY_HEX, JWK_HEX
from tests.support.resolver import NOW

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def _ids(document: dict, relation: str = "verificationMethod") -> list[str]:
    return [m if isinstance(m, str) else m["id"] for m in document.get(relation, [])]


def test_current_happypets_document(views: InMemoryViews) -> None:
    version = views.entity_version(HAPPYPETS)
    assert version is not None
    doc = render_document(version, views.effective_status(HAPPYPETS), NOW)
    assert doc["@context"][0] == DID_CONTEXT
    assert set(doc["@context"][1:3]) == {JWS_2020_CONTEXT, MULTIKEY_CONTEXT}
    assert doc["@context"][-1] == {
        **TRUST_LEDGER_CONTEXT,
        "OID4VCI": "urn:trust-ledger:service-type:OID4VCI",
        "serviceEndpoint": {"@id": "https://www.w3.org/ns/did#serviceEndpoint", "@type": "@id"},
    }
    assert doc["id"] == HAPPYPETS and doc["controller"] == HAPPYPETS
    assert doc["alsoKnownAs"] == ["urn:trust-ledger:name:domaina.registera2.subregistera2_1.issuera1"]
    # key-1 is revoked, key-exp has expired by NOW
    assert _ids(doc) == [f"{HAPPYPETS}#key-2", f"{HAPPYPETS}#key-3"]
    assert _ids(doc, "authentication") == [f"{HAPPYPETS}#key-3"]
    assert _ids(doc, "assertionMethod") == [f"{HAPPYPETS}#key-2", f"{HAPPYPETS}#key-3"]
    assert "keyAgreement" not in doc and "capabilityInvocation" not in doc
    key_2, key_3 = doc["verificationMethod"]
    assert key_2 == {
        "id": f"{HAPPYPETS}#key-2",
        "type": "Multikey",
        "controller": HAPPYPETS,
        "publicKeyMultibase": "z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw",
    }
    assert key_3["publicKeyJwk"] == KEY_3_JWK and "publicKeyMultibase" not in key_3
    assert doc["service"] == [
        {
            "id": f"{HAPPYPETS}#issuer",
            "type": "OID4VCI",
            "serviceEndpoint": "https://issuer.happypets.example",
        }
    ]
    facts = doc["trustLedger"]
    assert facts["parent"] == SUBREGISTER and facts["status"] == facts["effectiveStatus"] == "active"
    assert facts["anchor"] == {
        "chainId": 31337,
        "contract": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "node": "0x86595d4040705d97af62e5d9e8095a06a36dc20de62e646d5a5bdbda3fa13f66",
    }
    assert facts["accreditations"] == [
        {
            "credentialType": "CustomerCredential",
            "roles": [
                {"target": "did:elsi:EU.EORI.PACKETDELIVERY", "names": ["P.Info.gold", "P.Info.standard"]}
            ],
            "validFrom": "2025-01-01T00:00:00Z",
            "validUntil": "2030-01-01T00:00:00Z",
            "grantedAt": "2025-01-01T00:01:00Z",
        }
    ]


def test_multikey_matches_did_key_of_the_same_ed25519_key() -> None:
    """The stored multicodec bytes give the same key as didkit's did:key document for them."""
    multibase = multibase_from_hex(ED25519_MULTIKEY_HEX)
    did_key = resolve_foreign(f"did:key:{multibase}")
    assert (
        did_key["verificationMethod"][0]["publicKeyJwk"]["x"] == "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    )


def test_key_validity_window_and_revocation_follow_the_query_time(
    views: InMemoryViews, scenario: Scenario
) -> None:
    at_rotation = views.entity_version(HAPPYPETS, at_time=scenario.times["key_3_added"])
    assert at_rotation is not None and at_rotation.version == 7
    doc = render_document(at_rotation, None, scenario.times["key_3_added"])
    assert _ids(doc) == [f"{HAPPYPETS}#{k}" for k in ("key-1", "key-2", "key-exp", "key-3")]
    after_expiry = render_document(at_rotation, None, KEY_EXP_UNTIL)
    assert f"{HAPPYPETS}#key-exp" not in _ids(after_expiry)
    before_valid_from = render_document(at_rotation, None, 1_735_689_599)
    assert "verificationMethod" not in before_valid_from


def test_private_jwk_members_and_secret_multikeys_never_leak(views: InMemoryViews) -> None:
    version = views.entity_version(REGISTERA2)
    assert version is not None
    doc = render_document(version, None, NOW)
    text = json.dumps(doc)
    assert "vP4xWCWeh4sslmIvnUuUXfczSrc1TbIForJOg9ZcIfE" not in text  # the leaked `d`
    (ops,) = doc["verificationMethod"]
    assert ops["id"] == f"{REGISTERA2}#ops" and not PRIVATE_MEMBERS & set(ops["publicKeyJwk"])
    assert ops["publicKeyJwk"]["x"] == "LXRTEwUlyAFXhTtaTD-tpj_PiXlIdBm4la0r-yoohME"
    assert doc["trustLedger"]["unusableKeys"] == [
        {"id": f"{REGISTERA2}#bad", "reason": "multicodec header of a secret key"}
    ]
    assert "4c6fb685" not in text


@pytest.mark.parametrize(
    ("material", "reason"),
    [
        (jwk_hex({"kty": "oct", "k": "c2VjcmV0"}), "is not a public-key type"),
        ("0x" + b"not json".hex(), "not a UTF-8 JSON JWK"),
        ("0x" + b"[1,2]".hex(), "not a JSON object"),
    ],
)
def test_unusable_jwks_are_refused(material: str, reason: str) -> None:
    with pytest.raises(KeyMaterialError, match=reason):
        jwk_from_hex(material)


def test_multikey_headers_and_lengths_are_checked() -> None:
    with pytest.raises(KeyMaterialError, match="secret key"):
        multibase_from_hex(SECRET_MULTIKEY_HEX)
    with pytest.raises(KeyMaterialError, match="unknown multicodec header"):
        multibase_from_hex("0x1234" + "00" * 32)
    with pytest.raises(KeyMaterialError, match="expected 32"):
        multibase_from_hex("0xed01" + "00" * 31)
    assert multibase_from_hex("0x8024" + "02" + "11" * 32).startswith("zDn")
    assert jwk_from_hex(JWK_HEX)["crv"] == "P-256"


def test_root_has_no_name_and_no_parent(views: InMemoryViews) -> None:
    version = views.entity_version(ROOT)
    assert version is not None
    doc = render_document(version, views.effective_status(ROOT), NOW)
    assert "alsoKnownAs" not in doc and doc["trustLedger"]["parent"] is None
    assert doc["trustLedger"]["name"] == ""


def test_find_resource_by_fragment(views: InMemoryViews) -> None:
    version = views.entity_version(HAPPYPETS)
    assert version is not None
    doc = render_document(version, None, NOW)
    assert find_resource(doc, "key-3")["type"] == "JsonWebKey2020"  # type: ignore[index]
    assert find_resource(doc, "issuer")["serviceEndpoint"] == "https://issuer.happypets.example"  # type: ignore[index]
    assert find_resource(doc, "key-1") is None


@pytest.mark.parametrize(
    ("name", "contexts", "written", "term"),
    [
        ("OID4VCI", [DID_CONTEXT], "OID4VCI", "urn:trust-ledger:service-type:OID4VCI"),
        (
            "LinkedDomains",
            [DID_CONTEXT],
            "LinkedDomains",
            "https://identity.foundation/.well-known/resources/did-configuration/#LinkedDomains",
        ),
        ("https://example.org/ns/T", [DID_CONTEXT], "https://example.org/ns/T", None),
        ("id", [DID_CONTEXT], "urn:trust-ledger:service-type:id", None),
        ("Multikey", [DID_CONTEXT, MULTIKEY_CONTEXT], "Multikey", None),
        ("Multikey", [DID_CONTEXT], "Multikey", "urn:trust-ledger:service-type:Multikey"),
        ("_:x", [DID_CONTEXT], "urn:trust-ledger:service-type:_%3Ax", None),
        ("a/b", [DID_CONTEXT], "urn:trust-ledger:service-type:a%2Fb", None),
    ],
)
def test_service_types_are_terms_or_absolute_iris(
    name: str, contexts: list[str], written: str, term: str | None
) -> None:
    from resolver.documents import service_type_value

    assert service_type_value(name, contexts) == (written, term)

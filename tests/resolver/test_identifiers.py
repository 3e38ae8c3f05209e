"""GET /1.0/identifiers/{did} and /api/did/v1/identifiers/{did}: resolution, versions, dereferencing,
content negotiation, the error table in both formats, deactivation, did:key / did:jwk via didkit."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from resolver.media import LEGACY_RESOLUTION
from tests.resolver.scenario import HAPPYPETS, ISSUERA3, KEY_3_JWK, LEAKY_JWK, NOCHEAPER, REGISTERA3, Scenario
from tests.resolver.views import InMemoryViews
from tests.support.resolver import NOW, client_for

CR = "application/did-resolution"
DID_BASE = "https://www.w3.org/ns/did#"
ED25519_DID_KEY = "did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"


def url(did_url: str, prefix: str = "/1.0/identifiers/") -> str:
    return prefix + quote(did_url, safe="")


def vm_ids(doc: dict[str, Any]) -> list[str]:
    return [m["id"].split("#")[1] for m in doc.get("verificationMethod", [])]


def did_jwk(jwk: dict[str, Any]) -> str:
    return "did:jwk:" + base64.urlsafe_b64encode(json.dumps(jwk).encode()).rstrip(b"=").decode()


# ---------------------------------------------------------------------- resolution and negotiation


@pytest.mark.parametrize("prefix", ["/1.0/identifiers/", "/api/did/v1/identifiers/"])
def test_resolves_a_registry_did_on_both_paths(client: TestClient, prefix: str) -> None:
    response = client.get(prefix + HAPPYPETS)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/did+ld+json"
    doc = response.json()
    assert doc["id"] == HAPPYPETS and vm_ids(doc) == ["key-2", "key-3"]
    assert response.headers["x-ledger-block"] == "116"
    assert response.headers["x-ledger-block-time"] == "2025-01-01T00:03:12Z"
    assert response.headers["x-chain-reachable"] == "true"
    assert response.headers["cache-control"] == "public, max-age=10"
    assert response.headers["vary"] == "Accept"


@pytest.mark.parametrize(
    ("accept", "content_type", "has_context"),
    [
        (None, "application/did+ld+json", True),
        ("*/*", "application/did+ld+json", True),
        ("application/did+ld+json", "application/did+ld+json", True),
        ("application/did+json", "application/did+json", False),
        ("application/ld+json", "application/ld+json", True),
        ("application/json", "application/json", True),
    ],
)
def test_document_representations(
    client: TestClient, accept: str | None, content_type: str, has_context: bool
) -> None:
    headers = {"accept": accept} if accept else {}
    response = client.get(url(HAPPYPETS), headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    body = response.json()
    assert body["id"] == HAPPYPETS
    assert ("@context" in body) is has_context


def test_application_did_is_not_claimed_for_a_did_core_1_0_document(client: TestClient) -> None:
    """Issue 16 item 10: `application/did` is DID 1.1's media type, whose documents start their
    @context with https://www.w3.org/ns/did/v1.1; ours are DID Core 1.0 (`.../did/v1`), and were
    sent as `application/did`, and named so in every resolution result's contentType."""
    only = client.get(url(HAPPYPETS), headers={"accept": "application/did"})
    assert only.status_code == 406 and only.headers["content-type"] == CR
    error = only.json()["didResolutionMetadata"]["error"]
    assert error["type"] == DID_BASE + "REPRESENTATION_NOT_SUPPORTED" and "DID 1.1" in error["detail"]
    either = client.get(url(HAPPYPETS), headers={"accept": "application/did, application/did+ld+json;q=0.9"})
    assert either.status_code == 200 and either.headers["content-type"] == "application/did+ld+json"
    assert either.json()["@context"][0] == "https://www.w3.org/ns/did/v1"
    for accept in (CR, LEGACY_RESOLUTION):
        result = client.get(url(HAPPYPETS), headers={"accept": accept}).json()
        assert result["didResolutionMetadata"]["contentType"] == "application/did+ld+json"
        assert result["didDocument"]["@context"][0] == "https://www.w3.org/ns/did/v1"
    fragment = client.get(url(f"{HAPPYPETS}#issuer"), headers={"accept": "application/did-url-dereferencing"})
    assert fragment.json()["dereferencingMetadata"]["contentType"] == "application/did+ld+json"


def test_cr_resolution_result(client: TestClient) -> None:
    response = client.get(url(HAPPYPETS), headers={"accept": CR})
    assert response.status_code == 200 and response.headers["content-type"] == CR
    body = response.json()
    assert body["didDocument"]["id"] == HAPPYPETS
    meta = body["didResolutionMetadata"]
    assert meta["contentType"] == "application/did+ld+json"
    assert meta["ledger"] == {
        "position": 39,
        "blockNumber": 116,
        "blockTime": "2025-01-01T00:03:12Z",
        "chainReachable": True,
    }
    doc_meta = body["didDocumentMetadata"]
    assert doc_meta["created"] == "2025-01-01T00:01:00Z"
    assert doc_meta["updated"] == "2025-01-01T00:02:00Z"
    assert doc_meta["versionId"] == "8" and doc_meta["deactivated"] is False
    assert "nextVersionId" not in doc_meta and "nextUpdate" not in doc_meta
    assert doc_meta["provenance"]["event"] == "KeyRevoked"
    assert doc_meta["provenance"]["blockNumber"] == 110
    assert doc_meta["provenance"]["txHash"].startswith("0x") and len(doc_meta["provenance"]["txHash"]) == 66


def test_legacy_resolution_result(client: TestClient) -> None:
    response = client.get(url(HAPPYPETS), headers={"accept": LEGACY_RESOLUTION})
    assert response.status_code == 200
    assert response.headers["content-type"] == LEGACY_RESOLUTION
    body = response.json()
    assert body["didResolutionMetadata"]["contentType"] == "application/did+ld+json"
    assert body["didDocument"]["@context"][0] == "https://www.w3.org/ns/did/v1"
    assert body["didDocumentMetadata"]["versionId"] == "8"


# ---------------------------------------------------------------------- versions


def test_version_time_before_and_after_the_key_rotation(client: TestClient, scenario: Scenario) -> None:
    def at(label: str) -> dict[str, Any]:
        query = {"versionTime": f"{_xml(scenario.times[label])}"}
        response = client.get(url(HAPPYPETS), params=query, headers={"accept": CR})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=3600"
        return response.json()

    before = at("issuer_setup")
    assert vm_ids(before["didDocument"]) == ["key-1", "key-2"]
    assert [r.split("#")[1] for r in before["didDocument"]["authentication"]] == ["key-1"]
    assert before["didDocumentMetadata"]["versionId"] == "5"
    assert before["didDocumentMetadata"]["nextVersionId"] == "6"
    assert before["didDocumentMetadata"]["nextUpdate"] == _xml(scenario.times["key_exp_added"])

    during = at("key_3_added")
    assert vm_ids(during["didDocument"]) == ["key-1", "key-2", "key-exp", "key-3"]

    after = at("key_1_revoked")
    assert vm_ids(after["didDocument"]) == ["key-2", "key-exp", "key-3"]
    assert after["didDocumentMetadata"]["versionId"] == "8"
    assert "nextVersionId" not in after["didDocumentMetadata"]


def test_version_id_gives_that_version_with_its_successor(client: TestClient, scenario: Scenario) -> None:
    response = client.get(url(HAPPYPETS), params={"versionId": "5"}, headers={"accept": CR})
    body = response.json()
    assert response.status_code == 200
    assert vm_ids(body["didDocument"]) == ["key-1", "key-2"]
    assert body["didDocumentMetadata"]["versionId"] == "5"
    assert body["didDocumentMetadata"]["nextVersionId"] == "6"
    assert body["didDocumentMetadata"]["updated"] == "2025-01-01T00:01:12Z"  # keys added in block 106
    first = client.get(url(HAPPYPETS), params={"versionId": "1"}, headers={"accept": CR}).json()
    assert "verificationMethod" not in first["didDocument"]
    assert "updated" not in first["didDocumentMetadata"]
    assert first["didDocument"]["trustLedger"]["accreditations"] == []


def test_version_as_did_parameters_inside_the_did_url(client: TestClient) -> None:
    by_param = client.get(url(f"{HAPPYPETS}?versionId=5"), headers={"accept": CR})
    assert by_param.status_code == 200
    assert by_param.json()["didDocumentMetadata"]["versionId"] == "5"
    by_time = client.get(url(f"{HAPPYPETS}?versionTime=2025-01-01T00:01:40Z"))
    assert by_time.status_code == 200 and vm_ids(by_time.json()) == ["key-1", "key-2", "key-exp"]


def _xml(seconds: int) -> str:
    from resolver.did_syntax import xml_datetime

    value = xml_datetime(seconds)
    assert value is not None
    return value


# ---------------------------------------------------------------------- dereferencing


def test_fragment_dereferencing_gives_the_verification_method(client: TestClient) -> None:
    response = client.get(url(f"{HAPPYPETS}#key-3"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/did+ld+json"
    vm = response.json()
    assert vm["id"] == f"{HAPPYPETS}#key-3" and vm["publicKeyJwk"] == KEY_3_JWK
    assert vm["@context"][0] == "https://www.w3.org/ns/did/v1"
    plain = client.get(url(f"{HAPPYPETS}#key-2"), headers={"accept": "application/did+json"}).json()
    assert "@context" not in plain and plain["publicKeyMultibase"].startswith("z6Mk")


def test_fragment_dereferencing_result_and_service_fragment(client: TestClient) -> None:
    response = client.get(url(f"{HAPPYPETS}#issuer"), headers={"accept": "application/did-url-dereferencing"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/did-url-dereferencing"
    body = response.json()
    assert body["content"]["serviceEndpoint"] == "https://issuer.happypets.example"
    assert body["dereferencingMetadata"]["contentType"] == "application/did+ld+json"
    assert body["contentMetadata"]["versionId"] == "8"


def test_fragment_of_a_historic_version(client: TestClient) -> None:
    old = client.get(url(f"{HAPPYPETS}#key-1"), params={"versionId": "5"})
    assert old.status_code == 200 and old.json()["id"] == f"{HAPPYPETS}#key-1"
    now = client.get(url(f"{HAPPYPETS}#key-1"), headers={"accept": CR})
    assert now.status_code == 404
    assert now.json()["didResolutionMetadata"]["error"]["type"] == DID_BASE + "NOT_FOUND"


def test_verification_relationship_option(client: TestClient) -> None:
    ok = client.get(url(f"{HAPPYPETS}#key-3"), params={"verificationRelationship": "authentication"})
    assert ok.status_code == 200
    refused = client.get(url(f"{HAPPYPETS}#key-2"), params={"verificationRelationship": "authentication"})
    assert refused.status_code == 404
    assert "not authorised for authentication" in refused.json()["didResolutionMetadata"]["error"]["detail"]


def test_service_dereferencing_redirects(client: TestClient) -> None:
    response = client.get(
        url(f"{HAPPYPETS}?service=issuer&relativeRef=%2Fcredential"), follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "https://issuer.happypets.example/credential"
    assert response.content == b""
    plain = client.get(url(f"{HAPPYPETS}?service=issuer"), follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == "https://issuer.happypets.example"
    by_type = client.get(url(f"{HAPPYPETS}?serviceType=OID4VCI"), follow_redirects=False)
    assert by_type.headers["location"] == "https://issuer.happypets.example"
    missing = client.get(url(f"{HAPPYPETS}?service=verifier"), follow_redirects=False)
    assert missing.status_code == 404


def test_service_dereferencing_keeps_the_fragment_and_answers_a_uri_list(client: TestClient) -> None:
    """Issue 16 item 10: DID Resolution §"Dereferencing the Secondary Resource": the selected endpoint
    inherits the DID URL's fragment (it was dropped); the answer is text/uri-list, which an Accept
    may name (it was 406), and a dereferencing result says so."""
    did_url = f"{HAPPYPETS}?service=issuer&relativeRef=%2Fcredential#offer"
    for accept in (None, "text/uri-list", "application/did+ld+json"):
        response = client.get(
            url(did_url), headers={"accept": accept} if accept else {}, follow_redirects=False
        )
        assert response.status_code == 303, (accept, response.text)
        assert response.headers["location"] == "https://issuer.happypets.example/credential#offer"
        assert response.content == b""
    result = client.get(url(did_url), headers={"accept": "application/did-url-dereferencing"})
    assert result.status_code == 200
    assert result.headers["content-type"] == "application/did-url-dereferencing"
    body = result.json()
    assert body["content"] == "https://issuer.happypets.example/credential#offer\r\n"
    assert body["dereferencingMetadata"]["contentType"] == "text/uri-list"
    assert body["contentMetadata"]["versionId"] == "8"
    twice = client.get(
        url(f"{HAPPYPETS}?service=issuer&relativeRef=%2Fc%23top#offer"), follow_redirects=False
    )
    assert twice.status_code == 400
    assert twice.json()["didResolutionMetadata"]["error"]["type"] == DID_BASE + "INVALID_DID_URL"
    plain = client.get(url(HAPPYPETS), headers={"accept": "text/uri-list"})
    assert plain.status_code == 406


# ---------------------------------------------------------------------- deactivation and trust facts


def test_revoked_entity_is_410_with_deactivated_metadata(client: TestClient) -> None:
    for accept in (CR, None):
        response = client.get(url(NOCHEAPER), headers={"accept": accept} if accept else {})
        assert response.status_code == 410
        assert response.headers["content-type"] == CR
        body = response.json()
        assert body["didDocument"] is None
        assert body["didDocumentMetadata"]["deactivated"] is True
        assert body["didDocumentMetadata"]["versionId"] == "3"
    legacy = client.get(url(NOCHEAPER), headers={"accept": LEGACY_RESOLUTION})
    assert legacy.status_code == 410 and legacy.headers["content-type"] == LEGACY_RESOLUTION
    assert legacy.json()["didDocumentMetadata"]["deactivated"] is True


def test_revoked_entity_before_revocation_resolves(client: TestClient, scenario: Scenario) -> None:
    response = client.get(url(NOCHEAPER), params={"versionId": "2"}, headers={"accept": CR})
    assert response.status_code == 200
    body = response.json()
    assert body["didDocumentMetadata"]["deactivated"] is False
    assert body["didDocument"]["trustLedger"]["accreditations"][0]["roles"][0]["names"] == ["P.Info.standard"]


def test_suspended_ancestor_shows_in_effective_status(client: TestClient) -> None:
    facts = client.get(url(ISSUERA3)).json()["trustLedger"]
    assert facts["status"] == "active"
    assert facts["effectiveStatus"] == "suspended"
    assert facts["effectiveStatusBecauseOf"] == REGISTERA3


# ---------------------------------------------------------------------- did:key, did:jwk


@pytest.mark.parametrize(
    ("did", "jwk"),
    [
        (
            ED25519_DID_KEY,
            {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        ),
        (
            "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",
            {
                "kty": "EC",
                "crv": "P-256",
                "x": "fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI",
                "y": "hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU",
            },
        ),
    ],
)
def test_did_key_documents_are_json_web_key_2020(client: TestClient, did: str, jwk: dict[str, str]) -> None:
    """Issue 16 item 10: didkit writes `Ed25519VerificationKey2018` (or
    `EcdsaSecp256r1VerificationKey2019`) carrying `publicKeyJwk`, a format those suites do not
    define; the document is did:key v0.7's with publicKeyFormat JsonWebKey2020, as for the
    jwk_jcs-pub did:keys and did:jwk."""
    document = client.get(url(did), headers={"accept": CR}).json()["didDocument"]
    method = f"{did}#{did.removeprefix('did:key:')}"
    assert document == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "id": did,
        "verificationMethod": [
            {"id": method, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
        ],
        "authentication": [method],
        "assertionMethod": [method],
        "capabilityInvocation": [method],
        "capabilityDelegation": [method],
    }


def test_did_key_via_didkit(client: TestClient) -> None:
    response = client.get(url(ED25519_DID_KEY), headers={"accept": CR})
    assert response.status_code == 200
    body = response.json()
    assert body["didDocument"]["id"] == ED25519_DID_KEY
    assert body["didResolutionMetadata"]["source"] == "didkit"
    assert response.headers["cache-control"] == "public, max-age=3600"
    fragment = ED25519_DID_KEY.removeprefix("did:key:")
    vm = client.get(url(f"{ED25519_DID_KEY}#{fragment}")).json()
    assert vm["id"] == f"{ED25519_DID_KEY}#{fragment}"


def test_did_jwk_via_didkit(client: TestClient) -> None:
    did = did_jwk(KEY_3_JWK)
    response = client.get(url(did))
    assert response.status_code == 200
    doc = response.json()
    assert doc["id"] == did
    assert doc["verificationMethod"][0]["publicKeyJwk"] == KEY_3_JWK
    assert doc["assertionMethod"] == [f"{did}#0"]


def test_did_jwk_with_a_private_key_is_an_invalid_did(client: TestClient) -> None:
    response = client.get(url(did_jwk(LEAKY_JWK)), headers={"accept": CR})
    assert response.status_code == 400
    assert response.json()["didResolutionMetadata"]["error"]["type"] == DID_BASE + "INVALID_DID"
    assert LEAKY_JWK["d"] not in response.text


# ---------------------------------------------------------------------- error table, both formats


ERROR_CASES = [
    # (DID URL, query, extra Accept, status, CR name, legacy keyword)
    ("did:Elsi:EU.EORI.HAPPYPETS", {}, None, 400, "INVALID_DID", "invalidDid"),
    ("not-a-did", {}, None, 400, "INVALID_DID", "invalidDid"),
    (f"{HAPPYPETS}?versionId=1&versionId=2", {}, None, 400, "INVALID_DID_URL", "invalidDidUrl"),
    (f"{HAPPYPETS}#", {}, None, 400, "INVALID_DID_URL", "invalidDidUrl"),
    (HAPPYPETS, {"versionTime": "last tuesday"}, None, 400, "INVALID_OPTIONS", "invalidOptions"),
    (HAPPYPETS, {"versionId": "abc"}, None, 400, "INVALID_OPTIONS", "invalidOptions"),
    (
        HAPPYPETS,
        {"versionId": "2", "versionTime": "2025-01-01T00:00:00Z"},
        None,
        400,
        "INVALID_OPTIONS",
        "invalidOptions",
    ),
    (f"{HAPPYPETS}?versionId=5", {"versionId": "6"}, None, 400, "INVALID_OPTIONS", "invalidOptions"),
    (HAPPYPETS, {"expandRelativeUrls": "maybe"}, None, 400, "INVALID_OPTIONS", "invalidOptions"),
    ("did:elsi:EU.EORI.UNKNOWN", {}, None, 404, "NOT_FOUND", "notFound"),
    ("did:web:unregistered.example", {}, None, 404, "NOT_FOUND", "notFound"),
    (HAPPYPETS, {"versionId": "99"}, None, 404, "NOT_FOUND", "notFound"),
    (HAPPYPETS, {"versionTime": "2024-12-31T00:00:00Z"}, None, 404, "NOT_FOUND", "notFound"),
    (f"{HAPPYPETS}#nope", {}, None, 404, "NOT_FOUND", "notFound"),
    (HAPPYPETS, {}, "text/html", 406, "REPRESENTATION_NOT_SUPPORTED", "representationNotSupported"),
    (
        "did:ethr:0xb9c5714089478a327f09197987f16f9e5d936e8a",
        {},
        None,
        501,
        "METHOD_NOT_SUPPORTED",
        "methodNotSupported",
    ),
    (f"{HAPPYPETS}/path/to/thing", {}, None, 501, "FEATURE_NOT_SUPPORTED", "featureNotSupported"),
    (
        f"{HAPPYPETS}?hl=zQmWvQxTqbG2Z9HPJgG57jjwR154cKhbtJenbyYTWkjgF3e",
        {},
        None,
        501,
        "FEATURE_NOT_SUPPORTED",
        "featureNotSupported",
    ),
    (ED25519_DID_KEY, {"versionId": "1"}, None, 501, "FEATURE_NOT_SUPPORTED", "featureNotSupported"),
]


@pytest.mark.parametrize(("did_url", "query", "accept", "status", "name", "keyword"), ERROR_CASES)
def test_errors_in_cr_format(
    client: TestClient,
    did_url: str,
    query: dict[str, str],
    accept: str | None,
    status: int,
    name: str,
    keyword: str,
) -> None:
    headers = {"accept": f"{accept}, {CR};q=0" if accept else CR}
    response = client.get(url(did_url), params=query, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == CR
    body = response.json()
    assert body["didDocument"] is None and body["didDocumentMetadata"] == {}
    error = body["didResolutionMetadata"]["error"]
    assert error["type"] == DID_BASE + name
    assert error["title"] and error["detail"]
    assert response.headers["x-ledger-block"] == "116"


@pytest.mark.parametrize(("did_url", "query", "accept", "status", "name", "keyword"), ERROR_CASES)
def test_errors_in_legacy_format(
    client: TestClient,
    did_url: str,
    query: dict[str, str],
    accept: str | None,
    status: int,
    name: str,
    keyword: str,
) -> None:
    headers = {"accept": f"{accept}, {LEGACY_RESOLUTION};q=0" if accept else LEGACY_RESOLUTION}
    response = client.get(url(did_url), params=query, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == LEGACY_RESOLUTION
    body = response.json()
    assert body["didDocument"] is None and body["didDocumentMetadata"] == {}
    assert body["didResolutionMetadata"]["error"] == keyword
    assert body["didResolutionMetadata"]["errorMessage"]


def test_document_accept_errors_default_to_the_cr_format(client: TestClient) -> None:
    response = client.get(url("did:elsi:EU.EORI.UNKNOWN"), headers={"accept": "application/did+ld+json"})
    assert response.status_code == 404
    assert response.headers["content-type"] == CR
    assert response.json()["didResolutionMetadata"]["error"] == {
        "type": DID_BASE + "NOT_FOUND",
        "title": "Not found",
        "detail": "did:elsi:EU.EORI.UNKNOWN is not registered in this trust ledger",
    }
    assert response.headers["cache-control"] == "no-cache"


def test_registry_methods_are_configurable(views: InMemoryViews) -> None:
    with client_for(views, registry_methods=frozenset({"elsi"})) as only_elsi:
        assert only_elsi.get(url("did:web:unregistered.example")).status_code == 501
        assert only_elsi.get(url("did:elsi:EU.EORI.UNKNOWN")).status_code == 404
        assert only_elsi.get(url(REGISTERA3)).status_code == 200  # known DIDs resolve whatever their method
        assert only_elsi.get("/1.0/methods").json() == ["elsi", "jwk", "key", "pkh"]


class _BrokenDidkit(Exception):
    pass


def test_invalid_document_from_didkit(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import resolver.foreign

    monkeypatch.setattr(resolver.foreign, "_run", lambda did: json.dumps({"id": "did:key:someone-else"}))
    cr = client.get(url(ED25519_DID_KEY), headers={"accept": CR})
    assert cr.status_code == 500
    assert cr.json()["didResolutionMetadata"]["error"]["type"] == DID_BASE + "INVALID_DID_DOCUMENT"
    legacy = client.get(url(ED25519_DID_KEY), headers={"accept": LEGACY_RESOLUTION})
    assert (
        legacy.status_code == 500 and legacy.json()["didResolutionMetadata"]["error"] == "invalidDidDocument"
    )


class _FailingViews(InMemoryViews):
    def entity_version(self, did: str, *, version: int | None = None, at_time: int | None = None) -> Any:
        raise RuntimeError("database connection lost")


def test_unexpected_failures_are_internal_errors_in_both_formats(views: InMemoryViews) -> None:
    failing = _FailingViews(views.entities, views.lists, views.current_freshness)
    with client_for(failing) as broken:
        cr = broken.get(url(HAPPYPETS), headers={"accept": CR})
        assert cr.status_code == 500 and cr.headers["content-type"] == CR
        error = cr.json()["didResolutionMetadata"]["error"]
        assert error["type"] == DID_BASE + "INTERNAL_ERROR" and "database" not in error["detail"]
        legacy = broken.get(url(HAPPYPETS), headers={"accept": LEGACY_RESOLUTION})
        assert (
            legacy.status_code == 500 and legacy.json()["didResolutionMetadata"]["error"] == "internalError"
        )
        entity = broken.get(f"/1.0/entities/{HAPPYPETS}")
        assert entity.status_code == 500 and entity.headers["content-type"] == "application/problem+json"
        assert entity.json()["type"] == DID_BASE + "INTERNAL_ERROR"


# ---------------------------------------------------------------------- caching


def test_etag_and_if_none_match(client: TestClient) -> None:
    first = client.get(url(HAPPYPETS))
    etag = first.headers["etag"]
    assert etag.startswith('"') and len(etag) == 66
    again = client.get(url(HAPPYPETS), headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["x-ledger-block"] == "116"
    assert client.get(url(HAPPYPETS), headers={"if-none-match": f'W/{etag}, "other"'}).status_code == 304
    other_representation = client.get(
        url(HAPPYPETS), headers={"accept": "application/did+json", "if-none-match": etag}
    )
    assert other_representation.status_code == 200 and other_representation.headers["etag"] != etag


def test_time_is_taken_from_the_clock(views: InMemoryViews) -> None:
    """At a clock inside key-exp's window the current document still lists it."""
    from resolver import create_app

    with TestClient(create_app(views, clock=lambda: 1_735_690_000)) as early:
        assert vm_ids(early.get(url(HAPPYPETS)).json()) == ["key-2", "key-exp", "key-3"]
    assert NOW > 1_735_692_000


def test_identifier_is_percent_decoded_exactly_once(client: TestClient) -> None:
    response = client.get("/1.0/identifiers/did%3Aweb%3Alocalhost%253A8080", headers={"accept": CR})
    assert response.status_code == 404
    detail = response.json()["didResolutionMetadata"]["error"]["detail"]
    assert detail == "did:web:localhost%3A8080 is not registered in this trust ledger"


def test_did_pkh_via_didkit(client: TestClient) -> None:
    did = "did:pkh:eip155:1:0xb9c5714089478a327f09197987f16f9e5d936e8a"
    doc = client.get(url(did)).json()
    assert doc["id"] == did
    assert (
        doc["verificationMethod"][0]["blockchainAccountId"]
        == "eip155:1:0xb9c5714089478a327f09197987f16f9e5d936e8a"
    )

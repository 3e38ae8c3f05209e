"""Trust list, entity detail, status lists, FIWARE TIL v4, TW DIW status, health, OpenAPI, freshness."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from resolver.models import EntityDetail, TilIssuer, TrustList
from resolver.status_codec import decode, get_bit
from tests.resolver.scenario import (
    DOMAINA,
    HAPPYPETS,
    ISSUERA3,
    NOCHEAPER,
    REGISTERA2,
    REGISTERA3,
    ROOT,
    SUBREGISTER,
    Scenario,
)
from tests.resolver.views import InMemoryViews
from tests.support.resolver import client_for

PROBLEM = "application/problem+json"
ALL_BY_NAME = [ROOT, DOMAINA, REGISTERA2, NOCHEAPER, SUBREGISTER, HAPPYPETS, REGISTERA3, ISSUERA3]
"""Every entity, ordered by hierarchical name (the root's name is empty)."""


def dids(body: dict[str, Any]) -> list[str]:
    return [item["did"] for item in body["items"]]


# ---------------------------------------------------------------------- trust list


def test_trust_list_pages(client: TestClient) -> None:
    first = client.get("/1.0/trust-list", params={"size": 3})
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    body = first.json()
    assert dids(body) == ALL_BY_NAME[:3]
    assert (body["total"], body["page"], body["size"]) == (8, 1, 3)
    assert body["links"]["prev"] is None
    assert body["links"]["next"] == "http://testserver/1.0/trust-list?page=2&size=3"
    assert body["links"]["last"] == "http://testserver/1.0/trust-list?page=3&size=3"
    last = client.get(body["links"]["last"]).json()
    assert dids(last) == ALL_BY_NAME[6:] and last["links"]["next"] is None
    assert last["links"]["prev"] == "http://testserver/1.0/trust-list?page=2&size=3"
    item = body["items"][1]
    assert item == {
        "did": DOMAINA,
        "name": "domaina",
        "node": "0x37d9673e03f44421a761d1d787ac2c1f9a365648d31500c97f26a92e67ccc61c",
        "parent": ROOT,
        "ancestry": [ROOT],
        "status": "active",
        "effectiveStatus": {"status": "active", "ownStatus": "active", "becauseOf": None},
        "accreditations": [
            {
                "credentialType": "CustomerCredential",
                "roles": [
                    {"target": "did:elsi:EU.EORI.PACKETDELIVERY", "names": ["P.Info.gold", "P.Info.standard"]}
                ],
                "validFrom": "2025-01-01T00:00:00Z",
                "validUntil": "2030-01-01T00:00:00Z",
                "grantedAt": "2025-01-01T00:00:24Z",
            }
        ],
        "controller": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "version": 2,
        "updated": "2025-01-01T00:00:24Z",
        "href": "/1.0/entities/did%3Aelsi%3AEU.EORI.DOMAINA",
        "didDocument": "/1.0/identifiers/did%3Aelsi%3AEU.EORI.DOMAINA",
    }


def test_trust_list_filters(client: TestClient) -> None:
    def listed(**params: str) -> list[str]:
        response = client.get("/1.0/trust-list", params=params)
        assert response.status_code == 200
        return dids(response.json())

    assert listed(status="suspended") == [REGISTERA3, ISSUERA3]
    assert listed(status="revoked") == [NOCHEAPER]
    assert listed(subtree=REGISTERA2, status="active") == [REGISTERA2, SUBREGISTER, HAPPYPETS]
    assert listed(credentialType="NoSuchCredential") == []
    assert ROOT not in listed(credentialType="CustomerCredential")


def test_trust_list_as_of(client: TestClient, scenario: Scenario) -> None:
    before_nocheaper = client.get("/1.0/trust-list", params={"asOf": str(scenario.times["issuer_setup"])})
    body = before_nocheaper.json()
    assert dids(body) == [ROOT, DOMAINA, REGISTERA2, SUBREGISTER, HAPPYPETS]
    assert body["asOf"] == "2025-01-01T00:01:24Z"
    assert before_nocheaper.headers["cache-control"] == "public, max-age=3600"
    while_active = client.get(
        "/1.0/trust-list", params={"asOf": "2025-01-01T00:02:30Z", "status": "active", "subtree": NOCHEAPER}
    )
    assert dids(while_active.json()) == [NOCHEAPER]
    unknown = client.get("/1.0/trust-list", params={"subtree": "did:elsi:EU.EORI.NOBODY"})
    assert (
        unknown.status_code == 404
        and unknown.json()["detail"] == "subtree did:elsi:EU.EORI.NOBODY is not registered"
    )
    not_yet = client.get("/1.0/trust-list", params={"subtree": NOCHEAPER, "asOf": "2025-01-01T00:00:00Z"})
    assert not_yet.status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"size": "0"},
        {"size": "101"},
        {"page": "0"},
        {"status": "paused"},
        {"asOf": "soon"},
        {"subtree": "nope"},
    ],
)
def test_trust_list_bad_options_are_400_problems(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/1.0/trust-list", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 400 and body["instance"] == "/1.0/trust-list"
    assert body["type"] in (
        "https://www.w3.org/ns/did#INVALID_OPTIONS",
        "https://www.w3.org/ns/did#INVALID_DID",
    )


# ---------------------------------------------------------------------- entity detail


def test_entity_detail_with_history(client: TestClient, scenario: Scenario) -> None:
    response = client.get(f"/1.0/entities/{HAPPYPETS}")
    assert response.status_code == 200
    body = response.json()
    assert [a["did"] for a in body["ancestry"]] == [ROOT, DOMAINA, REGISTERA2, SUBREGISTER]
    assert body["effectiveStatus"] == {"status": "active", "ownStatus": "active", "becauseOf": None}
    assert [h["event"] for h in body["history"]] == [
        "Registered",
        "Accredited",
        "KeyAdded",
        "KeyAdded",
        "ServiceAdded",
        "KeyAdded",
        "KeyAdded",
        "KeyRevoked",
    ]
    last = body["history"][-1]
    assert last["version"] == 8 and last["blockNumber"] == scenario.blocks["key_1_revoked"]
    assert last["blockTime"] == "2025-01-01T00:02:00Z" and last["validUntil"] is None
    assert last["txHash"] == next(log.tx_hash for log in scenario.logs if log.event == "KeyRevoked")
    assert last["by"] == "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
    keys = {k["id"].split("#")[1]: k for k in body["keys"]}
    assert keys["key-1"]["revoked"] is True and keys["key-1"]["revokedAt"] == "2025-01-01T00:02:00Z"
    assert keys["key-exp"]["validUntil"] == "2025-01-01T00:40:00Z"
    assert "publicKeyJwk" not in json.dumps(body) and "public_key" not in json.dumps(body)
    assert body["statusLists"] == [
        {
            "listId": 1,
            "purpose": "revocation",
            "size": 131072,
            "uri": "https://issuer.happypets.example/status/1",
            "href": "/1.0/status-lists/1",
        }
    ]


def test_entity_detail_as_of_and_effective_status(client: TestClient, scenario: Scenario) -> None:
    early = client.get(f"/1.0/entities/{HAPPYPETS}", params={"asOf": str(scenario.times["hierarchy"])}).json()
    assert early["version"] == 2 and len(early["history"]) == 2 and early["keys"] == []
    suspended_child = client.get(f"/1.0/entities/{ISSUERA3}").json()
    assert suspended_child["effectiveStatus"] == {
        "status": "suspended",
        "ownStatus": "active",
        "becauseOf": REGISTERA3,
    }
    encoded = client.get("/1.0/entities/did%3Aelsi%3AEU.EORI.NOCHEAPER").json()
    assert encoded["status"] == "revoked" and encoded["history"][-1]["event"] == "StatusChanged"


def test_entity_errors_are_problems(client: TestClient) -> None:
    missing = client.get("/1.0/entities/did:elsi:EU.EORI.NOBODY")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    assert missing.json() == {
        "type": "https://www.w3.org/ns/did#NOT_FOUND",
        "title": "Not found",
        "detail": "did:elsi:EU.EORI.NOBODY is not registered",
        "status": 404,
        "instance": "/1.0/entities/did:elsi:EU.EORI.NOBODY",
    }
    too_early = client.get(f"/1.0/entities/{NOCHEAPER}", params={"asOf": "2025-01-01T00:00:00Z"})
    assert too_early.status_code == 404
    bad = client.get("/1.0/entities/not-a-did")
    assert bad.status_code == 400 and bad.json()["type"] == "https://www.w3.org/ns/did#INVALID_DID"


# ---------------------------------------------------------------------- status lists


def test_status_list_encoded_list(client: TestClient, scenario: Scenario) -> None:
    response = client.get("/1.0/status-lists/1")
    assert response.status_code == 200
    body = response.json()
    assert {
        k: body[k] for k in ("listId", "owner", "purpose", "size", "uri", "blockNumber", "blockTime")
    } == {
        "listId": 1,
        "owner": HAPPYPETS,
        "purpose": "revocation",
        "size": 131_072,
        "uri": "https://issuer.happypets.example/status/1",
        "blockNumber": 107,
        "blockTime": "2025-01-01T00:01:24Z",
    }
    assert body["encodedList"].startswith("uH4sI")
    bits = decode(body["encodedList"])
    assert len(bits) == 16_384 and get_bit(bits, 0) == 1 and get_bit(bits, 1) == 0
    assert sum(bin(b).count("1") for b in bits) == 1
    assert body["txHash"] == next(log.tx_hash for log in scenario.logs if log.event == "StatusWordsChanged")


def test_status_list_as_of_and_errors(client: TestClient) -> None:
    created = client.get("/1.0/status-lists/1", params={"asOf": "2025-01-01T00:01:24Z"}).json()
    assert get_bit(decode(created["encodedList"]), 0) == 1  # created and set in the same block
    before = client.get("/1.0/status-lists/1", params={"asOf": "2025-01-01T00:01:00Z"})
    assert before.status_code == 404 and before.headers["content-type"] == PROBLEM
    assert client.get("/1.0/status-lists/7").status_code == 404
    assert client.get("/1.0/status-lists/abc").status_code == 400
    assert client.get("/1.0/status-lists/0").status_code == 400


# ---------------------------------------------------------------------- FIWARE TIL / EBSI TIR v4


def _has_null(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_null(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_null(v) for v in value)
    return value is None


def test_til_issuers_listing(client: TestClient) -> None:
    """FIWARE's `page[after]` is a 0-based page number, 0 by default; no null in `links`."""
    response = client.get("/v4/issuers", params={"page[size]": "2", "page[after]": "1"})
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "self": "http://testserver/v4/issuers?page[after]=1&page[size]=2",
        "items": [
            {"did": REGISTERA2, "href": f"http://testserver/v4/issuers/{REGISTERA2}"},
            {"did": SUBREGISTER, "href": f"http://testserver/v4/issuers/{SUBREGISTER}"},
        ],
        "total": 5,
        "pageSize": 2,
        "links": {
            "first": "http://testserver/v4/issuers?page[after]=0&page[size]=2",
            "prev": "http://testserver/v4/issuers?page[after]=0&page[size]=2",
            "next": "http://testserver/v4/issuers?page[after]=2&page[size]=2",
            "last": "http://testserver/v4/issuers?page[after]=2&page[size]=2",
        },
    }
    default = client.get("/v4/issuers/").json()
    assert [i["did"] for i in default["items"]] == [ROOT, DOMAINA, REGISTERA2, SUBREGISTER, HAPPYPETS]
    assert default["pageSize"] == 10 and default == client.get("/v4/issuers?page[after]=0").json()
    assert default["links"] == {
        "first": "http://testserver/v4/issuers?page[after]=0&page[size]=10",
        "last": "http://testserver/v4/issuers?page[after]=0&page[size]=10",
    }
    last = client.get(body["links"]["last"]).json()
    assert [i["did"] for i in last["items"]] == [HAPPYPETS] and "next" not in last["links"]
    for page in (body, default, last):
        assert not _has_null(page)


def _decoded(attribute: dict[str, Any]) -> dict[str, Any]:
    raw = base64.b64decode(attribute["body"])
    assert attribute["hash"] == base64.b64encode(hashlib.sha256(raw).digest()).decode()
    return json.loads(raw)


PACKET = "did:elsi:EU.EORI.PACKETDELIVERY"


def test_til_issuer_attributes(client: TestClient) -> None:
    """An attribute per accredited type, with the roles as VCVerifier's JSONPath claims, and one for
    VerifiableCredential, which VCVerifier asks of every W3C credential."""
    body = client.get(f"/v4/issuers/{HAPPYPETS}").json()
    assert body["did"] == HAPPYPETS
    customer, base = body["attributes"]
    for attribute in (customer, base):
        assert (attribute["issuerType"], attribute["tao"], attribute["rootTao"]) == ("TI", SUBREGISTER, ROOT)
    assert _decoded(customer) == {
        "credentialsType": "CustomerCredential",
        "claims": [
            {"name": "roles", "path": "$.roles[*].target", "allowedValues": [PACKET]},
            {
                "name": "roles",
                "path": f'$.roles[?(@.target=="{PACKET}")].names[*]',
                "allowedValues": ["P.Info.gold", "P.Info.standard"],
            },
        ],
        "validFor": {"from": "2025-01-01T00:00:00Z", "to": "2030-01-01T00:00:00Z"},
    }
    assert _decoded(base) == {
        "credentialsType": "VerifiableCredential",
        "claims": [],
        "validFor": {"from": "2025-01-01T00:00:00Z", "to": "2030-01-01T00:00:00Z"},
    }
    tao = client.get(f"/v4/issuers/{REGISTERA2}").json()["attributes"][0]
    assert (tao["issuerType"], tao["tao"], tao["rootTao"]) == ("TAO", DOMAINA, ROOT)
    assert client.get(f"/v4/issuers/{ROOT}").json() == {"did": ROOT, "attributes": []}


@pytest.mark.parametrize("did", [NOCHEAPER, REGISTERA3, ISSUERA3, "did:elsi:EU.EORI.NOBODY"])
def test_til_answers_404_for_an_issuer_not_trusted_now(client: TestClient, did: str) -> None:
    """Issue 16 item 4: a revoked (NoCheaper), suspended (registera3) or suspended-ancestor
    (issuera3) entity was answered 200, which FIWARE's VCVerifier reads as a trusted issuer. It is
    404 now, as FIWARE's list answers a DID it does not hold; the history stays in /1.0/entities."""
    missing = client.get(f"/v4/issuers/{did}")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/json"
    assert missing.json() == {
        "type": "https://www.w3.org/ns/did#NOT_FOUND",
        "title": "Not found",
        "status": 404,
        "detail": f"{did} is not a trusted issuer",
        "instance": f"http://testserver/v4/issuers/{did}",
    }
    if did != "did:elsi:EU.EORI.NOBODY":
        assert client.get(f"/1.0/entities/{did}").json()["history"]


def test_til_attributes_follow_the_rule_over_the_ancestors_and_the_time() -> None:
    """A type is published only while the entity's and every ancestor's accreditation hold it, with
    the roles all of them allow; none is published outside its window."""
    from projections.accreditation import EntityRecord
    from projections.records import Accreditation, RoleGrant
    from resolver.til import grantable, role_claims

    def held(names: list[str], until: int = 0) -> Accreditation:
        return Accreditation("T", (RoleGrant.of(PACKET, names), RoleGrant.of("not a did", ["x"])), 100, until)

    records = {
        "did:e:root": EntityRecord("did:e:root", None, "active"),
        "did:e:tao": EntityRecord(
            "did:e:tao", "did:e:root", "active", accreditations={"T": held(["a", "b"])}
        ),
        "did:e:ti": EntityRecord(
            "did:e:ti", "did:e:tao", "active", accreditations={"T": held(["b", "c"], until=200)}
        ),
    }
    (grant,) = grantable(records["did:e:ti"], records.get, 150)
    assert grant.roles == {PACKET: frozenset({"b"}), "not a did": frozenset({"x"})}
    assert (grant.valid_from, grant.valid_until) == (100, 200)
    assert role_claims(grant.roles) == [  # a target that is not a DID is never allowed
        {"name": "roles", "path": "$.roles[*].target", "allowedValues": [PACKET]},
        {"name": "roles", "path": f'$.roles[?(@.target=="{PACKET}")].names[*]', "allowedValues": ["b"]},
    ]
    assert grantable(records["did:e:ti"], records.get, 200) == []  # the window has closed
    assert grantable(records["did:e:ti"], records.get, 99) == []
    withdrawn = {**records, "did:e:tao": EntityRecord("did:e:tao", "did:e:root", "active")}
    assert grantable(records["did:e:ti"], withdrawn.get, 150) == []  # the parent no longer holds T


def test_til_errors_are_problem_details(client: TestClient) -> None:
    for params in (
        {"page[size]": "0"},
        {"page[size]": "101"},
        {"page[after]": "did:elsi:x"},
        {"page[after]": "-1"},
        {"page[after]": "9" * 30},
    ):
        bad = client.get("/v4/issuers", params=params)
        assert bad.status_code == 400 and bad.json()["status"] == 400, params
    assert client.get("/v4/issuers/not-a-did").status_code == 400


# ---------------------------------------------------------------------- TW DIW issuer status


@pytest.mark.parametrize(
    ("did", "status"),
    [
        ("did:elsi:EU.EORI.NOBODY", 0),
        (HAPPYPETS, 1),
        (ROOT, 1),
        (NOCHEAPER, 2),
        (REGISTERA3, 3),
        (ISSUERA3, 3),
    ],
)
def test_diw_issuer_status(client: TestClient, did: str, status: int) -> None:
    response = client.get(f"/api/did/{did}")
    assert response.status_code == 200
    assert response.json() == {"code": "0", "message": "SUCCESS", "data": {"did": did, "status": status}}


def test_diw_invalid_did(client: TestClient) -> None:
    response = client.get("/api/did/did:BAD:x")
    assert response.status_code == 400
    assert response.json() == {"code": "11001", "message": "'did:BAD:x' is not a DID (DID Core 1.0 §3.1)"}


# ---------------------------------------------------------------------- cross-cutting


def test_health_and_chain_reachability(views: InMemoryViews) -> None:
    with client_for(views, chain_status=lambda: True) as up:
        body = up.get("/health").json()
        assert body == {
            "status": "ok",
            "freshness": {
                "position": 39,
                "blockNumber": 116,
                "blockTime": "2025-01-01T00:03:12Z",
                "chainReachable": True,
            },
            "chainReachable": True,
            "halted": False,
            "follower": None,
        }

    def unreachable() -> bool:
        raise ConnectionError("connection refused")

    with client_for(views, chain_status=unreachable) as down:
        health = down.get("/health")
        assert health.status_code == 200 and health.json()["status"] == "degraded"
        assert health.json()["chainReachable"] is False
        document = down.get(f"/1.0/identifiers/{HAPPYPETS}", headers={"accept": "application/did-resolution"})
        assert document.status_code == 200  # still answers from the views
        assert document.headers["x-chain-reachable"] == "false"
        assert document.json()["didResolutionMetadata"]["ledger"]["chainReachable"] is False
        assert down.get("/v4/issuers").status_code == 200
    with client_for(views) as unchecked:
        assert unchecked.get("/health").json()["chainReachable"] is None
        assert unchecked.get(f"/api/did/{HAPPYPETS}").headers["x-chain-reachable"] == "unknown"


@pytest.mark.parametrize(
    "path",
    [
        "/1.0/trust-list",
        f"/1.0/entities/{HAPPYPETS}",
        "/1.0/status-lists/1",
        "/v4/issuers",
        f"/v4/issuers/{HAPPYPETS}",
        f"/api/did/{HAPPYPETS}",
        f"/1.0/identifiers/{HAPPYPETS}",
        "/1.0/methods",
    ],
)
def test_every_answer_has_freshness_and_etag(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["x-ledger-block"] == "116"
    assert response.headers["x-ledger-block-time"] == "2025-01-01T00:03:12Z"
    assert response.headers["x-ledger-position"] == "39"
    assert response.headers["cache-control"] == "public, max-age=10"
    expected = '"' + hashlib.sha256(response.content).hexdigest() + '"'
    assert response.headers["etag"] == expected
    cached = client.get(path, headers={"if-none-match": expected})
    assert cached.status_code == 304 and cached.content == b""


def test_unknown_paths_are_not_found_in_each_style(client: TestClient) -> None:
    plain = client.get("/1.0/nothing-here")
    assert plain.status_code == 404 and plain.headers["content-type"] == PROBLEM
    wrong_method = client.post("/1.0/trust-list")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET"
    assert wrong_method.json() == {
        "type": "about:blank",
        "title": "Method Not Allowed",
        "status": 405,
        "detail": "Method Not Allowed",
    }
    til = client.get("/v4/nothing")
    assert (
        til.status_code == 404
        and til.json()["status"] == 404
        and til.json()["instance"].endswith("/v4/nothing")
    )


def test_openapi_documents_the_routes(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/1.0/identifiers/{identifier}",
        "/api/did/v1/identifiers/{identifier}",
        "/1.0/trust-list",
        "/1.0/entities/{did}",
        "/1.0/status-lists/{list_id}",
        "/v4/issuers",
        "/v4/issuers/{did}",
        "/api/did/{did}",
        "/health",
        "/1.0/methods",
    ):
        assert path in paths, path
    resolve = paths["/1.0/identifiers/{identifier}"]["get"]
    assert {"200", "303", "400", "404", "406", "410", "500", "501"} <= set(resolve["responses"])
    assert "application/did-resolution" in resolve["responses"]["200"]["content"]
    assert {p["name"] for p in resolve["parameters"]} >= {"identifier", "versionId", "versionTime", "accept"}
    til = paths["/v4/issuers"]["get"]
    assert {p["name"] for p in til["parameters"]} == {"page[size]", "page[after]"}
    assert til["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/TilIssuers")


# ---------------------------------------------------------------------- the answers' models


@pytest.mark.parametrize("as_of", [None, "2025-01-01T00:01:00Z"])
def test_entity_and_list_answers_are_exactly_their_openapi_models(
    client: TestClient, as_of: str | None
) -> None:
    """Every field of an entity, trust-list and TIL answer is in its model (resolver.models) with its
    type, and the model has no field the answer lacks: the OpenAPI schema describes the bytes sent."""
    query = {"asOf": as_of} if as_of else {}
    listing = client.get("/1.0/trust-list", params={**query, "size": 100}).json()
    assert len(listing["items"]) >= (3 if as_of else len(ALL_BY_NAME))
    assert TrustList.model_validate(listing).model_dump(by_alias=True) == listing
    for did in [item["did"] for item in listing["items"]]:
        entity = client.get(f"/1.0/entities/{did}", params=query).json()
        assert EntityDetail.model_validate(entity).model_dump(by_alias=True) == entity, did
        til = client.get(f"/v4/issuers/{did}")
        if til.status_code == 404:  # not trusted now
            continue
        assert TilIssuer.model_validate(til.json()).model_dump(by_alias=True, exclude_none=True) == til.json()

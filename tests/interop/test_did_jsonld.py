"""jsonld.js (safe mode, offline contexts) expands the DID documents our resolver serves over HTTP:
every term and every service type is defined, and each service type is an absolute IRI."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import httpx

from api.credentials.dids import did_key_jcs
from api.credentials.keys import SigningKey
from tests.support.interop import Interop, run_node
from tests.support.verifier import ISSUER

SERVICE_TYPES = {
    "OID4VCI": "urn:trust-ledger:service-type:OID4VCI",
    "LinkedDomains": "https://identity.foundation/.well-known/resources/did-configuration/#LinkedDomains",
    "https://example.org/ns/Custom": "https://example.org/ns/Custom",
    "id": "urn:trust-ledger:service-type:id",  # the DID context maps `id` to @id: never a term
    "_:x": "urn:trust-ledger:service-type:_%3Ax",  # a blank node identifier, not an IRI
    "a/b": "urn:trust-ledger:service-type:a%2Fb",  # neither a term nor an absolute IRI
}
ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
SERVICE = "https://www.w3.org/ns/did#service"


def _get(interop: Interop, did_url: str) -> dict[str, Any]:
    response = httpx.get(
        f"{interop.resolver_url}/1.0/identifiers/{quote(did_url, safe='')}",
        headers={"Accept": "application/did+ld+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/did+ld+json"
    return response.json()


def test_jsonld_keeps_every_service_type_as_an_absolute_iri(interop: Interop) -> None:
    """Issue 16 item 10: service types were not defined by the document's context: jsonld.js
    dropped `OID4VCI` (safe mode refuses it: "relative @type reference"), PyLD made it relative."""
    world = interop.world
    for n, service_type in enumerate(SERVICE_TYPES):
        world.on_chain(
            "dev2", "add_service", ISSUER, f"s{n}", service_type, f"https://acme.verifier.test/{n}"
        )
    did_key = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    documents = [
        _get(interop, ISSUER),
        _get(interop, f"{ISSUER}#s0"),  # a dereferenced service carries the document's context
        _get(interop, did_key),
        _get(interop, did_key_jcs(SigningKey.generate("P-256").public_jwk)),
        _get(interop, world.holder_did),  # did:jwk
    ]

    expanded = run_node("did_jsonld.mjs", stdin=json.dumps(documents))

    (issuer,) = expanded[0]
    types = {s["@id"].rsplit("#", 1)[1]: s["@type"] for s in issuer[SERVICE]}
    assert types == {f"s{n}": [iri] for n, iri in enumerate(SERVICE_TYPES.values())}
    written = {s["id"].rsplit("#", 1)[1]: s["type"] for s in documents[0]["service"]}
    assert written["s0"] == "OID4VCI" and written["s3"] == "urn:trust-ledger:service-type:id"
    (service,) = expanded[1]
    assert service["@type"] == ["urn:trust-ledger:service-type:OID4VCI"]
    for document in expanded:
        for node in _nodes(document):
            for iri in node.get("@type", []):
                assert ABSOLUTE_IRI.fullmatch(iri), iri
    (key,) = expanded[2]
    method = key["https://w3id.org/security#verificationMethod"][0]
    assert method["@type"] == ["https://w3id.org/security#JsonWebKey2020"]
    assert "https://w3id.org/security#publicKeyJwk" in method
    by_type = httpx.get(
        f"{interop.resolver_url}/1.0/identifiers/{quote(ISSUER + '?serviceType=a/b', safe='')}",
        follow_redirects=False,
        timeout=30,
    )
    assert by_type.status_code == 303 and by_type.headers["location"] == "https://acme.verifier.test/5"


def _nodes(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [node for item in value for node in _nodes(item)]
    if isinstance(value, dict):
        if "@value" in value:
            return []
        return [value, *(node for item in value.values() for node in _nodes(item))]
    return []

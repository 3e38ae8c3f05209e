"""The resolver over real HTTP (uvicorn) resolves did:keys of the jwk_jcs-pub multicodec (0xeb51),
which didkit 0.3.3 does not know (the resolver answered 400 INVALID_DID): the TW DIW app's and
EBSI's holder DIDs."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from api.credentials.dids import did_key_jcs
from api.credentials.keys import SigningKey
from api.local_servers import LocalServers
from resolver import create_app
from tests.resolver.views import InMemoryViews
from tests.support.credentials import EBSI_DID_KEY, EBSI_DID_KEY_JWK
from tests.support.credentials import jwk_jcs_did_key as jcs_did
from tests.support.resolver import NOW

CR = "application/did-resolution"
INVALID_DID = "https://www.w3.org/ns/did#INVALID_DID"


@pytest.fixture
def resolver(views: InMemoryViews) -> Iterator[str]:
    with contextlib.ExitStack() as stack:
        yield LocalServers(stack).serve(create_app(views, clock=lambda: NOW, chain_status=lambda: True))  # type: ignore[arg-type]


def resolve(resolver: str, did_url: str, accept: str | None = None) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(f"{resolver}/1.0/identifiers/{quote(did_url, safe='')}", headers=headers, timeout=30)


def test_a_p256_jwk_jcs_did_key_resolves_to_a_document_holding_that_jwk(resolver: str) -> None:
    jwk = SigningKey.generate("P-256").public_jwk
    did = did_key_jcs(jwk)
    fingerprint = did.removeprefix("did:key:")
    response = resolve(resolver, did, CR)
    assert response.status_code == 200, response.text
    document = response.json()["didDocument"]
    method = f"{did}#{fingerprint}"
    assert document["id"] == did
    assert document["verificationMethod"] == [
        {"id": method, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
    ]
    for relationship in ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation"):
        assert document[relationship] == [method]
    assert "keyAgreement" not in document
    dereferenced = resolve(resolver, method)
    assert dereferenced.status_code == 200 and dereferenced.json()["publicKeyJwk"] == jwk


def test_the_ebsi_example_resolves_to_its_published_jwk(resolver: str) -> None:
    response = resolve(resolver, EBSI_DID_KEY)
    assert response.status_code == 200, response.text
    assert response.json()["verificationMethod"][0]["publicKeyJwk"] == EBSI_DID_KEY_JWK


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1,2]",
        b'{"kty":"EC","crv":"P-256","x":"AA"}',
        json.dumps({**EBSI_DID_KEY_JWK, "d": "c2VjcmV0LXNjYWxhcg"}).encode(),
    ],
)
def test_a_jwk_jcs_did_key_without_a_public_jwk_is_an_invalid_did(resolver: str, body: bytes) -> None:
    response = resolve(resolver, jcs_did(body), CR)
    assert response.status_code == 400
    assert response.json()["didResolutionMetadata"]["error"]["type"] == INVALID_DID
    assert "c2VjcmV0LXNjYWxhcg" not in response.text


def test_other_did_keys_still_resolve_through_didkit(resolver: str) -> None:
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    assert resolve(resolver, did).json()["id"] == did
    assert resolve(resolver, "did:key:z" + "1" * 10).status_code == 400

"""did:web DIDs resolve to the same document from the registry and from the web: web-did-resolver
(DIF) fetches the issuer's did.json over TLS, our resolver answers from the ledger, `trust-ledger
did export` writes it out; all three agree, before and after a key rotation, and a revoked DID's
web document is gone."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from anvil.devchain import free_port
from api.credentials.keys import SigningKey
from api.local_servers import LocalServers
from resolver.app import create_app as create_resolver
from tests.support.cli_process import CLI, ok, own_world
from tests.support.did_web import TlsFiles, WebIssuer, make_tls, serve_web_issuer
from tests.support.interop import Interop, run_node
from tests.support.verifier import VERIFIER


@pytest.fixture
def tls(tmp_path: Path) -> TlsFiles:
    return make_tls(tmp_path / "tls")


@pytest.fixture
def web_issuer(chain: Any, sqlite_var: Path, tls: TlsFiles) -> Iterator[tuple[WebIssuer, str]]:
    with serve_web_issuer(chain, sqlite_var, tls) as issuer, contextlib.ExitStack() as stack:
        yield issuer, LocalServers(stack).serve(create_resolver(issuer.service.views), free_port())


def _web_did_resolver(did: str, tls: TlsFiles) -> dict[str, Any]:
    result: dict[str, Any] = run_node("did_web.mjs", did, env={"NODE_EXTRA_CA_CERTS": str(tls.ca)})
    return result


def _ours(resolver_url: str, did: str) -> httpx.Response:
    return httpx.get(
        f"{resolver_url}/1.0/identifiers/{quote(did, safe='')}",
        headers={"Accept": "application/did-resolution"},
        timeout=30,
    )


def _exported(var: Path, did: str) -> dict[str, Any]:
    process = subprocess.run([*CLI, "did", "export", did], env=own_world(var), capture_output=True, text=True)
    document: dict[str, Any] = json.loads(ok(process))
    return document


def test_web_did_resolver_reads_the_registrys_document_from_the_issuer(
    web_issuer: tuple[WebIssuer, str], tls: TlsFiles, sqlite_var: Path
) -> None:
    """Issue 16 item 5: a did:web DID was answered from the ledger only; a standard did:web resolver,
    fetching https://<domain>/.well-known/did.json, found nothing at the issuer (404)."""
    issuer, resolver_url = web_issuer
    port = issuer.url.rsplit(":", 1)[1]

    web = _web_did_resolver(issuer.did, tls)
    ours = _ours(resolver_url, issuer.did).json()
    assert web["didResolutionMetadata"] == {"contentType": "application/did+ld+json"}, web
    assert web["didDocument"] == ours["didDocument"]
    assert [m["id"] for m in web["didDocument"]["verificationMethod"]] == [f"{issuer.did}#key-1"]
    assert ours["didResolutionMetadata"]["authoritative"] is True
    assert ours["didResolutionMetadata"]["publishedCopy"] == f"https://localhost:{port}/.well-known/did.json"
    assert _exported(sqlite_var, issuer.did) == ours["didDocument"]

    key_2 = SigningKey.generate("P-256").public_jwk
    issuer.on_chain(
        "add_key", issuer.did, "key-2", "JsonWebKey2020", json.dumps(key_2).encode(), ["authentication"]
    )
    issuer.on_chain("revoke_key", issuer.did, "key-1")
    rotated = _web_did_resolver(issuer.did, tls)["didDocument"]
    assert [m["id"] for m in rotated["verificationMethod"]] == [f"{issuer.did}#key-2"]
    assert (
        rotated == _ours(resolver_url, issuer.did).json()["didDocument"] == _exported(sqlite_var, issuer.did)
    )

    issuer.on_chain("set_status", issuer.did, "revoked", signer="anchor")
    gone = _web_did_resolver(issuer.did, tls)
    assert gone["didDocument"] is None and gone["didResolutionMetadata"]["error"] == "notFound"
    assert "Gone" in gone["didResolutionMetadata"]["message"]
    assert _ours(resolver_url, issuer.did).status_code == 410


def test_the_verifier_serves_its_did_web_document(interop: Interop) -> None:
    """The verifier module (did:web:portal.verifier.test) serves the registry's document at its
    did:web location too, with an ETag."""
    served = httpx.get(f"{interop.world.url}/.well-known/did.json", timeout=30)
    assert served.status_code == 200 and served.headers["content-type"] == "application/did+ld+json"
    assert served.headers["access-control-allow-origin"] == "*"
    assert served.json() == _ours(interop.resolver_url, VERIFIER).json()["didDocument"]
    cached = httpx.get(
        f"{interop.world.url}/.well-known/did.json",
        headers={"If-None-Match": served.headers["etag"]},
        timeout=30,
    )
    assert cached.status_code == 304

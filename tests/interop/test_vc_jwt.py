"""did-jwt-vc (the DIF/Veramo VC-JWT library) verifies the jwt_vc_json credential our issuer issues."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from anvil.devchain import free_port
from api.local_servers import LocalServers
from api.wallet import Wallet
from resolver.app import create_app as create_resolver
from tests.support.interop import run_node
from tests.support.issuer import ISSUER_DID, RunningIssuer, serve_issuer


@pytest.fixture
def issuer_and_resolver(chain, sqlite_var: Path) -> Iterator[tuple[RunningIssuer, str]]:
    with serve_issuer(chain, sqlite_var) as issuer, contextlib.ExitStack() as stack:
        yield issuer, LocalServers(stack).serve(create_resolver(issuer.service.views), free_port())


def test_did_jwt_vc_verifies_our_jwt_vc_json_as_vcdm_1_1(
    issuer_and_resolver: tuple[RunningIssuer, str], tmp_path: Path
) -> None:
    """Item 2 of issue 16: jwt_vc_json carried a VCDM 2.0 body, which did-jwt-vc refuses
    ("@context is missing default context"). It is VCDM 1.1 now (VC-JWT §6.3.1)."""
    issuer, resolver_url = issuer_and_resolver
    wallet = Wallet(tmp_path / "wallet")
    (stored,) = wallet.accept_offer(issuer.offer()["deepLink"], format="jwt_vc_json")

    verified = run_node("vc_jwt.mjs", resolver_url, stdin=stored.raw)

    assert verified["issuer"] == ISSUER_DID and verified["signer"] == f"{ISSUER_DID}#key-1"
    vc = verified["credential"]
    assert vc["@context"][0] == "https://www.w3.org/2018/credentials/v1"
    assert vc["type"] == ["VerifiableCredential", "EmployeeCredential"]
    assert vc["issuer"] == {"id": ISSUER_DID}
    assert vc["credentialSubject"]["id"] == wallet.holder_did
    assert vc["credentialSubject"]["name"] == "林美"
    assert vc["issuanceDate"] < vc["expirationDate"]
    assert {e["type"] for e in vc["credentialStatus"]} == {"StatusList2021Entry"}
    assert vc["id"].startswith(f"{issuer.url}/api/credential/")

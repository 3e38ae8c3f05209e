"""secp256k1 (ES256K) and Ed25519 (EdDSA) issuer keys end to end: the key registered on chain with
assertionMethod, a dc+sd-jwt issued to the wallet, verified against the key the resolver publishes
in the issuer's DID document (served over HTTP from the same views), not against the config."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from anvil.devchain import free_port
from api.credentials.errors import SignatureInvalid
from api.credentials.keys import SigningKey, verify_jws
from api.credentials.sd_jwt import verify_sd_jwt_vc
from api.status.encodings import INVALID, token_status
from api.wallet import Wallet
from resolver.app import create_app as create_resolver
from resolver.keys import jwk_from_hex
from tests.support.issuer import ISSUER_DID, RunningIssuer
from tests.support.waiting import wait_until


@contextmanager
def serve_resolver(issuer: RunningIssuer) -> Iterator[str]:
    """The DID resolver over the issuer's own trust views, on a free port."""
    port = free_port()
    app = create_resolver(issuer.service.views, chain_status=issuer.service.chain_status)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 30, what="the resolver to listen")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def did_key_source(resolver_url: str) -> Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]:
    """``(header, payload) -> JWK``: resolve ``iss`` and take the assertionMethod named by ``kid``."""

    def source(header: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        did, kid = payload["iss"], header["kid"]
        assert kid.startswith(did + "#")
        response = httpx.get(
            f"{resolver_url}/1.0/identifiers/{did}", headers={"Accept": "application/did+json"}, timeout=30
        )
        assert response.status_code == 200, response.text
        document = response.json()
        assert kid in document["assertionMethod"]
        (method,) = [m for m in document["verificationMethod"] if m["id"] == kid]
        assert method["type"] == "JsonWebKey2020" and method["controller"] == did
        return method["publicKeyJwk"]

    return source


@pytest.mark.parametrize(("curve", "alg"), [("secp256k1", "ES256K"), ("Ed25519", "EdDSA")])
def test_issuer_key_on_chain_signs_verifiable_sd_jwt(
    issuer_with: Callable[..., RunningIssuer], tmp_path: Path, curve: str, alg: str
) -> None:
    issuer = issuer_with(curve=curve)
    assert issuer.ctx.key.alg == alg

    # the views' entity state holds the key as registered on chain, for assertionMethod
    state = issuer.service.views.entity_version(ISSUER_DID).state
    on_chain = state.keys["key-1"]
    assert on_chain.key_type == "JsonWebKey2020" and on_chain.revoked is False
    assert "assertionMethod" in on_chain.purpose_names
    chain_jwk = jwk_from_hex(on_chain.public_key)
    assert chain_jwk["crv"] == curve and "d" not in chain_jwk

    created = issuer.offer(dataTag="curve")
    (stored,) = Wallet(tmp_path / "wallet").accept_offer(created["deepLink"], format="dc+sd-jwt")
    assert stored.format == "dc+sd-jwt"

    with serve_resolver(issuer) as resolver_url:
        source = did_key_source(resolver_url)
        verified = verify_sd_jwt_vc(stored.raw, source, require_key_binding=False, allowed_algs=[alg])
        assert verified.header["alg"] == alg and verified.header["kid"] == f"{ISSUER_DID}#key-1"
        assert verified.claims["iss"] == ISSUER_DID
        assert verified.disclosed == {"name": "林美", "employee_no": "E-042"}
        resolved = source(verified.header, verified.claims)
    assert resolved == chain_jwk

    # the issuer advertises the algorithm and publishes the same public key
    metadata = httpx.get(f"{issuer.url}/.well-known/openid-credential-issuer", timeout=30).json()
    configurations = metadata["credential_configurations_supported"]
    assert configurations["employee_sd_jwt"]["credential_signing_alg_values_supported"] == [alg]
    (published,) = issuer.api("GET", "/api/keys").json()["keys"]
    assert published["alg"] == alg and published["kid"] == f"{ISSUER_DID}#key-1"
    assert {k: published[k] for k in chain_jwk} == chain_jwk

    # a key of the same curve that is not on chain does not verify it
    stranger = SigningKey.generate(curve).public_jwk  # type: ignore[arg-type]
    with pytest.raises(SignatureInvalid):
        verify_sd_jwt_vc(stored.raw, stranger, require_key_binding=False)

    # the status list is signed with the same on-chain key, and shows the revocation
    status = verified.claims["status"]["status_list"]
    (row,) = issuer.api("GET", "/api/credential/datatag/curve").json()["vcList"]
    assert issuer.api("PUT", f"/api/credential/{row['cid']}/revocation").status_code == 200
    listed = issuer.api(
        "GET", status["uri"].removeprefix(issuer.url), headers={"Accept": "application/statuslist+jwt"}
    )
    claims = verify_jws(listed.text, chain_jwk).claims()
    assert token_status(claims["status_list"], status["idx"]) == INVALID  # bits: 2, revoked

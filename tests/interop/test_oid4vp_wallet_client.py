"""The OpenWallet Foundation's OID4VP client (@openid4vc/openid4vp) resolves our request."""

from __future__ import annotations

from tests.support.interop import Interop, run_node
from tests.support.verifier import VERIFIER


def test_owf_client_resolves_and_verifies_our_signed_request_object(interop: Interop) -> None:
    """Item 1 of issue 16: the client refused our request object because its `iss` (the prefixed
    client_id) is not the DID in `kid`. OID4VP 1.0 §5: the wallet MUST ignore `iss`; we omit it."""
    link = interop.world.open_link("employee")  # the request object is served once: to the client
    resolved = run_node("oid4vp_request.mjs", link.auth_uri, interop.resolver_url)

    assert "iss" not in resolved["payload"]

    assert resolved["client"]["prefix"] == "decentralized_identifier"
    assert resolved["client"]["identifier"] == VERIFIER
    assert resolved["signer"]["method"] == "did"
    assert resolved["signer"]["didUrl"] == f"{VERIFIER}#key-1"
    assert len(resolved["payload"]["nonce"]) >= 43  # 256 bits, base64url
    assert resolved["payload"]["response_uri"] == f"{interop.world.url}/oidvp/response"
    assert resolved["dcql"]["credentials"][0]["id"] == "employee"
    assert resolved["version"] == 100  # read as OID4VP 1.0 final

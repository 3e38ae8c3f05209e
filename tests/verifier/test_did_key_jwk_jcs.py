"""The verifier's holder binding for the TW DIW app's holder DID, a did:key of the jwk_jcs-pub
multicodec (0xeb51): a VP-JWT signed by it is trusted, one signed by another such holder is not."""

from __future__ import annotations

import dataclasses

from api.credentials.keys import SigningKey
from tests.support.verifier import World

JWK_JCS = "key:jwk_jcs-pub"


def test_vp_jwt_of_a_jwk_jcs_holder_is_trusted(world: World) -> None:
    world.holder_method = JWK_JCS
    assert world.holder_did.startswith("did:key:z2dmzD81cgPx8Vki7JbuuMmFYrWPgYoytykUZ3eyqht1j9Kb")
    request = world.open_request("employee_jwt")
    response = world.post_vp(request, world.vp_jwt(world.jwt_vc(), request))
    assert response.status_code == 200, response.text
    result = world.result(request)
    assert result["verifyResult"] is True, result
    assert result["holder_did"] == world.holder_did


def test_vp_jwt_of_another_jwk_jcs_holder_is_refused(world: World) -> None:
    world.holder_method = JWK_JCS
    credential = world.jwt_vc()
    thief = dataclasses.replace(world, holder=SigningKey.generate("P-256"))
    request = world.open_request("employee_jwt")
    response = world.post_vp(request, thief.vp_jwt(credential, request))
    assert response.status_code == 200, response.text
    result = world.result(request)
    assert result["verifyResult"] is False and result["holder_did"] == ""
    assert result["reasons"][0]["code"] == "HOLDER_BINDING_INVALID", result

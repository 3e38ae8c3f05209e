"""The attack suite: one crafted presentation per reason code, each refused with exactly that code,
over HTTP against the served verifier, with the registry on a real Anvil chain."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest

from api.credentials.keys import SigningKey
from api.credentials.sd_jwt import SdJwt, present
from tests.support.verifier import AGENCY, EMPLOYEE, ISSUER, SUSPENSION_URI, TARGET, Request, World


def refusal(world: World, request: Request, response: httpx.Response) -> str:
    """The reason code of a refused response: processed, so 200 to the wallet (OID4VP 1.0 §8.2),
    the refusal in the recorded result."""
    assert response.status_code == 200, response.text
    assert response.json() == {}
    result = world.result(request)
    assert result["verifyResult"] is False and result["data"] == [] and result["holder_did"] == ""
    return result["reasons"][0]["code"]


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def with_issuer_jwt(credential: str, jwt: str) -> str:
    parsed = SdJwt.parse(credential)
    return SdJwt(jwt, parsed.disclosures).serialize()


def test_genuine_presentation_is_trusted(world: World) -> None:
    request = world.open_request()
    response = world.post_vp(request, world.present_sd_jwt(world.sd_jwt(), request))
    assert response.status_code == 200, response.text
    assert world.result(request)["verifyResult"] is True


def test_tampered_signature_is_refused(world: World) -> None:
    request = world.open_request()
    credential = world.sd_jwt()
    header, payload, signature = SdJwt.parse(credential).issuer_jwt.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    forged = with_issuer_jwt(credential, f"{header}.{payload}.{flipped}")
    assert (
        refusal(world, request, world.post_vp(request, world.present_sd_jwt(forged, request)))
        == "SIGNATURE_INVALID"
    )


def test_tampered_payload_is_refused(world: World) -> None:
    request = world.open_request()
    credential = world.sd_jwt()
    header, payload, signature = SdJwt.parse(credential).issuer_jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] += 10 * 365 * 86400
    forged = with_issuer_jwt(credential, f"{header}.{b64(claims)}.{signature}")
    assert (
        refusal(world, request, world.post_vp(request, world.present_sd_jwt(forged, request)))
        == "SIGNATURE_INVALID"
    )


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_alg_none_and_hmac_are_refused(world: World, alg: str) -> None:
    request = world.open_request()
    credential = world.sd_jwt()
    _, payload, signature = SdJwt.parse(credential).issuer_jwt.split(".")
    header = {"alg": alg, "typ": "dc+sd-jwt", "kid": f"{ISSUER}#key-1"}
    forged = with_issuer_jwt(credential, f"{b64(header)}.{payload}.{'' if alg == 'none' else signature}")
    assert (
        refusal(world, request, world.post_vp(request, world.present_sd_jwt(forged, request)))
        == "ALG_NOT_ALLOWED"
    )


def test_wrong_nonce_is_refused(world: World) -> None:
    request = world.open_request()
    presentation = world.present_sd_jwt(world.sd_jwt(), request, nonce="a-nonce-from-another-request")
    assert refusal(world, request, world.post_vp(request, presentation)) == "NONCE_MISMATCH"


def test_wrong_audience_is_refused(world: World) -> None:
    request = world.open_request()
    presentation = world.present_sd_jwt(
        world.sd_jwt(), request, audience="decentralized_identifier:did:web:evil.test"
    )
    assert refusal(world, request, world.post_vp(request, presentation)) == "AUDIENCE_MISMATCH"


def test_replayed_response_is_refused_and_the_first_result_stands(world: World) -> None:
    request = world.open_request()
    presentation = world.present_sd_jwt(world.sd_jwt(), request)
    assert world.post_vp(request, presentation).status_code == 200
    replay = world.post_vp(request, presentation)
    assert replay.status_code == 400 and replay.json()["error_description"].startswith("REPLAYED")
    assert world.result(request)["verifyResult"] is True


def test_presentation_replayed_into_a_new_request_fails_its_nonce(world: World) -> None:
    first = world.open_request()
    presentation = world.present_sd_jwt(world.sd_jwt(), first)
    assert world.post_vp(first, presentation).status_code == 200
    second = world.open_request()
    assert refusal(world, second, world.post_vp(second, presentation)) == "NONCE_MISMATCH"


def test_expired_credential_is_refused(world: World) -> None:
    request = world.open_request()
    credential = world.sd_jwt(expires_at=int(time.time()) + 30)
    world.clock.offset = 120  # past exp and the 60 s leeway, within the request's lifetime
    assert (
        refusal(world, request, world.post_vp(request, world.present_sd_jwt(credential, request)))
        == "EXPIRED"
    )


def test_revoked_credential_is_refused(world: World) -> None:
    credential = world.sd_jwt(index=17)
    world.on_chain("dev2", "set_statuses", world.lists["revocation"], [17])
    request = world.open_request()
    assert (
        refusal(world, request, world.post_vp(request, world.present_sd_jwt(credential, request)))
        == "REVOKED"
    )


def test_suspended_credential_is_refused_and_trusted_again_after_recovery(world: World) -> None:
    credential = world.jwt_vc(index=23)
    world.on_chain("dev2", "set_statuses", world.lists["suspension"], [23])
    request = world.open_request("employee_jwt")
    assert refusal(world, request, world.post_vp(request, world.vp_jwt(credential, request))) == "SUSPENDED"
    world.on_chain("dev2", "set_statuses", world.lists["suspension"], [23], False)
    again = world.open_request("employee_jwt")
    assert world.post_vp(again, world.vp_jwt(credential, again)).status_code == 200
    assert world.result(again)["verifyResult"] is True


def test_suspended_issuer_is_refused(world: World) -> None:
    credential = world.sd_jwt()
    world.on_chain("dev1", "set_status", ISSUER, "suspended")
    request = world.open_request()
    code = refusal(world, request, world.post_vp(request, world.present_sd_jwt(credential, request)))
    assert code == "ISSUER_NOT_ACTIVE"


def test_suspended_ancestor_is_refused(world: World) -> None:
    credential = world.sd_jwt()
    world.on_chain("anchor", "set_status", AGENCY, "suspended")
    request = world.open_request()
    code = refusal(world, request, world.post_vp(request, world.present_sd_jwt(credential, request)))
    assert code == "ANCESTOR_NOT_ACTIVE"


def test_unaccredited_type_is_refused(world: World) -> None:
    request = world.open_request("badge")
    presentation = world.present_sd_jwt(world.sd_jwt(vct="VisitorBadge"), request)
    assert refusal(world, request, world.post_vp(request, presentation, "badge")) == "NOT_ACCREDITED"


def test_role_beyond_the_issuers_accreditation_is_refused(world: World) -> None:
    request = world.open_request()
    roles = [{"target": TARGET, "names": ["reader", "writer"]}]
    credential = world.sd_jwt(claims={"name": "林美", "employee_no": "E-042", "roles": roles})
    code = refusal(world, request, world.post_vp(request, world.present_sd_jwt(credential, request)))
    assert code == "ROLE_NOT_ACCREDITED"


def test_role_beyond_an_ancestors_narrowed_accreditation_is_refused(world: World) -> None:
    roles = [{"target": TARGET, "names": ["reader"]}]
    credential = world.sd_jwt(claims={"name": "林美", "employee_no": "E-042", "roles": roles})
    request = world.open_request()
    assert world.post_vp(request, world.present_sd_jwt(credential, request)).status_code == 200
    world.on_chain("anchor", "accredit", AGENCY, EMPLOYEE, [(TARGET, ["writer"])])
    again = world.open_request()
    response = world.post_vp(again, world.present_sd_jwt(credential, again))
    assert refusal(world, again, response) == "ROLE_NOT_ACCREDITED"
    assert AGENCY in world.result(again)["reasons"][0]["message"]


def test_key_rotated_out_before_issuance_is_refused_but_earlier_credentials_stand(world: World) -> None:
    added_at = world.key_added_at()
    before = world.sd_jwt(issued_at=added_at)
    new_key = SigningKey.generate(did=ISSUER, key_id="key-2")
    world.on_chain(
        "dev2",
        "add_key",
        ISSUER,
        "key-2",
        "JsonWebKey2020",
        json.dumps(new_key.public_jwk).encode(),
        ["assertionMethod"],
    )
    latest = world.chain.w3.eth.get_block("latest")["timestamp"]
    # Anvil may give quick blocks one timestamp: make the revocation strictly later than `before`.
    world.chain.w3.provider.make_request("evm_setNextBlockTimestamp", [max(latest, added_at) + 1])
    world.on_chain("dev2", "revoke_key", ISSUER, "key-1")
    revoked_at = world.service.views.entity_version(ISSUER).state.keys["key-1"].revoked_at
    assert revoked_at > added_at
    after = world.sd_jwt(issued_at=revoked_at)
    request = world.open_request()
    assert (
        refusal(world, request, world.post_vp(request, world.present_sd_jwt(after, request)))
        == "KEY_NOT_VALID_AT_ISSUANCE"
    )
    historical = world.open_request()
    response = world.post_vp(historical, world.present_sd_jwt(before, historical))
    assert response.status_code == 200, response.text
    rotated = world.open_request()
    assert world.post_vp(rotated, world.present_sd_jwt(world.sd_jwt(key=new_key), rotated)).status_code == 200


def test_holder_key_mismatch_is_refused(world: World) -> None:
    request = world.open_request()
    thief = SigningKey.generate()
    presentation = present(world.sd_jwt(), holder=thief, audience=request.client_id, nonce=request.nonce)
    assert refusal(world, request, world.post_vp(request, presentation)) == "HOLDER_BINDING_INVALID"


def test_missing_key_binding_is_refused(world: World) -> None:
    request = world.open_request()
    presentation = present(world.sd_jwt())
    assert refusal(world, request, world.post_vp(request, presentation)) == "HOLDER_BINDING_MISSING"


def test_unknown_issuer_is_refused(world: World) -> None:
    stranger = SigningKey.generate(did="did:web:stranger.test", key_id="key-1")
    request = world.open_request()
    credential = world.sd_jwt(key=stranger, issuer="did:web:stranger.test")
    assert (
        refusal(world, request, world.post_vp(request, world.present_sd_jwt(credential, request)))
        == "ISSUER_UNKNOWN"
    )


def test_key_that_is_not_the_issuers_is_refused(world: World) -> None:
    impostor = SigningKey.generate(did=ISSUER, key_id="key-9")
    request = world.open_request()
    credential = world.sd_jwt(key=impostor)
    assert (
        refusal(world, request, world.post_vp(request, world.present_sd_jwt(credential, request)))
        == "KEY_UNKNOWN"
    )


def test_status_list_the_issuer_does_not_own_is_refused(world: World) -> None:
    request = world.open_request()
    credential = world.sd_jwt(status_uri="https://elsewhere.test/status/0")
    assert (
        refusal(world, request, world.post_vp(request, world.present_sd_jwt(credential, request)))
        == "STATUS_UNKNOWN"
    )


def test_suspension_list_reference_reads_the_on_chain_purpose(world: World) -> None:
    credential = world.sd_jwt(index=5, status_uri=SUSPENSION_URI)
    world.on_chain("dev2", "set_statuses", world.lists["suspension"], [5])
    request = world.open_request()
    assert (
        refusal(world, request, world.post_vp(request, world.present_sd_jwt(credential, request)))
        == "SUSPENDED"
    )


def test_undisclosed_required_claim_is_refused(world: World) -> None:
    request = world.open_request()
    presentation = present(
        world.sd_jwt(),
        disclose=["name"],
        holder=world.holder,
        audience=request.client_id,
        nonce=request.nonce,
    )
    assert refusal(world, request, world.post_vp(request, presentation)) == "CLAIMS_NOT_DISCLOSED"


def test_vp_token_for_another_query_is_refused(world: World) -> None:
    request = world.open_request()
    presentation = world.present_sd_jwt(world.sd_jwt(), request)
    assert refusal(world, request, world.post_vp(request, presentation, "someone_else")) == "QUERY_UNANSWERED"


def test_wrong_type_for_the_query_is_refused(world: World) -> None:
    request = world.open_request()
    presentation = world.present_sd_jwt(world.sd_jwt(vct="VisitorBadge"), request)
    assert refusal(world, request, world.post_vp(request, presentation)) == "TYPE_MISMATCH"


def test_wallet_error_response_is_recorded(world: World) -> None:
    """Recorded, not final: the request stays open for the holder until it expires (issue 14)."""
    request = world.open_request()
    response = world.post(request, error="access_denied", error_description="the user declined")
    assert response.status_code == 200 and response.json() == {}
    assert world.read_result(request).json()["code"] == "4002"
    world.clock.offset += world.ctx.config.request_ttl
    assert refusal(world, request, response) == "WALLET_ERROR"


def test_unknown_state_is_an_oauth_error(world: World) -> None:
    response = httpx.post(f"{world.url}/oidvp/response", data={"state": "nope", "vp_token": "{}"}, timeout=30)
    assert response.status_code == 400
    assert response.json()["error_description"].startswith("REQUEST_UNKNOWN")


def test_credential_dated_before_its_key_was_registered_is_refused(world: World) -> None:
    request = world.open_request()
    backdated = world.sd_jwt(issued_at=world.key_added_at() - 3600)
    code = refusal(world, request, world.post_vp(request, world.present_sd_jwt(backdated, request)))
    assert code == "KEY_NOT_VALID_AT_ISSUANCE"

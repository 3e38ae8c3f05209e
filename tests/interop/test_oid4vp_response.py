"""OID4VP 1.0 §8.2: a response the verifier processed is answered 200 (optionally with a
`redirect_uri`), whatever the business verdict, which DWVP-01-201 carries."""

from __future__ import annotations

import httpx

from tests.support.interop import Interop


def test_a_processed_wallet_error_is_answered_200_and_recorded(interop: Interop) -> None:
    """The error leaves the request open for the holder (issue 14 item 5): it is the result once
    the request expired with nothing else."""
    world = interop.world
    request = world.open_request("employee")
    response = world.post(request, error="access_denied", error_description="the holder declined")
    assert response.status_code == 200, response.text
    assert response.json() == {} and response.headers["cache-control"] == "no-store"
    assert world.read_result(request).json()["code"] == "4002"
    world.clock.offset += world.ctx.config.request_ttl
    result = world.result(request)
    assert result["verifyResult"] is False and result["reasons"][0]["code"] == "WALLET_ERROR"


def test_a_refused_presentation_is_answered_200_and_the_result_says_why(interop: Interop) -> None:
    world = interop.world
    index = world.new_index()
    world.on_chain("dev2", "set_statuses", world.lists["revocation"], [index])
    request = world.open_request("employee")
    response = world.post_vp(request, world.present_sd_jwt(world.sd_jwt(index=index), request))
    assert response.status_code == 200, response.text
    assert response.json() == {}
    result = world.result(request)
    assert result["verifyResult"] is False and result["reasons"][0]["code"] == "REVOKED"


def test_a_response_that_cannot_be_processed_is_still_an_oauth_error(interop: Interop) -> None:
    world = interop.world
    request = world.open_request("employee")
    assert world.post_vp(request, world.present_sd_jwt(world.sd_jwt(), request)).status_code == 200
    replay = world.post(request, error="access_denied")
    assert replay.status_code == 400 and replay.json()["error_description"].startswith("REPLAYED")
    unknown = httpx.post(f"{world.url}/oidvp/response", data={"state": "nope", "vp_token": "{}"}, timeout=30)
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_request"

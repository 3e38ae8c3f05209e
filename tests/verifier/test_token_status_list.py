"""An SD-JWT VC's `status` names the `bits: 2` Status List Token of its revocation and suspension
lists (`.../r<a>-s<b>`, issue 16 item 3); the verifier reads both on-chain lists for it."""

from __future__ import annotations

import httpx

from tests.support.verifier import REVOCATION_URI, SUSPENSION_URI, Request, World

TOKEN_URI = REVOCATION_URI + "-" + SUSPENSION_URI.rsplit("/", 1)[1]


def reason(world: World, request: Request, response: httpx.Response) -> str | None:
    assert response.status_code == 200, response.text
    result = world.result(request)
    return None if result["verifyResult"] else result["reasons"][0]["code"]


def present(world: World, credential: str) -> str | None:
    request = world.open_request()
    return reason(world, request, world.post_vp(request, world.present_sd_jwt(credential, request)))


def test_suspension_in_the_two_bit_list_is_refused_and_lifted(world: World) -> None:
    assert TOKEN_URI.endswith("/r0-s0")
    credential = world.sd_jwt(index=31, status_uri=TOKEN_URI)
    assert present(world, credential) is None
    world.on_chain("dev2", "set_statuses", world.lists["suspension"], [31])
    assert present(world, credential) == "SUSPENDED"
    world.on_chain("dev2", "set_statuses", world.lists["suspension"], [31], False)
    assert present(world, credential) is None
    world.on_chain("dev2", "set_statuses", world.lists["revocation"], [31])
    assert present(world, credential) == "REVOKED"


def test_a_two_bit_uri_of_lists_the_issuer_does_not_hold_is_unknown(world: World) -> None:
    credential = world.sd_jwt(index=32, status_uri=REVOCATION_URI + "-s9")
    assert present(world, credential) == "STATUS_UNKNOWN"
    swapped = SUSPENSION_URI.rsplit("/", 1)[0] + "/r0-s0"  # right names, wrong prefix: not on chain
    assert present(world, world.sd_jwt(index=33, status_uri=swapped.replace("/status/", "/other/"))) == (
        "STATUS_UNKNOWN"
    )

"""Issue 13.10 at the verifier: `1e400` (infinity once decoded) or `NaN` in an `iat` answered 500
(OverflowError, ValueError), even in a JWT whose signature had not been checked yet. Every numeric
date claim is now a finite number in range before use: in a credential, KB-JWT, VP-JWT or id_token
it is refused with the verifier's reason code (400 `invalid_request` to the wallet, the code in
DWVP-01-201), never a 5xx.

Tokens are signed for real; the hostile number is written into the payload's JSON text as is (a
JSON encoder would never write 1e400)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.credentials.keys import SigningKey, read_payload
from tests.support.hardening import HOSTILE, signed_with
from tests.support.verifier import World, serve_verifier

# -- the verifier: credential, KB-JWT, VP-JWT and id_token --------------------------------------


@pytest.fixture(scope="module")
def world(module_chain, module_var: Path) -> Iterator[World]:
    with serve_verifier(module_chain, module_var) as running:
        yield running


NOT_JSON = ("NaN", "Infinity")
"""Not JSON numbers at all (RFC 8259): the whole payload is MALFORMED."""


def refused_with(world: World, request: Any, response: httpx.Response, code: str) -> None:
    assert response.status_code == 200, response.text  # processed (OID4VP 1.0 §8.2); the result refuses
    assert world.result(request)["reasons"][0]["code"] == code, response.text


@pytest.mark.parametrize("raw", HOSTILE)
def test_the_verifier_refuses_a_credential_whose_iat_is_not_a_numeric_date(world: World, raw: str) -> None:
    """The issuer-signed credential's iat is read before its signature is checked (the key must have
    been valid at issuance): it is validated first."""
    request = world.open_request()
    credential = world.sd_jwt()
    issuer_jwt, _, rest = credential.partition("~")
    forged = signed_with(world.issuer_key, issuer_jwt, "iat", raw) + "~" + rest
    response = world.post_vp(request, world.present_sd_jwt(forged, request))
    refused_with(world, request, response, "MALFORMED" if raw in NOT_JSON else "CLAIM_MISSING")


@pytest.mark.parametrize("raw", HOSTILE)
def test_the_verifier_refuses_a_kb_jwt_whose_iat_is_not_a_numeric_date(world: World, raw: str) -> None:
    request = world.open_request()
    presentation = world.present_sd_jwt(world.sd_jwt(), request)
    prefix, _, kb_jwt = presentation.rpartition("~")
    forged = prefix + "~" + signed_with(world.holder, kb_jwt, "iat", raw)
    expected = "MALFORMED" if raw in NOT_JSON else "IAT_INVALID"
    refused_with(world, request, world.post_vp(request, forged), expected)


@pytest.mark.parametrize("raw", HOSTILE)
def test_the_verifier_refuses_a_vp_jwt_whose_iat_is_not_a_numeric_date(world: World, raw: str) -> None:
    request = world.open_request("employee_jwt")
    vp = world.vp_jwt(world.jwt_vc(), request)
    holder = SigningKey.from_jwk(world.holder.private_jwk(), did=world.holder_did, key_id="0")
    forged = signed_with(holder, vp, "iat", raw)
    expected = "MALFORMED" if raw in NOT_JSON else "IAT_INVALID"
    refused_with(world, request, world.post_vp(request, forged), expected)


@pytest.mark.parametrize("raw", HOSTILE)
def test_the_verifier_refuses_an_id_token_whose_iat_is_not_a_numeric_date(world: World, raw: str) -> None:
    request = world.open_request("login")
    presentation = world.present_sd_jwt(world.sd_jwt(), request)
    id_token = world.id_token(request)
    did = read_payload(id_token)["iss"]
    signer = SigningKey.from_jwk(world.holder.private_jwk(), did=did, key_id="0")
    forged = signed_with(signer, id_token, "iat", raw)
    response = world.post_vp(request, presentation, id_token=forged)
    refused_with(world, request, response, "ID_TOKEN_INVALID")


@pytest.mark.parametrize("claim", ["exp", "nbf"])
def test_exp_and_nbf_are_numeric_dates_too(world: World, claim: str) -> None:
    request = world.open_request()
    issuer_jwt, _, rest = world.sd_jwt().partition("~")
    forged = signed_with(world.issuer_key, issuer_jwt, claim, "1e400") + "~" + rest
    response = world.post_vp(request, world.present_sd_jwt(forged, request))
    refused_with(world, request, response, "CLAIM_MISSING")

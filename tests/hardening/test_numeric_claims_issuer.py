"""Issue 13.10 at the issuer: `1e400` (infinity once decoded) or `NaN` in an `iat` answered 500
(OverflowError, ValueError), even in a JWT whose signature had not been checked yet. Every numeric
date claim is now a finite number in range before use: a key proof at /credential with such an
`iat` is `invalid_proof`, never a 5xx.

Tokens are signed for real; the hostile number is written into the payload's JSON text as is (a
JSON encoder would never write 1e400)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from api.credentials.keys import SigningKey
from api.credentials.proof import PROOF_TYP
from api.issuer.metadata import PRE_AUTHORIZED_GRANT
from tests.support.hardening import HOSTILE, signed_with
from tests.support.issuer import RunningIssuer, serve_issuer

# -- the issuer: the holder's key proof at /credential --------------------------------------------


@pytest.fixture(scope="module")
def issuer(module_chain, module_var: Path) -> Iterator[RunningIssuer]:
    with serve_issuer(module_chain, module_var) as running:
        yield running


def access_token(issuer: RunningIssuer) -> str:
    offer = issuer.offer()
    (offer_uri,) = parse_qs(urlsplit(offer["deepLink"]).query)["credential_offer_uri"]
    code = httpx.get(offer_uri, timeout=30).json()["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    return issuer.api("POST", "/token", data=form).json()["access_token"]


@pytest.mark.parametrize("raw", HOSTILE)
def test_the_issuer_refuses_a_proof_whose_iat_is_not_a_numeric_date(issuer: RunningIssuer, raw: str) -> None:
    token = access_token(issuer)
    nonce = issuer.api("POST", "/nonce").json()["c_nonce"]
    holder = SigningKey.generate("P-256")
    header = {"typ": PROOF_TYP, "jwk": holder.public_jwk}
    proof = holder.sign({"aud": issuer.url, "iat": issuer.clock(), "nonce": nonce}, header, include_kid=False)
    body = {
        "credential_configuration_id": "employee_sd_jwt",
        "proofs": {"jwt": [signed_with(holder, proof, "iat", raw)]},
    }
    response = issuer.api("POST", "/credential", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_proof", response.text

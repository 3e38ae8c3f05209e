"""offer_mode = "value": the DWVC-101 deep link carries the credential offer itself (URL-encoded
JSON, no credential_offer_uri), in either deep-link scheme; the reference wallet accepts it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from api.credentials.sd_jwt import verify_sd_jwt_vc
from api.issuer.metadata import PRE_AUTHORIZED_GRANT
from api.wallet import Wallet
from tests.support.issuer import ISSUER_DID, RunningIssuer


def _offer_in(deep_link: str, scheme: str) -> dict:
    assert deep_link.startswith(scheme + "?credential_offer=")
    query = parse_qs(urlsplit(deep_link).query, strict_parsing=True)
    assert set(query) == {"credential_offer"}  # by value: no credential_offer_uri
    (text,) = query["credential_offer"]
    return json.loads(text)


@pytest.mark.parametrize("scheme", ["openid-credential-offer://", "modadigitalwallet://credential_offer"])
def test_offer_by_value_is_accepted_and_verifies(
    issuer_with: Callable[..., RunningIssuer], tmp_path: Path, scheme: str
) -> None:
    issuer = issuer_with(offer_mode="value", deep_link_scheme=scheme)
    created = issuer.offer(dataTag="byvalue")
    assert "%7B%22credential_issuer%22" in created["deepLink"]  # the JSON is URL-encoded
    offer = _offer_in(created["deepLink"], scheme)
    assert offer["credential_issuer"] == issuer.url
    assert offer["credential_configuration_ids"] == ["employee_sd_jwt", "employee_jwt_vc"]
    grant = offer["grants"][PRE_AUTHORIZED_GRANT]
    assert set(grant) == {"pre-authorized_code"} and len(grant["pre-authorized_code"]) >= 32

    wallet = Wallet(tmp_path / "wallet")
    (stored,) = wallet.accept_offer(created["deepLink"], format="dc+sd-jwt")
    assert stored.format == "dc+sd-jwt" and stored.issuer == issuer.url
    verified = verify_sd_jwt_vc(stored.raw, issuer.key.public_jwk, require_key_binding=False)
    assert verified.claims["iss"] == ISSUER_DID
    assert verified.disclosed == {"name": "林美", "employee_no": "E-042"}
    collected = issuer.api("GET", f"/api/credential/nonce/{created['transactionId']}")
    assert collected.status_code == 200 and collected.json()["credential"] == stored.raw
    (row,) = issuer.api("GET", "/api/credential/datatag/byvalue").json()["vcList"]
    assert row["credentialStatus"] == "0"

    # the code in the link was spent: the same link cannot be redeemed twice
    token = issuer.api(
        "POST",
        "/token",
        data={"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": grant["pre-authorized_code"]},
    )
    assert token.status_code == 400 and token.json()["error"] == "invalid_grant"


def test_offer_by_value_with_tx_code(issuer_with: Callable[..., RunningIssuer], tmp_path: Path) -> None:
    issuer = issuer_with(offer_mode="value", deep_link_scheme="modadigitalwallet://credential_offer")
    created = issuer.offer("pincard", fields=[{"ename": "name", "content": "林美"}])
    offer = _offer_in(created["deepLink"], "modadigitalwallet://credential_offer")
    assert offer["credential_configuration_ids"] == ["pincard_sd_jwt"]
    assert offer["grants"][PRE_AUTHORIZED_GRANT]["tx_code"] == {"input_mode": "numeric", "length": 6}
    assert len(created["txCode"]) == 6 and created["txCode"] not in created["deepLink"]

    (stored,) = Wallet(tmp_path / "wallet").accept_offer(created["deepLink"], tx_code=created["txCode"])
    verified = verify_sd_jwt_vc(stored.raw, issuer.key.public_jwk, require_key_binding=False)
    assert verified.disclosed == {"name": "林美"}

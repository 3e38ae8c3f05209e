"""Over HTTP, the issuer refuses what the verifier would refuse: its parent's accreditation counts
(projections.accreditation walks every ancestor below the root), at the offer (DWVC-101, 11011) and
again when the wallet collects (OID4VCI /credential, credential_request_denied)."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.wallet import Wallet
from api.wallet.errors import WalletError
from tests.support.issuer import EMPLOYEE, FIELDS, PARENT_DID, RunningIssuer


def _withdraw_parents(issuer: RunningIssuer) -> None:
    result = issuer.chain.gateway("anchor").withdraw_accreditation(PARENT_DID, EMPLOYEE)
    issuer.wait_for_block(result.block_number)


def test_parent_withdrawn_refuses_the_offer(issuer: RunningIssuer) -> None:
    _withdraw_parents(issuer)

    response = issuer.api("POST", "/api/qrcode/data", json={"vcUid": "employee", "fields": FIELDS})

    assert response.status_code == 403, response.text
    body = response.json()
    assert body["code"] == "11011", body
    assert body["message"].startswith("NOT_ACCREDITED: ") and PARENT_DID in body["message"], body


def test_parent_withdrawn_after_the_offer_denies_the_credential(
    issuer: RunningIssuer, tmp_path: Path
) -> None:
    created = issuer.offer()
    _withdraw_parents(issuer)

    with pytest.raises(WalletError, match="credential_request_denied"):
        Wallet(tmp_path / "wallet").accept_offer(created["deepLink"], format="dc+sd-jwt")

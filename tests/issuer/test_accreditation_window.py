"""The accreditation's validity window is enforced by DWVC-101: outside [valid_from, valid_until)
the issuer refuses with 11011 (not accredited), inside it issues. Windows are set on chain with
TrustGateway.accredit; a child's window must lie inside its parent's (the agency's is unbounded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.wallet import Wallet
from api.wallet.errors import WalletError
from tests.support.issuer import EMPLOYEE, FIELDS, ISSUER_DID, PARENT_DID, RunningIssuer
from trust_ledger.chain.errors import ContractRevert

NOT_ACCREDITED = "11011"


def _refused(issuer: RunningIssuer) -> str:
    response = issuer.api("POST", "/api/qrcode/data", json={"vcUid": "employee", "fields": FIELDS})
    assert response.status_code == 403, response.text
    return response.json()["code"]


def _accredit(issuer: RunningIssuer, valid_from: int, valid_until: int) -> None:
    result = issuer.chain.gateway("dev1").accredit(ISSUER_DID, EMPLOYEE, (), valid_from, valid_until)
    issuer.wait_for_block(result.block_number)
    held = issuer.service.views.entity_version(ISSUER_DID).state.accreditations[EMPLOYEE]
    assert (held.valid_from, held.valid_until) == (valid_from, valid_until)


def test_expired_accreditation_refuses_issuance(issuer: RunningIssuer) -> None:
    now = issuer.clock()
    _accredit(issuer, now - 7200, now - 3600)
    assert _refused(issuer) == NOT_ACCREDITED
    issuer.clock.offset = -5400  # the issuer's clock back inside the window: it offers again
    assert issuer.offer()["transactionId"]


def test_accreditation_ending_after_the_offer_denies_the_credential(
    issuer: RunningIssuer, tmp_path: Path
) -> None:
    now = issuer.clock()
    _accredit(issuer, now - 7200, now + 3600)
    created = issuer.offer()
    _accredit(issuer, now - 7200, now - 3600)  # replaced on chain by a window already over
    with pytest.raises(WalletError, match="credential_request_denied"):
        Wallet(tmp_path / "wallet").accept_offer(created["deepLink"], format="dc+sd-jwt")
    pending = issuer.api("GET", f"/api/credential/nonce/{created['transactionId']}")
    assert pending.status_code == 404 and pending.json()["code"] == "61010"


def test_accreditation_not_yet_valid_refuses_until_it_starts(issuer: RunningIssuer) -> None:
    now = issuer.clock()
    _accredit(issuer, now + 3600, 0)
    assert _refused(issuer) == NOT_ACCREDITED
    issuer.clock.offset = 3600  # exactly valid_from: inside (the window is [valid_from, valid_until))
    assert issuer.offer()["transactionId"]


def test_window_ends_exclusively(issuer: RunningIssuer) -> None:
    now = issuer.clock()
    _accredit(issuer, now - 100, now + 3600)
    assert issuer.offer()["transactionId"]
    issuer.clock.offset = 3600  # now == valid_until: outside
    assert _refused(issuer) == NOT_ACCREDITED


def test_child_window_must_lie_inside_the_parents(issuer: RunningIssuer) -> None:
    now = issuer.clock()
    result = issuer.chain.gateway("anchor").accredit(PARENT_DID, EMPLOYEE, (), now - 7200, now + 7200)
    issuer.wait_for_block(result.block_number)
    with pytest.raises(ContractRevert, match=r"exceeds did:web:agency\.issuer\.test's own accreditation"):
        issuer.chain.gateway("dev1").accredit(ISSUER_DID, EMPLOYEE, (), now - 3600, 0)
    _accredit(issuer, now - 7200, now - 3600)  # inside the parent's, but already over
    assert _refused(issuer) == NOT_ACCREDITED

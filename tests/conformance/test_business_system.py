"""A business system written for the official TW DIW modules runs unchanged against ours (issue 15):
it issues a card, a holder's official app collects it from the page's QR image, the system finds the
card by its jti and lists it, asks for a presentation, polls for the result, revokes the card and
sees the next presentation refused. The client (tests/support/business_system.py) uses only the
documented contract; the app is the official SDK's request sequence (tests/support/official_app.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.business_system import BusinessSystem
from tests.support.conformance import APP_REF, Portal
from tests.support.issuer import FIELDS, TOKEN, RunningIssuer
from tests.support.official_app import AppFailure, OfficialApp
from tests.support.verifier import TOKEN as VERIFIER_TOKEN


def _present(business: BusinessSystem, app: OfficialApp, credential: str) -> str:
    """The page shows DWVP-01-101's QR image, the app scans it and presents the card; the
    transactionId the page polls with."""
    asked = str(uuid.uuid4())
    token, [request] = app.parse_vp_qrcode(business.ask(APP_REF, asked))
    assert business.is_pending(asked)  # 400 4002 until the holder answers
    [card] = request["cards"]
    app.generate_vp(token, [{"vc": credential, "field": card["fields"], "card_id": card["card_id"]}])
    return asked


def test_a_business_system_for_the_official_modules_issues_verifies_and_revokes(
    tw_issuer: RunningIssuer, portal: Portal, app: OfficialApp
) -> None:
    business = BusinessSystem(tw_issuer.url, TOKEN, portal.url, VERIFIER_TOKEN)
    try:
        transaction_id, scanned = business.offer("twcard", FIELDS, dataTag="staff2026")
        assert scanned.startswith("modadigitalwallet://credential_offer?credential_offer_uri=")
        credential = app.apply_vc(scanned).credential  # what the camera read from the page
        card = business.wait_for_card(transaction_id)
        assert card.holder_did == app.holder.did
        tw_issuer.wait_for_block(tw_issuer.chain.w3.eth.block_number)  # its status list is published

        [listed] = business.cards("staff2026")
        assert (listed.cid, listed.status) == (card.cid, "0")
        assert listed.issued.date() == datetime.now(ZoneInfo("Asia/Taipei")).date()
        assert listed.expires > listed.issued

        verification = business.wait_for_result(_present(business, app, credential))
        assert verification.trusted and verification.holder_did == app.holder.did
        assert verification.claims == {"EmployeeCredential": {"name": "林美"}}

        assert business.revoke(card.cid) == "REVOKED"
        asked = str(uuid.uuid4())
        token, [request] = app.parse_vp_qrcode(business.ask(APP_REF, asked))
        [offered] = request["cards"]
        with pytest.raises(AppFailure):  # the handler answers the app a nonzero code
            app.generate_vp(
                token, [{"vc": credential, "field": offered["fields"], "card_id": offered["card_id"]}]
            )
        refused = business.wait_for_result(asked)
        assert not refused.trusted and refused.claims == {}
    finally:
        business.close()

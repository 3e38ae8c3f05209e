"""How the data-space demo names a refused login."""

from __future__ import annotations

from api.dataspace.scenario import refusal_code
from api.wallet.presentation import PresentationOutcome


def test_a_refusal_shows_the_verifiers_first_reason_code() -> None:
    result = {"verifyResult": False, "reasons": [{"code": "NOT_ACCREDITED"}, {"code": "REVOKED"}]}
    assert refusal_code(result, PresentationOutcome(200, {}, None)) == "NOT_ACCREDITED"


def test_without_reasons_the_wallets_http_status_is_shown() -> None:
    """Before: this path read `outcome.status_code`, which PresentationOutcome does not have, and the
    demo crashed with AttributeError instead of reporting the refusal (mypy found it)."""
    outcome = PresentationOutcome(400, {"error": "invalid_request"}, None)
    assert refusal_code({"code": "4002", "message": "result not found"}, outcome) == "HTTP 400"

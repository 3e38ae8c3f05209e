"""tx_code brute force (issue 13 item 7): a pre-authorized code dies after a few wrong tx_codes,
counted in the issuance records (the database), and codes shorter than 6 digits are refused."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from api.issuer.config import IssuerConfig
from api.issuer.metadata import PRE_AUTHORIZED_GRANT
from api.issuer.records import IssuanceRecords, records_env
from tests.support.issuer import ISSUER_DID, TEMPLATES, TOKEN, RunningIssuer


def _pin_offer(issuer: RunningIssuer) -> tuple[dict[str, Any], str]:
    created = issuer.offer("pincard", fields=[{"ename": "name", "content": "林美"}])
    (uri,) = parse_qs(urlsplit(created["deepLink"]).query)["credential_offer_uri"]
    offer = issuer.api("GET", uri.removeprefix(issuer.url)).json()
    return created, offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]


def _token(issuer: RunningIssuer, code: str, tx_code: str):
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": tx_code}
    return issuer.api("POST", "/token", data=form)


def _wrong(right: str) -> str:
    return "0" * len(right) if right != "0" * len(right) else "1" * len(right)


def test_code_is_invalidated_after_five_wrong_tx_codes(issuer: RunningIssuer) -> None:
    created, code = _pin_offer(issuer)
    descriptions = []
    for _ in range(5):
        answer = _token(issuer, code, _wrong(created["txCode"]))
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant", answer.text
        descriptions.append(answer.json()["error_description"])
    assert descriptions[:4] == [f"wrong tx_code; {n} attempts left" for n in (4, 3, 2)] + [
        "wrong tx_code; 1 attempt left"
    ]
    assert descriptions[4] == "pre-authorized code invalidated after 5 wrong tx_code attempts"
    # the right code no longer helps: the pre-authorized code is dead
    late = _token(issuer, code, created["txCode"])
    assert late.status_code == 400 and late.json() == {
        "error": "invalid_grant",
        "error_description": "pre-authorized code invalidated after 5 wrong tx_code attempts",
    }


def test_attempts_are_counted_in_the_records_not_in_process_memory(issuer: RunningIssuer) -> None:
    created, code = _pin_offer(issuer)
    for _ in range(3):
        assert _token(issuer, code, _wrong(created["txCode"])).status_code == 400
    # a second process over the same records (a restart, or another worker) sees the attempts
    other = IssuanceRecords(env=records_env(issuer.ctx.config.var_dir))
    try:
        stored = other.get(created["transactionId"])
        assert stored is not None and stored.tx_code_failures == 3
    finally:
        other.close()
    assert _token(issuer, code, _wrong(created["txCode"])).json()["error_description"] == (
        "wrong tx_code; 1 attempt left"
    )


def test_right_tx_code_within_the_limit_still_works(issuer: RunningIssuer) -> None:
    created, code = _pin_offer(issuer)
    assert _token(issuer, code, _wrong(created["txCode"])).status_code == 400
    accepted = _token(issuer, code, created["txCode"])
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["token_type"] == "Bearer"


def _config(**overrides: Any) -> dict[str, Any]:
    return {
        "did": ISSUER_DID,
        "base_url": "https://issuer.test",
        "signing_key": {"key_id": "key-1", "jwk": {"kty": "EC"}},
        "templates": TEMPLATES,
        "access_tokens": [TOKEN],
        **overrides,
    }


def test_tx_code_shorter_than_six_digits_is_refused_unless_configured() -> None:
    short = {**TEMPLATES, "pincard": {**TEMPLATES["pincard"], "tx_code_length": 4}}
    with pytest.raises(ValidationError, match="tx_code_length 4 of template 'pincard' is shorter than"):
        IssuerConfig.model_validate(_config(templates=short))
    lowered = IssuerConfig.model_validate(_config(templates=short, tx_code_min_length=4))
    assert lowered.templates["pincard"].tx_code_length == 4
    assert IssuerConfig.model_validate(_config()).tx_code_max_attempts == 5


def test_concurrent_guesses_are_each_counted(issuer: RunningIssuer) -> None:
    created, code = _pin_offer(issuer)
    wrong = _wrong(created["txCode"])
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda _: _token(issuer, code, wrong), range(12)))
    assert all(a.status_code == 400 and a.json()["error"] == "invalid_grant" for a in answers)
    descriptions = Counter(a.json()["error_description"] for a in answers)
    invalidated = "pre-authorized code invalidated after 5 wrong tx_code attempts"
    # exactly five guesses were evaluated and counted, one per remaining attempt; the rest refused
    assert descriptions == {
        "wrong tx_code; 4 attempts left": 1,
        "wrong tx_code; 3 attempts left": 1,
        "wrong tx_code; 2 attempts left": 1,
        "wrong tx_code; 1 attempt left": 1,
        invalidated: 8,
    }
    assert _token(issuer, code, created["txCode"]).json()["error_description"] == invalidated

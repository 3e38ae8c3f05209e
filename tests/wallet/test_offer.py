"""Offer links and objects, metadata URLs, and the https rule (no network needed)."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest

from api.wallet import Wallet, WalletError
from api.wallet.metadata import well_known_urls
from api.wallet.offer import check_tx_code, offer_parameters, parse_offer, read_offer
from tests.wallet.issuer_stub import StubIssuer

OFFER = {
    "credential_issuer": "https://issuer.example/tenant",
    "credential_configuration_ids": ["Person"],
    "grants": {
        "urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "abc", "tx_code": {}}
    },
    "unknown_member": "ignored",
}


def by_value(offer: dict) -> str:
    return "openid-credential-offer://?credential_offer=" + quote(json.dumps(offer))


def test_links() -> None:
    assert offer_parameters(
        "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fi.example%2Fo%2F1"
    ) == (
        "credential_offer_uri",
        "https://i.example/o/1",
    )
    assert offer_parameters("modadigitalwallet://credential_offer?credential_offer_uri=https://i.example/o")[
        0
    ] == ("credential_offer_uri")
    assert offer_parameters("https://wallet.example/offer?credential_offer=%7B%7D") == (
        "credential_offer",
        "{}",
    )
    assert offer_parameters('  {"credential_issuer": "x"} ')[0] == "credential_offer"


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("modadigitalwallet://authorize?request_uri=https://v.example/r", "is not a credential offer link"),
        ("openid4vp://?request_uri=x", "unsupported offer link scheme 'openid4vp'"),
        (
            "openid-credential-offer://?credential_offer=%7B%7D&credential_offer_uri=https://x",
            "exactly one of",
        ),
        ("openid-credential-offer://?foo=bar", "exactly one of"),
        ("openid-credential-offer://?credential_offer=", "with a value"),
    ],
)
def test_bad_links(link: str, message: str) -> None:
    with pytest.raises(WalletError, match=message):
        offer_parameters(link)


def test_offer_object() -> None:
    offer = read_offer(by_value(OFFER), httpx.Client())
    assert offer.credential_issuer == "https://issuer.example/tenant" and offer.configuration_ids == (
        "Person",
    )
    assert offer.pre_authorized_code == "abc" and offer.tx_code == {}  # {} still means "a code is required"
    with pytest.raises(WalletError, match="requires a transaction code"):
        check_tx_code(offer, None)
    assert check_tx_code(offer, "1234") == "1234"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"credential_issuer": "http://issuer.example"}, "must use https"),
        ({"credential_issuer": None}, "credential_issuer is missing"),
        ({"credential_configuration_ids": []}, "non-empty array of unique strings"),
        ({"credential_configuration_ids": ["a", "a"]}, "non-empty array of unique strings"),
        ({"grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {}}}, "no pre-authorized_code"),
    ],
)
def test_bad_offers(change: dict, message: str) -> None:
    with pytest.raises(WalletError, match=message):
        parse_offer({**OFFER, **change})


def test_offer_uri_must_be_https() -> None:
    with pytest.raises(WalletError, match=r"credential_offer_uri 'http://issuer.example/o' must use https"):
        read_offer("openid-credential-offer://?credential_offer_uri=http://issuer.example/o", httpx.Client())


def test_well_known_urls() -> None:
    assert well_known_urls("https://issuer.example/tenant", "openid-credential-issuer") == [
        "https://issuer.example/.well-known/openid-credential-issuer/tenant",
        "https://issuer.example/tenant/.well-known/openid-credential-issuer",
    ]
    assert well_known_urls("https://issuer.example", "oauth-authorization-server") == [
        "https://issuer.example/.well-known/oauth-authorization-server"
    ]


def test_offer_without_pre_authorized_grant(issuer: StubIssuer, wallet: Wallet) -> None:
    offer = {"credential_issuer": issuer.issuer_id, "credential_configuration_ids": ["Person"]}
    with pytest.raises(
        WalletError, match=r"no pre-authorized_code grant \(authorization_code is not supported\)"
    ):
        wallet.accept_offer(by_value(offer))

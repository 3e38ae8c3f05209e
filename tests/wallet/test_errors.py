"""How server refusals become one-line ``WalletError`` messages."""

from __future__ import annotations

import httpx

from api.wallet import WalletError
from api.wallet.http import refusal, require_https


def test_oauth_error_body() -> None:
    response = httpx.Response(400, json={"error": "invalid_proof", "error_description": "bad aud"})
    error = refusal("credential request", response)
    assert str(error) == "credential request refused: invalid_proof: bad aud"
    assert (error.step, error.error, error.description, error.status) == (
        "credential request",
        "invalid_proof",
        "bad aud",
        400,
    )
    assert str(refusal("token request", httpx.Response(400, json={"error": "invalid_grant"}))) == (
        "token request refused: invalid_grant"
    )


def test_bearer_challenge() -> None:
    challenge = 'Bearer realm="issuer", error="invalid_token", error_description="token expired"'
    error = refusal("credential request", httpx.Response(401, headers={"WWW-Authenticate": challenge}))
    assert str(error) == "credential request refused: invalid_token: token expired" and error.status == 401


def test_no_oauth_error() -> None:
    error = refusal("issuer metadata", httpx.Response(502, text="<html>\nBad gateway</html>"))
    assert str(error) == "issuer metadata failed: HTTP 502: <html> Bad gateway</html>" and error.error is None


def test_https_rule() -> None:
    for url in (
        "https://issuer.example/x",
        "http://localhost:8080/x",
        "http://127.0.0.1/x",
        "http://[::1]:9/x",
    ):
        assert require_https(url, "s", "u") == url
    for url, message in (
        ("http://issuer.example", "must use https"),
        ("ftp://issuer.example", "is not an absolute https URL"),
        ("/relative", "is not an absolute https URL"),
        ("https://issuer.example/#frag", "must not have a fragment"),
    ):
        try:
            require_https(url, "s", "u")
        except WalletError as exc:
            assert message in str(exc)
        else:
            raise AssertionError(f"{url} was accepted")

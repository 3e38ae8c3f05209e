"""Status list URLs without content negotiation (issue 16 item 7), against `trust-ledger serve
issuer` over HTTP: a jwt_vc_json card's StatusList2021Entry names the list's W3C URL, where
jsonld.js's own document loader (jsonld 9.0.0, its fixed Accept) gets the StatusList2021Credential
as JSON-LD and expands it with the published contexts; generic Accepts get the same; the twdiw URL
keeps the official module's answer, the IETF one its Status List Token; CORS and gzip on all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from api.credentials.keys import read_payload, verify_jws
from api.status.encodings import bit, decode_w3c
from api.wallet import Wallet
from tests.support.interop import IssuerProcess, run_node
from tests.support.waiting import wait_until

SL = "https://w3id.org/vc/status-list#"


def _jwt_vc_card(issuer: IssuerProcess, tmp_path: Path) -> tuple[dict[str, Any], str]:
    """A jwt_vc_json card collected by our wallet, once its lists are published: its vc and cid."""
    (stored,) = Wallet(tmp_path / "wallet").accept_offer(issuer.offer(), format="jwt_vc_json")
    payload = read_payload(stored.raw)
    for entry in payload["vc"]["credentialStatus"]:
        url = entry["statusListCredential"]
        wait_until(lambda u=url: httpx.get(u, timeout=30).status_code == 200, 60, what=f"{url} published")
    return payload["vc"], payload["jti"].rsplit("/", 1)[1]


def _loaded(issuer: IssuerProcess, url: str, index: int) -> tuple[dict[str, Any], int]:
    """jsonld.js loads `url` and expands it; the document checked against its own proof (the
    JWT, signed by the issuer's key); the bit at `index` of the expanded encodedList."""
    loaded = run_node("w3c_status_list.mjs", stdin=json.dumps({"url": url}))
    document = loaded["document"]
    claims = verify_jws(document["proof"]["jwt"], issuer.key.public_jwk).claims()
    assert claims["vc"] == {k: v for k, v in document.items() if k != "proof"}
    assert document["id"] == url and claims["jti"] == url
    (expanded,) = loaded["expanded"]
    assert expanded["@type"] == [
        "https://www.w3.org/2018/credentials#VerifiableCredential",
        SL + "StatusList2021Credential",
    ]
    (subject,) = expanded["https://www.w3.org/2018/credentials#credentialSubject"]
    assert subject["@type"] == [SL + "StatusList2021"]
    (encoded,) = subject[SL + "encodedList"]
    return loaded, bit(decode_w3c(encoded["@value"]), index)


def test_a_jwt_vc_json_cards_lists_load_as_json_ld_without_negotiation(
    issuer_process: IssuerProcess, tmp_path: Path
) -> None:
    issuer = issuer_process
    vc, cid = _jwt_vc_card(issuer, tmp_path)
    revocation, suspension = vc["credentialStatus"]
    assert (revocation["statusPurpose"], suspension["statusPurpose"]) == ("revocation", "suspension")
    index = int(revocation["statusListIndex"])
    for entry in (revocation, suspension):
        assert entry["type"] == "StatusList2021Entry" and entry["statusListCredential"].endswith("/w3c")
    loaded, revoked = _loaded(issuer, revocation["statusListCredential"], index)
    assert loaded["contentType"] == "application/ld+json" and revoked == 0
    issuer.change(cid, "revocation")
    assert _loaded(issuer, revocation["statusListCredential"], index)[1] == 1
    assert _loaded(issuer, suspension["statusListCredential"], index)[1] == 0

    url = revocation["statusListCredential"]
    for accept in ("*/*", "application/json", "application/vc", None):
        answer = httpx.get(url, headers={"Accept": accept} if accept else {}, timeout=30)
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json", accept
        assert answer.json()["type"] == ["VerifiableCredential", "StatusList2021Credential"]
        assert answer.headers["access-control-allow-origin"] == "*"
    zipped = httpx.get(url, headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert zipped.headers["content-encoding"] == "gzip" and zipped.json()["id"] == url
    as_jwt = httpx.get(url, headers={"Accept": "application/jwt"}, timeout=30)
    assert as_jwt.headers["content-type"] == "application/jwt"
    assert verify_jws(as_jwt.text, issuer.key.public_jwk).claims()["vc"]["id"] == url


def test_the_twdiw_and_ietf_urls_keep_their_own_answers(
    issuer_process: IssuerProcess, tmp_path: Path
) -> None:
    """The on-chain list URL (twdiw cards') answers the official verifier's JSON Accept as the
    official module does; the SD-JWT VC's token URL answers any Accept with its token."""
    issuer = issuer_process
    vc, _ = _jwt_vc_card(issuer, tmp_path)
    on_chain = vc["credentialStatus"][0]["statusListCredential"].removesuffix("/w3c")
    official = httpx.get(on_chain, headers={"Accept": "application/json; charset=UTF-8"}, timeout=30)
    assert official.headers["content-type"] == "application/json" and set(official.json()) == {"statusList"}
    assert official.headers["access-control-allow-origin"] == "*"
    as_ld = httpx.get(on_chain, headers={"Accept": "application/ld+json"}, timeout=30)
    assert as_ld.headers["content-type"] == "application/ld+json" and as_ld.json()["id"] == on_chain
    (stored,) = Wallet(tmp_path / "sd").accept_offer(issuer.offer(), format="dc+sd-jwt")
    token_url = read_payload(stored.raw.split("~")[0])["status"]["status_list"]["uri"]
    wait_until(lambda: httpx.get(token_url, timeout=30).status_code == 200, 60, what=f"{token_url} published")
    for accept in ("*/*", "application/json"):
        answer = httpx.get(token_url, headers={"Accept": accept, "Accept-Encoding": "gzip"}, timeout=30)
        assert answer.headers["content-type"] == "application/statuslist+jwt"
        assert answer.headers["content-encoding"] == "gzip"
        assert read_payload(answer.text)["status_list"]["bits"] == 2

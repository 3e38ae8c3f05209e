"""The official TW DIW verifier accepts our twdiw cards, status lists and schemas (issue 15 §3).

The checks are core-system/twdiw-vp-handler's, transcribed in tests/support/official_verifier.py;
the card's layout is what twdiw-vc-handler's CredentialPrepareTask + CredentialSignTask emit. The
card is collected here by our reference wallet (a did:jwk holder): the issuer names the holder by
the same key's jwk_jcs-pub did:key, the only holder DID the official verifier reads.
"""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest

from api.credentials.dids import resolve_holder_key
from api.credentials.keys import read_header, read_payload
from api.wallet import Wallet
from tests.support.issuer import RunningIssuer
from tests.support.official_verifier import (
    JSON_ACCEPT,
    OfficialRefusal,
    check_status,
    gzip_uncompress,
    load_issuer_public_key,
    load_status_list,
    validate_status_list_content,
    validate_vc,
    validate_vc_content,
    verify_es256,
)


def _twdiw_card(issuer: RunningIssuer, tmp_path: Path) -> str:
    created = issuer.offer("twcard")
    Wallet(tmp_path / "wallet").accept_offer(created["deepLink"])
    issuer.wait_for_block(issuer.chain.w3.eth.block_number)  # the new status lists are projected
    response = issuer.api("GET", f"/api/credential/nonce/{created['transactionId']}")
    return response.json()["credential"]


def test_the_card_has_the_official_issuers_layout(issuer: RunningIssuer, tmp_path: Path) -> None:
    card = _twdiw_card(issuer, tmp_path)
    jwt = card.split("~")[0]
    header, payload = read_header(jwt), read_payload(jwt)
    assert header["typ"] == "vc+sd-jwt" and header["alg"] == "ES256"
    assert header["jku"] == f"{issuer.url}/api/keys" and header["kid"] == issuer.key.kid
    assert {"iss", "sub", "nbf", "exp", "jti", "nonce", "cnf", "vc"} <= set(payload)
    assert payload["jti"].startswith(f"{issuer.url}/api/credential/")
    vc = payload["vc"]
    assert vc["@context"] == ["https://www.w3.org/2018/credentials/v1"]
    assert vc["type"] == ["VerifiableCredential", "EmployeeCredential"]
    assert set(vc["credentialSubject"]) == {"_sd", "_sd_alg"}
    assert [s["type"] for s in vc["credentialStatus"]] == ["StatusList2021Entry"] * 2
    assert vc["credentialSchema"] == {"id": f"{issuer.url}/api/schema/twcard", "type": "JsonSchema"}
    # sub: a jwk_jcs-pub did:key (multicodec 0xeb51) of the key in cnf.jwk
    assert resolve_holder_key(payload["sub"]).jwk == payload["cnf"]["jwk"]
    assert validate_vc_content(card, issuer.clock())[0] == []


def test_the_official_verifier_accepts_the_card(issuer: RunningIssuer, tmp_path: Path) -> None:
    card = _twdiw_card(issuer, tmp_path)
    official = validate_vc(card)  # content, cnf & sub, both lists, the schema, the proof by jku + kid
    assert official.statuses == [("revocation", True), ("suspension", True)]
    assert official.credential["credentialSubject"]["name"] == "林美"

    schema = httpx.get(official.credential["credentialSchema"]["id"], headers=JSON_ACCEPT, timeout=30)
    assert schema.status_code == 200 and schema.json()["$id"] == official.credential["credentialSchema"]["id"]
    assert issuer.api("GET", "/api/schema/nope").status_code == 404

    cid = official.credential["id"].rsplit("/", 1)[1]
    assert issuer.api("PUT", f"/api/credential/{cid}/revocation").json()["final"] is True
    with pytest.raises(OfficialRefusal) as refused:
        validate_vc(card)
    assert refused.value.code == "ERR_CRED_VALIDATE_VC_STATUS_ERROR"


def test_status_lists_as_the_official_verifier_reads_them(issuer: RunningIssuer, tmp_path: Path) -> None:
    card = _twdiw_card(issuer, tmp_path)
    entries = read_payload(card.split("~")[0])["vc"]["credentialStatus"]
    for entry in entries:
        token = load_status_list(entry["statusListCredential"])  # {"statusList": "<JWT>"}
        content = validate_status_list_content(token, issuer.clock())
        assert content.failed == [] and content.status_purpose == entry["statusPurpose"]
        assert verify_es256(token, load_issuer_public_key(content.jku or "", content.kid or ""))
        assert check_status(int(entry["statusListIndex"]), token)
    revocation = entries[0]
    cid = read_payload(card.split("~")[0])["jti"].rsplit("/", 1)[1]
    issuer.api("PUT", f"/api/credential/{cid}/suspension")
    suspended = [
        check_status(int(e["statusListIndex"]), load_status_list(e["statusListCredential"])) for e in entries
    ]
    assert suspended == [True, False]
    assert revocation["statusPurpose"] == "revocation"


def test_the_transcribed_checks_refuse_what_the_official_verifier_refuses(
    issuer: RunningIssuer, tmp_path: Path
) -> None:
    """Negative controls: the transcription is not a rubber stamp."""
    card = _twdiw_card(issuer, tmp_path)
    jwt, rest = card.split("~", 1)
    payload = read_payload(jwt)
    key = issuer.key
    without_nonce = {k: v for k, v in payload.items() if k != "nonce"}
    resigned = key.sign(without_nonce, {"typ": "vc+sd-jwt", "jku": f"{issuer.url}/api/keys"})
    assert "nonce" in validate_vc_content(f"{resigned}~{rest}", issuer.clock())[0]
    jwk_sub = {**payload, "sub": Wallet(tmp_path / "wallet").holder_did}  # a did:jwk
    resigned = key.sign(jwk_sub, {"typ": "vc+sd-jwt", "jku": f"{issuer.url}/api/keys"})
    assert "cnf & sub" in validate_vc_content(f"{resigned}~{rest}", issuer.clock())[0]
    no_jku = key.sign(payload, {"typ": "vc+sd-jwt"})
    assert "jku" in validate_vc_content(f"{no_jku}~{rest}", issuer.clock())[0]
    url_safe = base64.urlsafe_b64encode(b"\xfb\xef\xbe" * 8).decode()
    assert "-" in url_safe
    with pytest.raises(ValueError):  # java.util.Base64.getDecoder() refuses the URL-safe alphabet
        gzip_uncompress(url_safe)

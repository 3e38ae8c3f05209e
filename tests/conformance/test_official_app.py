"""The official TW DIW app collects a card from our issuer and presents it to our verifier (issue 15
§2), replayed request by request from its SDK (tests/support/official_app.py, transcribed from
APP/APPSDK/lib/*.dart), and the official verifier's checks (tests/support/official_verifier.py,
transcribed from core-system/twdiw-vp-handler) accept what the app collected and presented.
"""

from __future__ import annotations

import base64
import json

import pytest

from api.credentials.keys import read_payload
from tests.support.conformance import Portal
from tests.support.issuer import FIELDS, RunningIssuer
from tests.support.official_app import AppFailure, AppHolder, OfficialApp
from tests.support.official_verifier import OfficialRefusal, validate_vc, validate_vp


def _collect(issuer: RunningIssuer, app: OfficialApp, vc_uid: str = "twcard") -> tuple[str, str]:
    """DWVC-101, then the app scans the deep link; (transactionId, credential)."""
    created = issuer.offer(vc_uid)
    assert created["deepLink"].startswith("modadigitalwallet://credential_offer?credential_offer_uri=")
    collected = app.apply_vc(created["deepLink"], created.get("txCode", ""))
    issuer.wait_for_block(issuer.chain.w3.eth.block_number)  # a new status list is published once projected
    return created["transactionId"], collected.credential


def test_the_app_collects_a_card_request_by_request(tw_issuer: RunningIssuer, app: OfficialApp) -> None:
    transaction_id, credential = _collect(tw_issuer, app)
    base = tw_issuer.url
    sent = [(r.method, str(r.url)) for r in app.traffic.requests]
    assert [method for method, _ in sent] == ["GET", "GET", "POST", "POST"]
    # the offer's credential_issuer ends with "/" and every later URL is that plus a name
    assert [url for _, url in sent[1:]] == [
        f"{base}/.well-known/openid-credential-issuer",
        f"{base}/token",
        f"{base}/credential",
    ]
    token_form = dict(pair.split("=", 1) for pair in app.traffic.requests[2].content.decode().split("&"))
    assert token_form["client_id"] == "moda_dw" and token_form["tx_code"] == ""  # accepted as no code

    decoded = app.decode_vc(credential)  # the app's decodeVC reads vc.credentialSubject
    assert decoded["vc"]["credentialSubject"]["field"] == {
        "code": 0,
        "data": {f["ename"]: f["content"] for f in FIELDS},
    }
    assert decoded["sub"] == app.holder.did, "sub is the app's DID as the app wrote it"
    assert app.check_vc_valid(credential)  # both StatusList2021 entries read as the app reads them

    business = tw_issuer.api("GET", f"/api/credential/nonce/{transaction_id}").json()["credential"]
    assert business == credential  # DWVC-201 answers the collected card (its jti holds the cid)
    cid = read_payload(credential.split("~")[0])["jti"].rsplit("/", 1)[1]

    official = validate_vc(credential)  # the official verifier's checks, status lists and schema
    assert official.sub == app.holder.did and official.statuses == [
        ("revocation", True),
        ("suspension", True),
    ]

    assert tw_issuer.api("PUT", f"/api/credential/{cid}/suspension").json()["final"] is True
    assert not app.check_vc_valid(credential)
    with pytest.raises(OfficialRefusal) as refused:
        validate_vc(credential)
    assert refused.value.code == "ERR_CRED_VALIDATE_VC_STATUS_ERROR"


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize("x_bytes", [33, 32, 31])
def test_keys_as_the_android_key_module_writes_them(tw_issuer: RunningIssuer, x_bytes: int) -> None:
    """JWSCreator.publicKeyToJwk writes BigInteger.toByteArray(): a leading zero byte when the
    coordinate's first bit is set, one byte less when its first byte is zero; the DID holds that
    JWK as the app wrote it (members in the app's order, not JCS)."""
    app = OfficialApp(AppHolder.generate(x_bytes=x_bytes))
    try:
        _, credential = _collect(tw_issuer, app)
        assert app.decode_vc(credential)["sub"] == app.holder.did
        assert json.loads(app.holder.jwk_text) == read_payload(credential.split("~")[0])["cnf"]["jwk"]
        validate_vc(credential)
    finally:
        app.close()


def test_tx_code(tw_issuer: RunningIssuer, app: OfficialApp) -> None:
    created = tw_issuer.offer("twpin")
    with pytest.raises(AppFailure) as failed:
        app.apply_vc(created["deepLink"], "")  # no code where one is needed: the token refuses
    assert failed.value.code == "2013"
    created = tw_issuer.offer("twpin")
    collected = app.apply_vc(created["deepLink"], created["txCode"])
    assert app.decode_vc(collected.credential)["vc"]["credentialSubject"]["field"]["code"] == 0


def test_the_app_presents_to_our_verifier(tw_issuer: RunningIssuer, portal: Portal, app: OfficialApp) -> None:
    _, credential = _collect(tw_issuer, app)
    transaction_id, auth_uri = portal.qrcode()
    pending = portal.result(transaction_id)
    assert (pending.status_code, pending.json()["code"]) == (400, "4002")

    token, requests = app.parse_vp_qrcode(auth_uri)
    [request] = requests
    [card] = request["cards"]
    assert (card["card"], card["fields"]) == ("EmployeeCredential", ["name"])
    vp_token, answer = app.generate_vp(
        token, [{"vc": credential, "field": card["fields"], "card_id": card["card_id"]}]
    )
    assert answer.json() == {"code": 0, "message": "success"}  # the oid4vp-handler's answer

    result = portal.result(transaction_id)
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["verifyResult"] is True and body["holder_did"] == app.holder.did
    [data] = body["data"]
    assert data["credentialType"] == "EmployeeCredential"
    assert data["claims"] == [{"ename": "name", "cname": "姓名", "value": "林美"}]

    claims = read_payload(token)
    official = validate_vp(vp_token, client_id=claims["client_id"], nonce=claims["nonce"])
    assert official.holder_did == app.holder.did  # the official verifier accepts the same presentation


def test_a_presentation_signed_by_another_key_is_refused(
    tw_issuer: RunningIssuer, portal: Portal, app: OfficialApp
) -> None:
    _, credential = _collect(tw_issuer, app)
    transaction_id, auth_uri = portal.qrcode()
    thief = OfficialApp(AppHolder.generate())
    try:
        token, [request] = thief.parse_vp_qrcode(auth_uri)
        card = request["cards"][0]
        with pytest.raises(AppFailure) as failed:
            thief.generate_vp(
                token, [{"vc": credential, "field": card["fields"], "card_id": card["card_id"]}]
            )
    finally:
        thief.close()
    assert failed.value.code == "4021" and failed.value.message == 2004  # vp validate fail
    body = portal.result(transaction_id).json()
    assert body["verifyResult"] is False
    assert body["reasons"][0]["code"] == "HOLDER_BINDING_INVALID"


def test_duplicate_disclosures_the_app_sends_are_one(
    tw_issuer: RunningIssuer, portal: Portal, app: OfficialApp
) -> None:
    """sdJwtEncode keeps a disclosure once per field name it contains: ``employee_no`` and ``no``
    both match the employee_no disclosure, which the app then sends twice."""
    _, credential = _collect(tw_issuer, app)
    transaction_id, auth_uri = portal.qrcode()
    token, _ = app.parse_vp_qrcode(auth_uri)
    fields = ["name", "employee_no", "no"]
    vp_token, answer = app.generate_vp(token, [{"vc": credential, "field": fields, "card_id": "employee"}])
    [presented] = read_payload(vp_token)["vp"]["verifiableCredential"]
    sent = [json.loads(_b64url_decode(part)) for part in presented.split("~")[1:-1]]
    assert [d[1] for d in sent].count("employee_no") == 2, "the employee_no disclosure is there twice"
    # (a random salt holding "no" or "name" adds its disclosure once more: the Dart's substring test)
    assert answer.json()["code"] == 0
    assert portal.result(transaction_id).json()["verifyResult"] is True

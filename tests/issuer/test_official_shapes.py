"""DWVC-101..302 answer as the official issuer module does (issue 15 §1).

The authority is moda-gov-tw/TWDIW-official-app: Docs/TWDIW_API_Specification.md v1.2.1 and, where
it is vague, core-system/twdiw-issuer-api (Dwvc100iResource, Dwvc100iService, Dwvc200iResource,
CustomVCItemDataService, DwSandBoxVC302WService, type/StatusCode.java) and twdiw-oid4vci-handler
(CredentialIssuer.java: the cids of DWVC-101).
"""

from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from api.credentials.disclosures import Disclosure
from api.credentials.keys import read_payload
from api.credentials.sd_jwt import SdJwt
from api.wallet import Wallet
from tests.support.issuer import FIELDS, RunningIssuer

TAIPEI = ZoneInfo("Asia/Taipei")
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
UNKNOWN = "0b9c3a36-8d4f-4a55-9f59-6f4f7f1b3f00"


def _refused(response, code: str, message: str, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["code"], body["message"]) == (code, message), body
    return body


def _post(issuer: RunningIssuer, **body):
    return issuer.api("POST", "/api/qrcode/data", json={"vcUid": "employee", "fields": FIELDS, **body})


def _collect(issuer: RunningIssuer, tmp_path: Path, name: str, **body) -> str:
    """Offer, collect with the reference wallet, answer the cid (from DWVC-201's jti)."""
    created = _post(issuer, **body).json()
    Wallet(tmp_path / name).accept_offer(created["deepLink"], format="jwt_vc_json")
    credential = issuer.api("GET", f"/api/credential/nonce/{created['transactionId']}").json()["credential"]
    return read_payload(credential)["jti"].rsplit("/", 1)[1]


def _taipei_day(offset_days: int = 0) -> str:
    return (datetime.now(TAIPEI) + timedelta(days=offset_days)).strftime("%Y%m%d")


def test_dwvc_101_answers_200_a_data_url_and_the_app_deep_link(issuer: RunningIssuer) -> None:
    created = _post(issuer)
    assert created.status_code == 200, created.text  # Dwvc100iResource: ResponseEntity.ok()
    body = created.json()
    assert set(body) == {"transactionId", "qrCode", "deepLink", "warnings"}
    assert body["warnings"] is None  # nothing to warn about: the module answers null
    prefix = "data:image/png;base64,"
    assert body["qrCode"].startswith(prefix)  # business pages render <img src=qrCode>
    assert base64.b64decode(body["qrCode"][len(prefix) :]).startswith(b"\x89PNG")
    assert body["deepLink"].startswith("openid-credential-offer://?credential_offer_uri=")  # final profile
    twdiw = _post(issuer, vcUid="twcard").json()
    assert twdiw["deepLink"].startswith("modadigitalwallet://credential_offer?credential_offer_uri=http")


def test_dwvc_101_error_codes_are_the_specs(issuer: RunningIssuer) -> None:
    post = lambda **body: _post(issuer, **body)  # noqa: E731
    _refused(post(vcUid="nope"), "10108", "查無模板資料")
    _refused(post(issuanceDate="2025-01-01"), "10109", "日期格式不合法(YYYYMMDD)")
    _refused(post(expiredDate="20251301"), "10109", "日期格式不合法(YYYYMMDD)")
    unknown_field = [*FIELDS, {"ename": "shoe_size", "content": "42"}]
    body = _refused(post(fields=unknown_field), "10112", "VC 模版欄位定義的欄位在資料中不存在")
    assert "shoe_size" in body["detail"]  # ours: what exactly was wrong, beside the spec's words
    _refused(post(fields=FIELDS[:1]), "11001", "缺少參數或參數不合法")  # a required field is missing
    _refused(
        post(fields=[FIELDS[0], {"ename": "employee_no", "content": ""}]), "11001", "缺少參數或參數不合法"
    )
    _refused(issuer.api("POST", "/api/qrcode/data", json={"fields": FIELDS}), "11001", "缺少參數或參數不合法")
    _refused(post(issuanceDate=_taipei_day(1)), "10113", "發行日不可以是未來時間")
    _refused(post(expiredDate=_taipei_day(-1)), "10114", "到期日不可以早於今日或建立 VC 模板日期")
    today = post(issuanceDate=_taipei_day(), expiredDate=_taipei_day())  # today is not the future
    assert today.status_code == 200, today.text


def test_dwvc_101_content_is_always_a_string(issuer: RunningIssuer, tmp_path: Path) -> None:
    fields = [{"ename": "name", "content": True}, {"ename": "employee_no", "content": 80}]
    created = _post(issuer, fields=fields).json()
    Wallet(tmp_path / "w").accept_offer(created["deepLink"], format="dc+sd-jwt")
    credential = issuer.api("GET", f"/api/credential/nonce/{created['transactionId']}").json()["credential"]
    disclosed = {d.name: d.value for d in map(Disclosure.parse, SdJwt.parse(credential).disclosures)}
    assert disclosed["employee_no"] == "80" and disclosed["name"] == "true"  # Jackson's coercion to String
    _refused(
        _post(issuer, fields=[{"ename": "name", "content": {"a": 1}}, FIELDS[1]]),
        "11001",
        "缺少參數或參數不合法",
    )


def test_dwvc_101_cids_revokes_valid_cards_when_the_new_offer_is_fetched(
    issuer: RunningIssuer, tmp_path: Path
) -> None:
    valid = _collect(issuer, tmp_path, "a")
    revoked = _collect(issuer, tmp_path, "b")
    issuer.api("PUT", f"/api/credential/{revoked}/revocation")
    created = _post(issuer, cids=[valid, revoked, UNKNOWN, ""]).json()
    # CredentialIssuer.java: status_revoke lists the cids ALREADY revoked, cid_not_found the unknown
    assert created["warnings"] == {"statusRevoke": [revoked], "cidNotFound": [UNKNOWN, "null"]}
    status = lambda: {  # noqa: E731
        row["cid"]: row["credentialStatus"]
        for row in issuer.api("POST", "/api/credential/vcdata", json={"vcUid": "employee"}).json()["vcList"]
    }
    assert status()[valid] == "0", "an unscanned reissue must not leave the holder without a card"
    only_unknown = _post(issuer, cids=[UNKNOWN]).json()
    assert only_unknown["warnings"] == {"statusRevoke": None, "cidNotFound": [UNKNOWN]}
    Wallet(tmp_path / "c").accept_offer(created["deepLink"], format="jwt_vc_json")  # fetches the offer
    assert status()[valid] == "2"


def test_dwvc_201_has_jti_and_sub_in_every_format(issuer: RunningIssuer, tmp_path: Path) -> None:
    created = _post(issuer, dataTag="jti").json()
    pending = issuer.api("GET", f"/api/credential/nonce/{created['transactionId']}")
    _refused(pending, "61010", "指定VC不存在，QR Code尚未被掃描", 404)  # vc-handler's 404, passed through
    _refused(issuer.api("GET", "/api/credential/nonce/not-a-uuid"), "11001", "交易序號不存在")
    _refused(issuer.api("GET", f"/api/credential/nonce/{UNKNOWN}"), "11001", "交易序號不存在")
    Wallet(tmp_path / "w").accept_offer(created["deepLink"], format="dc+sd-jwt")
    credential = issuer.api("GET", f"/api/credential/nonce/{created['transactionId']}").json()["credential"]
    payload = read_payload(credential)
    cid = issuer.api("GET", "/api/credential/datatag/jti").json()["vcList"][0]["cid"]
    assert payload["jti"] == f"{issuer.url}/api/credential/{cid}"
    assert payload["sub"].startswith("did:")


def test_dwvc_202_203_dates_tags_and_status_filters(issuer: RunningIssuer, tmp_path: Path) -> None:
    cid = _collect(issuer, tmp_path, "a", dataTag="tagA", issuanceDate="20250101", expiredDate="20351231")
    listed = issuer.api("GET", "/api/credential/datatag/tagA").json()
    assert listed["dataTag"] == "tagA"
    row = listed["vcList"][0]
    assert row["cid"] == cid and row["vcUid"] == "employee" and row["credentialStatus"] == "0"
    assert row["issuanceDate"] == row["issuranceDate"] == "2025-01-01 00:00:00"  # the module sends both
    assert row["expirationDate"] == "2035-12-31 23:59:59"  # the day ends in Asia/Taipei
    assert DATE_TIME.match(row["issuanceDate"])
    _refused(issuer.api("GET", "/api/credential/datatag/bad-tag"), "11001", "dataTag 只能輸入英文字母或數字")
    found = issuer.api(
        "POST", "/api/credential/vcdata", json={"dataTag": "tagA", "credentialStatus": 0}
    ).json()
    assert [(r["cid"], r["dataTag"]) for r in found["vcList"]] == [(cid, "tagA")]
    _refused(
        issuer.api("POST", "/api/credential/vcdata", json={"dataTag": "a-b"}),
        "20301",
        "欄位檢核有誤：dataTag 只能輸入英文字母或數字",
    )
    _refused(
        issuer.api("POST", "/api/credential/vcdata", json={"credentialStatus": 7}),
        "20302",
        "欄位檢核有誤：不合法的 VC 卡片狀態",
    )
    credential = issuer.api("POST", "/api/credential/vcdata", json={"credentialStatus": "0"}).json()
    assert cid in {r["cid"] for r in credential["vcList"]}
    created = _post(issuer, issuanceDate="20250101", expiredDate="20351231").json()
    Wallet(tmp_path / "b").accept_offer(created["deepLink"], format="jwt_vc_json")
    issued = issuer.api("GET", f"/api/credential/nonce/{created['transactionId']}").json()["credential"]
    payload = read_payload(issued)  # the credential's validity is the same local days
    assert payload["nbf"] == int(datetime(2025, 1, 1, tzinfo=TAIPEI).timestamp())
    assert payload["exp"] == int(datetime(2035, 12, 31, 23, 59, 59, tzinfo=TAIPEI).timestamp())


def test_dwvc_301_codes_are_the_specs(issuer: RunningIssuer, tmp_path: Path) -> None:
    cid = _collect(issuer, tmp_path, "a")
    put = lambda action, c=cid: issuer.api("PUT", f"/api/credential/{c}/{action}")  # noqa: E731
    body = _refused(put("recovery"), "30206", "已啟用憑證無法再次復用")
    assert body["credentialStatus"] == "ACTIVE"
    suspended = put("suspension").json()
    assert suspended["credentialStatus"] == "SUSPENDED" and suspended["final"] is True
    assert suspended["transactionHash"].startswith("0x")  # ours, kept: the transaction that carries it
    assert _refused(put("suspension"), "30207", "已停用憑證無法再次停用")["credentialStatus"] == "SUSPENDED"
    assert put("revocation").json()["credentialStatus"] == "REVOKED"
    for action in ("suspension", "recovery", "revocation"):
        body = _refused(put(action), "30205", "已撤銷憑證無法停用、復用")
        assert body["credentialStatus"] == "REVOKED"
    body = _refused(put("deletion"), "30203", "欄位檢核有誤：不合法的操作類型")
    assert "credentialStatus" in body and body["credentialStatus"] is None
    for unknown in (UNKNOWN, "not-a-cid"):
        body = _refused(put("revocation", unknown), "61010", "指定VC不存在")
        assert "credentialStatus" in body and body["credentialStatus"] is None


def test_dwvc_302_codes_are_the_specs(issuer: RunningIssuer, tmp_path: Path) -> None:
    a = _collect(issuer, tmp_path, "a")
    put = lambda body: issuer.api("PUT", "/api/credential/multiaction", json=body)  # noqa: E731
    body = put({"action": "suspension", "cids": [a, UNKNOWN]}).json()
    assert body["success"] == [a]
    assert body["fail"] == [
        {"code": "61010", "message": "指定VC不存在", "cids": [{"cid": UNKNOWN, "credentialStatus": None}]}
    ]
    assert put({"action": "suspension", "cids": [a]}).json()["fail"][0]["message"] == "已停用憑證無法再次停用"
    _refused(put({"cids": [a]}), "30201", "欄位檢核有誤：action 為必填")
    _refused(put({"action": "erase", "cids": []}), "30202", "欄位檢核有誤：cids 為必填")  # cids checked first
    _refused(put({"action": "erase", "cids": [a]}), "30203", "欄位檢核有誤：不合法的操作類型")

"""TW DIW issuer module API over real HTTP: shapes, codes, Access-Token, status transitions, batch."""

from __future__ import annotations

from pathlib import Path

from api.credentials.keys import read_payload
from api.wallet import Wallet
from tests.support.issuer import ISSUER_DID, PARENT_DID, RunningIssuer


def _code(response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    return response.json()["code"]


def _issue(issuer: RunningIssuer, tmp_path: Path, name: str, data_tag: str = "tag1") -> str:
    created = issuer.offer(dataTag=data_tag)
    Wallet(tmp_path / name).accept_offer(created["deepLink"], format="jwt_vc_json")
    credential = issuer.api("GET", f"/api/credential/nonce/{created['transactionId']}").json()["credential"]
    return read_payload(credential)["jti"].rsplit("/", 1)[1]  # the CID ends the jti, as in TW DIW


def test_access_token_is_required_and_checked(issuer: RunningIssuer) -> None:
    body = {"vcUid": "employee", "fields": []}
    assert (
        _code(issuer.api("POST", "/api/qrcode/data", json=body, headers={"Access-Token": ""}), 401) == "40100"
    )
    wrong = issuer.api("POST", "/api/qrcode/data", json=body, headers={"Access-Token": "x" * 30})
    assert _code(wrong, 401) == "40100"
    assert (
        _code(issuer.api("GET", "/api/credential/datatag/a", headers={"Access-Token": "nope"}), 401)
        == "40100"
    )


def test_dwvc_101_validation(issuer: RunningIssuer) -> None:
    post = lambda body: issuer.api("POST", "/api/qrcode/data", json=body)  # noqa: E731
    assert _code(post({"vcUid": "nope", "fields": []})) == "10108"
    assert _code(post({"vcUid": "employee", "fields": [{"ename": "name", "content": "x"}]})) == "11001"
    assert _code(post({"fields": []})) == "11001"
    fields = [{"ename": "name", "content": "x"}, {"ename": "employee_no", "content": "1"}]
    assert _code(post({"vcUid": "employee", "fields": fields, "expiredDate": "2025-01-01"})) == "10109"
    assert _code(post({"vcUid": "employee", "fields": fields, "dataTag": "bad tag"})) == "11001"
    created = post(
        {"vcUid": "employee", "fields": fields, "issuanceDate": "20250101", "expiredDate": "20351231"}
    )
    assert created.status_code == 200


def test_dwvc_201_codes(issuer: RunningIssuer) -> None:
    assert _code(issuer.api("GET", "/api/credential/nonce/not-a-uuid")) == "11001"
    unknown = "0b9c3a36-8d4f-4a55-9f59-6f4f7f1b3f00"
    assert _code(issuer.api("GET", f"/api/credential/nonce/{unknown}")) == "11001"
    pending = issuer.offer()["transactionId"]
    assert _code(issuer.api("GET", f"/api/credential/nonce/{pending}"), 404) == "61010"


def test_dwvc_202_203_list_and_filter(issuer: RunningIssuer, tmp_path: Path) -> None:
    first = _issue(issuer, tmp_path, "a", "groupA")
    second = _issue(issuer, tmp_path, "b", "groupA")
    _issue(issuer, tmp_path, "c", "groupB")
    listed = issuer.api("GET", "/api/credential/datatag/groupA", params={"page": 0, "size": 1}).json()
    assert listed["totalElements"] == 2 and len(listed["vcList"]) == 1
    row = listed["vcList"][0]
    assert set(row) == {
        "cid",
        "vcUid",
        "issuanceDate",
        "issuranceDate",
        "expirationDate",
        "credentialStatus",
        "transactionHash",
        "final",
    }
    assert row["transactionHash"] is None and row["final"] is True  # never changed since issuance
    assert row["issuanceDate"].endswith(" 00:00:00")
    assert _code(issuer.api("GET", "/api/credential/datatag/bad-tag")) == "11001"

    issuer.api("PUT", f"/api/credential/{second}/suspension")
    found = issuer.api("POST", "/api/credential/vcdata", json={"dataTag": "groupA", "credentialStatus": "1"})
    assert [r["cid"] for r in found.json()["vcList"]] == [second]
    everything = issuer.api("POST", "/api/credential/vcdata", json={"vcUid": "employee"}).json()
    assert everything["totalElements"] == 3 and first in {r["cid"] for r in everything["vcList"]}
    assert _code(issuer.api("POST", "/api/credential/vcdata", json={"credentialStatus": "7"})) == "20302"


def test_dwvc_301_revocation_is_final(issuer: RunningIssuer, tmp_path: Path) -> None:
    cid = _issue(issuer, tmp_path, "a")
    put = lambda action, c=cid: issuer.api("PUT", f"/api/credential/{c}/{action}")  # noqa: E731
    assert _code(put("recovery")) == "30206"  # active cannot be recovered
    revoked = put("revocation").json()
    assert revoked == {
        "credentialStatus": "REVOKED",
        "transactionHash": revoked["transactionHash"],
        "final": True,
    }
    assert revoked["transactionHash"].startswith("0x") and len(revoked["transactionHash"]) == 66
    refused = put("suspension")
    assert _code(refused) == "30205" and refused.json()["credentialStatus"] == "REVOKED"
    assert _code(put("recovery")) == "30205"
    assert _code(put("revocation")) == "30205"
    assert _code(put("deletion")) == "30203"
    assert _code(put("revocation", "not-a-cid")) == "61010"
    assert _code(put("revocation", "0b9c3a36-8d4f-4a55-9f59-6f4f7f1b3f00")) == "61010"


def test_dwvc_302_batch_with_per_item_failures(issuer: RunningIssuer, tmp_path: Path) -> None:
    a, b, c = (_issue(issuer, tmp_path, name) for name in "abc")
    issuer.api("PUT", f"/api/credential/{b}/suspension")
    issuer.api("PUT", f"/api/credential/{c}/revocation")
    unknown = "0b9c3a36-8d4f-4a55-9f59-6f4f7f1b3f00"
    head = issuer.chain.w3.eth.block_number
    response = issuer.api(
        "PUT", "/api/credential/multiaction", json={"action": "suspension", "cids": [a, b, c, unknown]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["action"] == "suspension" and body["success"] == [a]
    fails = {f["code"]: f["cids"] for f in body["fail"]}
    assert fails["30207"] == [{"cid": b, "credentialStatus": "SUSPENDED"}]
    assert fails["30205"] == [{"cid": c, "credentialStatus": "REVOKED"}]
    assert fails["61010"] == [{"cid": unknown, "credentialStatus": None}]
    assert issuer.chain.w3.eth.block_number == head + 1, "one StatusRegistry transaction for the batch"

    recovered = issuer.api(
        "PUT", "/api/credential/multiaction", json={"action": "recovery", "cids": [a, b]}
    ).json()
    assert sorted(recovered["success"]) == sorted([a, b]) and recovered["fail"] == []
    again = issuer.api("PUT", "/api/credential/multiaction", json={"action": "recovery", "cids": [a]}).json()
    assert again["fail"][0]["code"] == "30206"
    put = lambda body: issuer.api("PUT", "/api/credential/multiaction", json=body)  # noqa: E731
    assert _code(put({"cids": [a]})) == "30201"
    assert _code(put({"action": "erase", "cids": [a]})) == "30203"
    assert _code(put({"action": "revocation", "cids": []})) == "30202"


def test_unaccredited_type_is_refused(issuer: RunningIssuer) -> None:
    response = issuer.api(
        "POST", "/api/qrcode/data", json={"vcUid": "badge", "fields": [{"ename": "name", "content": "x"}]}
    )
    assert _code(response, 403) == "11011" and "not accredited for VisitorBadge" in response.json()["message"]


def test_accreditation_withdrawn_is_refused(issuer: RunningIssuer) -> None:
    result = issuer.chain.gateway("dev1").withdraw_accreditation(ISSUER_DID, "EmployeeCredential")
    issuer.wait_for_block(result.block_number)
    response = issuer.api("POST", "/api/qrcode/data", json={"vcUid": "employee", "fields": []})
    assert _code(response, 400) == "11001"  # parameters are checked first
    fields = [{"ename": "name", "content": "x"}, {"ename": "employee_no", "content": "1"}]
    refused = issuer.api("POST", "/api/qrcode/data", json={"vcUid": "employee", "fields": fields})
    assert _code(refused, 403) == "11011"


def test_suspended_ancestor_stops_offers_and_collection(issuer: RunningIssuer, tmp_path: Path) -> None:
    created = issuer.offer()
    result = issuer.chain.gateway("anchor").set_status(PARENT_DID, "suspended")
    issuer.wait_for_block(result.block_number)
    fields = [{"ename": "name", "content": "x"}, {"ename": "employee_no", "content": "1"}]
    refused = issuer.api("POST", "/api/qrcode/data", json={"vcUid": "employee", "fields": fields})
    assert _code(refused, 403) == "11007"
    assert PARENT_DID in refused.json()["message"] and "suspended" in refused.json()["message"]
    try:
        Wallet(tmp_path / "w").accept_offer(created["deepLink"], format="dc+sd-jwt")
    except Exception as error:  # the wallet names the refusal
        assert "credential_request_denied" in str(error)
    else:
        raise AssertionError("a suspended issuer must not issue")


def test_suspended_issuer_is_refused(issuer: RunningIssuer) -> None:
    result = issuer.chain.gateway("dev1").set_status(ISSUER_DID, "suspended")
    issuer.wait_for_block(result.block_number)
    fields = [{"ename": "name", "content": "x"}, {"ename": "employee_no", "content": "1"}]
    refused = issuer.api("POST", "/api/qrcode/data", json={"vcUid": "employee", "fields": fields})
    assert _code(refused, 403) == "11007" and "suspended" in refused.json()["message"]

"""A verifier business system written for the official module (issue 15 §1, "Done when"): it
treats 400 4002 as pending, reads the spec's codes and words, and switches on credentialType.

Authority: Docs/TWDIW_API_Specification.md v1.2.1 (DWVP-01-101/201 4xx tables) and
core-system/twdiw-verifier-api (DwSandBoxVP401WService.getQrcodeExternal: ref checks and 10102 for
an unknown template, answered 400 by HttpErrorExceptionHandler; the 4002 of twdiw-oid4vp-handler
passed through as a 400).
"""

from __future__ import annotations

import json

from tests.support.verifier import World


def test_pending_result_is_400_4002_with_the_older_params_string(world: World) -> None:
    request = world.open_request()
    pending = world.api("POST", "/api/oidvp/result", json={"transactionId": request.transaction_id})
    assert pending.status_code == 400
    body = pending.json()
    assert (body["code"], body["message"]) == ("4002", "查無驗證結果")
    assert json.loads(body["params"]) == {"code": 4002, "message": "verify result not found"}


def test_unknown_ref_is_400_10102_in_the_specs_words(world: World) -> None:
    unknown = world.api("GET", "/api/oidvp/qrcode", params={"ref": "unknown", "transactionId": "t-1"})
    assert unknown.status_code == 400, unknown.text
    assert (unknown.json()["code"], unknown.json()["message"]) == ("10102", "查無模板資料")
    missing = world.api("GET", "/api/oidvp/qrcode", params={"transactionId": "t-1"})
    assert (missing.json()["code"], missing.json()["message"]) == ("10105", "欄位檢核有誤：ref 為必填")
    no_tx = world.api("GET", "/api/oidvp/qrcode", params={"ref": "employee"})
    assert (no_tx.json()["code"], no_tx.json()["message"]) == ("10106", "欄位檢核有誤：transactionId 為必填")

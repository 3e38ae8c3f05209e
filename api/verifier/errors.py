"""TW DIW verifier module codes (Docs/TWDIW_API_Specification.md v1.2.1, DWVP-01/02).

The error classes are the issuer's (``DiwError`` -> ``{code, message}``, ``OAuthError`` ->
``{error, error_description}``); both modules map them to HTTP the same way.
"""

from __future__ import annotations

import json

from api.issuer.errors import DiwError, OAuthError, Spec

__all__ = ["DiwError", "OAuthError", "Spec"]

# DWVP-01-101
REQUEST_CREATION_FAILED = "3000"
BAD_PARAMETER = "4001"
QR_ENCODING_FAILED = "5003"
REF_INVALID = "10101"
TEMPLATE_NOT_FOUND = "10102"
QR_FAILED = "10104"
REF_REQUIRED = "10105"
TRANSACTION_ID_REQUIRED = "10106"
# DWVP-01-201
NO_RESULT = "4002"
RESULT_QUERY_FAILED = "20101"
# DWVP-02-101 (the static QR code's deep link)
VP_UID_EMPTY = "10101"
DEEP_LINK_FAILED = "10199"
RATE_LIMITED = "42900"  # ours (HTTP 429): the spec defines no code for too many requests
INTERNAL = "59999"
SUCCESS = "0"

# The spec's words (4xx tables of DWVP-01-101 / 201); our detail goes in ``detail``.
BAD_PARAMETER_WORDS = Spec(BAD_PARAMETER, "輸入參數錯誤")
REF_INVALID_WORDS = Spec(REF_INVALID, "欄位檢核有誤：ref 格式錯誤")
TEMPLATE_NOT_FOUND_WORDS = Spec(TEMPLATE_NOT_FOUND, "查無模板資料")
REF_REQUIRED_WORDS = Spec(REF_REQUIRED, "欄位檢核有誤：ref 為必填")
TRANSACTION_ID_REQUIRED_WORDS = Spec(TRANSACTION_ID_REQUIRED, "欄位檢核有誤：transactionId 為必填")
NO_RESULT_WORDS = Spec(NO_RESULT, "查無驗證結果")
NO_RESULT_PARAMS = json.dumps({"code": 4002, "message": "verify result not found"}, separators=(",", ":"))
"""What sandbox-era clients parse: the older module answered the pending result with this JSON
string in ``params``; carried beside ``code`` and ``message`` at no cost."""

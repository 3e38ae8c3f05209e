"""The two error families the issuer answers with, mapped to HTTP in app.py only.

- ``DiwError``: TW DIW module API errors, body ``{code, message}`` (5-digit string codes);
- ``OAuthError``: OAuth 2.0 / OID4VCI errors, body ``{error, error_description}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class DiwError(Exception):
    """A TW DIW API refusal; ``extra`` members are added to the body (e.g. credentialStatus)."""

    def __init__(self, code: str, message: str, status: int = 400, **extra: Any):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra

    @classmethod
    def spec(cls, refusal: Spec, detail: str | None = None, status: int = 400, **extra: Any) -> DiwError:
        """The spec's code and words; ``detail`` (ours, in English) says what exactly was wrong."""
        if detail is not None:
            extra["detail"] = detail
        return cls(refusal.code, refusal.message, status, **extra)

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.extra}


@dataclass(frozen=True)
class Spec:
    """A code and its message exactly as the spec's 4xx table of one API words it."""

    code: str
    message: str


class OAuthError(Exception):
    """An RFC 6749 / RFC 6750 / OID4VCI §8.3.1.2 error."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class IssuanceRefused(DiwError):
    """The issuer may not issue now (inactive entity/ancestor, type not accredited)."""


# TW DIW codes used here (Docs/TWDIW_API_Specification.md v1.2.1) besides the worded ones below.
BAD_PARAMETER = "11001"
TEMPLATE_NOT_ISSUED = "11007"
UNSUPPORTED_KIND = "11011"
DID_NOT_REGISTERED = "69004"
INTERNAL = "59999"
UNAUTHORIZED = "40100"  # ours: the spec defines no code for a missing/bad Access-Token

# The spec's words, per API (Docs/TWDIW_API_Specification.md v1.2.1, 4xx tables; the same code is
# worded differently by different APIs). Where the module's source answers a code the table words
# otherwise, the table wins: it is what integrators read (api/issuer/README.md, "official module vs ours").
# DWVC-101
NO_TEMPLATE = Spec("10108", "查無模板資料")
BAD_DATE = Spec("10109", "日期格式不合法(YYYYMMDD)")
FIELD_NOT_IN_TEMPLATE = Spec("10112", "VC 模版欄位定義的欄位在資料中不存在")
ISSUANCE_IN_FUTURE = Spec("10113", "發行日不可以是未來時間")
EXPIRY_IN_PAST = Spec("10114", "到期日不可以早於今日或建立 VC 模板日期")
MISSING_OR_INVALID = Spec("11001", "缺少參數或參數不合法")
# DWVC-201
UNKNOWN_TRANSACTION = Spec("11001", "交易序號不存在")
NOT_SCANNED = Spec("61010", "指定VC不存在，QR Code尚未被掃描")
# DWVC-202 / 203
DATATAG_202 = Spec("11001", "dataTag 只能輸入英文字母或數字")
DATATAG_203 = Spec("20301", "欄位檢核有誤：dataTag 只能輸入英文字母或數字")
STATUS_203 = Spec("20302", "欄位檢核有誤：不合法的 VC 卡片狀態")
# DWVC-301 / 302
ACTION_REQUIRED = Spec("30201", "欄位檢核有誤：action 為必填")
CIDS_REQUIRED = Spec("30202", "欄位檢核有誤：cids 為必填")
INVALID_ACTION = Spec("30203", "欄位檢核有誤：不合法的操作類型")
NOT_PERMITTED = Spec("30204", "您無權限變更此 VC 卡片狀態")
ALREADY_REVOKED = Spec("30205", "已撤銷憑證無法停用、復用")
ALREADY_ACTIVE = Spec("30206", "已啟用憑證無法再次復用")
ALREADY_SUSPENDED = Spec("30207", "已停用憑證無法再次停用")
VC_NOT_FOUND = Spec("61010", "指定VC不存在")
INVALID_STATUS = Spec("61050", "不合法的VC狀態代碼")
INTERNAL_ERROR = Spec("59999", "內部系統發生錯誤，請洽系統管理人員")

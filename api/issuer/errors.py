"""The two error families the issuer answers with, mapped to HTTP in app.py only.

- ``DiwError``: TW DIW module API errors, body ``{code, message}`` (5-digit string codes);
- ``OAuthError``: OAuth 2.0 / OID4VCI errors, body ``{error, error_description}``.
"""

from __future__ import annotations

from typing import Any


class DiwError(Exception):
    """A TW DIW API refusal; ``extra`` members are added to the body (e.g. credentialStatus)."""

    def __init__(self, code: str, message: str, status: int = 400, **extra: Any):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.extra}


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


# TW DIW codes used here (Docs/TWDIW_API_Specification.md v1.2.1).
BAD_PARAMETER = "11001"
TEMPLATE_NOT_ISSUED = "11007"
UNSUPPORTED_KIND = "11011"
NOT_YET_COLLECTED = "61010"
INVALID_TRANSACTION = "61012"
DATATAG_INVALID = "20301"
STATUS_INVALID = "20302"
INVALID_VC_ID = "61006"
NO_SUCH_VC = "61010"
REVOKED_CANNOT_SUSPEND = "61048"
REVOKED_CANNOT_RECOVER = "61049"
INVALID_STATUS_CODE = "61050"
DID_NOT_REGISTERED = "69004"
INTERNAL = "59999"
UNAUTHORIZED = "40100"  # ours: the spec defines no code for a missing/bad Access-Token
BATCH_ACTION_REQUIRED = "30201"
BATCH_CIDS_REQUIRED = "30202"
BATCH_INVALID_ACTION = "30203"
BATCH_NOT_ALLOWED = "30204"
BATCH_REVOKED = "30205"
BATCH_ALREADY_ACTIVE = "30206"
BATCH_ALREADY_SUSPENDED = "30207"

"""The resolver's one error enum and the ways it is rendered.

Every failure is a `ResolverError` carrying an `ErrorCode`. The same code is rendered:
- for DID resolution, in the legacy form (DID Core 1.0 / 2024 FPWD / did-test-suite:
  ``"error": "notFound"``) or the current form (2026 CR / today's Universal Resolver: an
  RFC 9457 object ``{"type": "https://www.w3.org/ns/did#NOT_FOUND", "title", "detail"}``);
- for the trust-list, entity and status-list API, as RFC 9457 ``application/problem+json``;
- for the FIWARE trusted-issuers-list API, as its ProblemDetails (``{type, title, status, detail}``);
- for the TW DIW issuer lookup, as ``{code, message}``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

DID_ERROR_BASE = "https://www.w3.org/ns/did#"


class ErrorCode(Enum):
    """(legacy keyword, HTTP status, short title); the member name is the CR error name."""

    INVALID_DID = ("invalidDid", 400, "Invalid DID")
    INVALID_DID_URL = ("invalidDidUrl", 400, "Invalid DID URL")
    INVALID_OPTIONS = ("invalidOptions", 400, "Invalid options")
    NOT_FOUND = ("notFound", 404, "Not found")
    REPRESENTATION_NOT_SUPPORTED = ("representationNotSupported", 406, "Representation not supported")
    METHOD_NOT_SUPPORTED = ("methodNotSupported", 501, "DID method not supported")
    FEATURE_NOT_SUPPORTED = ("featureNotSupported", 501, "Feature not supported")
    INVALID_DID_DOCUMENT = ("invalidDidDocument", 500, "Invalid DID document")
    INTERNAL_ERROR = ("internalError", 500, "Internal error")
    UNAVAILABLE = ("internalError", 503, "Service unavailable")
    """The ledger's store does not answer for now (a database restart): the DID specs' internalError,
    but 503 with Retry-After, so clients and proxies know to try again shortly."""

    @property
    def keyword(self) -> str:
        """The legacy camelCase keyword."""
        return self.value[0]

    @property
    def status(self) -> int:
        return self.value[1]

    @property
    def title(self) -> str:
        return self.value[2]

    @property
    def type_uri(self) -> str:
        """The CR / RFC 9457 problem type (UNAVAILABLE is INTERNAL_ERROR there: the specs have no other)."""
        return DID_ERROR_BASE + ("INTERNAL_ERROR" if self is ErrorCode.UNAVAILABLE else self.name)


class ResolverError(Exception):
    """A failure with its code and a human-readable detail."""

    def __init__(self, code: ErrorCode, detail: str) -> None:
        super().__init__(f"{code.name}: {detail}")
        self.code = code
        self.detail = detail


def problem(code: ErrorCode, detail: str, *, with_status: bool = False) -> dict[str, Any]:
    """An RFC 9457 problem-details object."""
    body: dict[str, Any] = {"type": code.type_uri, "title": code.title, "detail": detail}
    if with_status:
        body["status"] = code.status
    return body


def resolution_error_body(code: ErrorCode, detail: str, *, legacy: bool) -> dict[str, Any]:
    """A DID Resolution Result carrying the error (didDocument null, empty document metadata)."""
    metadata: dict[str, Any]
    metadata = {"error": code.keyword, "errorMessage": detail} if legacy else {"error": problem(code, detail)}
    return {"didDocument": None, "didResolutionMetadata": metadata, "didDocumentMetadata": {}}


DIW_CODES = {
    ErrorCode.INVALID_DID: "11001",
    ErrorCode.INVALID_OPTIONS: "11001",
    ErrorCode.INVALID_DID_URL: "11001",
    ErrorCode.NOT_FOUND: "69004",
}
"""TW DIW codes: 11001 missing or invalid parameter, 69004 DID not registered, 59999 internal."""


def diw_error_body(code: ErrorCode, detail: str) -> dict[str, Any]:
    """A TW DIW-style error: ``{"code": "<digits>", "message": ...}``."""
    return {"code": DIW_CODES.get(code, "59999"), "message": detail}

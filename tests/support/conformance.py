"""Helpers of the conformance suite (tests/conformance): a verifier served over the issuer's chain
and views, so the official app can collect a card from our issuer and present it to our verifier."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api.credentials.keys import SigningKey
from api.verifier.context import VerifierContext
from tests.support.issuer import EMPLOYEE, RunningIssuer
from tests.support.verifier import TOKEN, register_verifier, verifier_app

PORTAL_DID = "did:web:portal.conformance.test"
PORTAL_TEMPLATES: dict[str, dict[str, Any]] = {
    "00000000_employee_check": {
        "name": "Employee check",
        "profile": "twdiw",
        "credentials": [
            {
                "id": "employee",
                "type": EMPLOYEE,
                "format": "vc+sd-jwt",
                "claims": [{"ename": "name", "cname": "姓名"}],
            }
        ],
    },
}
APP_REF = "00000000_employee_check"

TWDIW_TEMPLATES = {
    "twcard": {"type": "EmployeeCredential", "fields": ["name", "employee_no"], "profile": "twdiw"},
    "twpin": {
        "type": "EmployeeCredential",
        "fields": ["name", "employee_no"],
        "profile": "twdiw",
        "tx_code_length": 6,
    },
}
"""Issuer templates in the TW DIW profile: a card, and the same card behind a tx_code."""


@dataclass
class Portal:
    """Our verifier module, served, as a business system and the app reach it."""

    url: str
    ctx: VerifierContext
    key: SigningKey
    headers: dict[str, str] = field(default_factory=lambda: {"Access-Token": TOKEN})

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return httpx.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

    def qrcode(self, ref: str = APP_REF) -> tuple[str, str]:
        """DWVP-01-101: (transactionId, authUri: what the QR code holds)."""
        transaction_id = str(uuid.uuid4())
        response = self.api("GET", "/api/oidvp/qrcode", params={"ref": ref, "transactionId": transaction_id})
        assert response.status_code == 200, response.text
        return transaction_id, response.json()["authUri"]

    def result(self, transaction_id: str) -> httpx.Response:
        """DWVP-01-201."""
        return self.api("POST", "/api/oidvp/result", json={"transactionId": transaction_id})


@contextlib.contextmanager
def serve_portal(issuer: RunningIssuer, var: Path) -> Iterator[Portal]:
    """A verifier registered under the root, reading the issuer's views (one chain, one registry)."""
    key = SigningKey.generate(did=PORTAL_DID, key_id="key-1")
    block = register_verifier(issuer.chain, key, label="portal", account="dev3")
    issuer.wait_for_block(block)
    with verifier_app(issuer.service, key, var / "portal", PORTAL_TEMPLATES, issuer.clock) as (url, ctx):
        yield Portal(url, ctx, key)

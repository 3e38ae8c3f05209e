"""A business system written for the official TW DIW modules, as a test client (issue 15).

It uses only what Docs/TWDIW_API_Specification.md v1.2.x documents and what integrators of the
official modules rely on, nothing of ours: it shows DWVC-101's and DWVP-01-101's QR codes as images
(`<img src=qrCode>`; the image is decoded here with zxing-cpp, as a phone camera reads it), derives
a card's CID from its credential's `jti` (`.../api/credential/<cid>`), polls DWVC-201 and
DWVP-01-201 until they answer 200 (a card not yet collected and a presentation not yet made are
their pending answers), parses DWVC-202/203 dates as `yyyy-MM-dd HH:mm:ss`, switches on
`credentialType`, and reads every claim value as a string.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import zxingcpp
from PIL import Image

from tests.support.waiting import wait_until

DATA_URL = "data:image/png;base64,"
DATE_TIME = "%Y-%m-%d %H:%M:%S"


class BusinessSystemError(AssertionError):
    """An answer a business system written for the official module could not use."""


def read_qr_image(data_url: str) -> str:
    """What a camera reads from the QR code a page shows for `<img src=data_url>`."""
    if not data_url.startswith(DATA_URL):
        raise BusinessSystemError(f"not an image URL a page can render: {data_url[:40]!r}")
    image = Image.open(io.BytesIO(base64.b64decode(data_url[len(DATA_URL) :], validate=True)))
    codes = zxingcpp.read_barcodes(image)
    if len(codes) != 1 or codes[0].format != zxingcpp.BarcodeFormat.QRCode:
        raise BusinessSystemError(f"the image holds {len(codes)} readable QR codes, not one")
    return str(codes[0].text)


def _jwt_payload(token: str) -> dict[str, Any]:
    part = token.split("~")[0].split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


@dataclass(frozen=True)
class IssuedCard:
    """A card as the business system keeps it: from DWVC-201's credential."""

    transaction_id: str
    cid: str
    holder_did: str


@dataclass(frozen=True)
class ListedCard:
    """A row of DWVC-202/203, typed as the business system reads it."""

    cid: str
    status: str
    issued: datetime
    expires: datetime


@dataclass(frozen=True)
class Verification:
    """DWVP-01-201's answer, as the business system acts on it."""

    trusted: bool
    holder_did: str | None
    claims: dict[str, dict[str, str]]
    """credentialType -> ename -> value."""


class BusinessSystem:
    """The organisation's back office: one Access-Token per module, base URLs configured."""

    def __init__(self, issuer_url: str, issuer_token: str, verifier_url: str, verifier_token: str):
        self.issuer = httpx.Client(base_url=issuer_url, headers={"Access-Token": issuer_token}, timeout=30)
        self.verifier = httpx.Client(
            base_url=verifier_url, headers={"Access-Token": verifier_token}, timeout=30
        )

    def close(self) -> None:
        self.issuer.close()
        self.verifier.close()

    # ---------------------------------------------------------------- issuing
    def offer(self, vc_uid: str, fields: list[dict[str, str]], **options: Any) -> tuple[str, str]:
        """DWVC-101: (transactionId, what the holder's camera reads from the page's QR image)."""
        response = self.issuer.post("/api/qrcode/data", json={"vcUid": vc_uid, "fields": fields, **options})
        if response.status_code != 200:  # the official module answers 200 (ResponseEntity.ok())
            raise BusinessSystemError(f"DWVC-101 answered {response.status_code}: {response.text}")
        body = response.json()
        return body["transactionId"], read_qr_image(body["qrCode"])

    def wait_for_card(self, transaction_id: str, timeout: float = 30) -> IssuedCard:
        """Poll DWVC-201 until the holder has collected the card; the CID is the jti's last part."""
        answers: list[httpx.Response] = []
        wait_until(
            lambda: (
                answers.append(self.issuer.get(f"/api/credential/nonce/{transaction_id}"))
                or answers[-1].status_code == 200
            ),
            timeout,
            what=f"DWVC-201 to answer 200 for {transaction_id}",
        )
        payload = _jwt_payload(answers[-1].json()["credential"])
        if "/api/credential/" not in payload.get("jti", ""):
            raise BusinessSystemError("憑證的 jti 裡沒有 cid")
        return IssuedCard(transaction_id, payload["jti"].rsplit("/", 1)[1], payload["sub"])

    def cards(self, data_tag: str) -> list[ListedCard]:
        """DWVC-202 for one dataTag."""
        response = self.issuer.get(f"/api/credential/datatag/{data_tag}")
        if response.status_code != 200:
            raise BusinessSystemError(f"DWVC-202 answered {response.status_code}: {response.text}")
        return [
            ListedCard(
                row["cid"],
                str(row["credentialStatus"]),
                datetime.strptime(row["issuanceDate"], DATE_TIME),
                datetime.strptime(row["expirationDate"], DATE_TIME),
            )
            for row in response.json()["vcList"]
        ]

    def revoke(self, cid: str) -> str:
        """DWVC-301 revocation: the card's new status as the module names it."""
        response = self.issuer.put(f"/api/credential/{cid}/revocation")
        if response.status_code != 200:
            raise BusinessSystemError(f"DWVC-301 answered {response.status_code}: {response.text}")
        return str(response.json()["credentialStatus"])

    # ---------------------------------------------------------------- verifying
    def ask(self, ref: str, transaction_id: str) -> str:
        """DWVP-01-101: what the holder's camera reads from the page's QR image."""
        response = self.verifier.get(
            "/api/oidvp/qrcode", params={"ref": ref, "transactionId": transaction_id}
        )
        if response.status_code != 200:
            raise BusinessSystemError(f"DWVP-01-101 answered {response.status_code}: {response.text}")
        return read_qr_image(response.json()["qrcodeImage"])

    def is_pending(self, transaction_id: str) -> bool:
        """DWVP-01-201 once: True while it answers the spec's pending code (400, 4002)."""
        response = self.verifier.post("/api/oidvp/result", json={"transactionId": transaction_id})
        return response.status_code == 400 and response.json().get("code") == "4002"

    def wait_for_result(self, transaction_id: str, timeout: float = 30) -> Verification:
        """Poll DWVP-01-201 until 200; 400 with code 4002 means the holder has not answered yet."""
        wait_until(
            lambda: not self.is_pending(transaction_id),
            timeout,
            what=f"DWVP-01-201 to leave 4002 for {transaction_id}",
        )
        response = self.verifier.post("/api/oidvp/result", json={"transactionId": transaction_id})
        if response.status_code != 200:
            raise BusinessSystemError(f"DWVP-01-201 answered {response.status_code}: {response.text}")
        return self._verification(response.json())

    @staticmethod
    def _verification(body: dict[str, Any]) -> Verification:
        claims: dict[str, dict[str, str]] = {}
        for item in body.get("data") or []:
            values = claims.setdefault(item["credentialType"], {})
            for claim in item.get("claims") or []:
                if not isinstance(claim["value"], str):  # a Go or Java client unmarshals into a string
                    raise BusinessSystemError(f"claim {claim['ename']} is not a string: {claim['value']!r}")
                values[claim["ename"]] = claim["value"]
        return Verification(body["verifyResult"] is True, body.get("holder_did"), claims)

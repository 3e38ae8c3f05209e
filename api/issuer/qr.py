"""The QR code of a deep link, as a base64 PNG (the DWVC-101 ``qrCode``)."""

from __future__ import annotations

import base64
import io

import qrcode

from api.issuer.errors import DiwError

QR_FAILED = "11006"


def qr_png_base64(text: str) -> str:
    """Base64 (standard alphabet) of a PNG QR code encoding `text`."""
    try:
        image = qrcode.make(text)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
    except Exception as exc:  # qrcode raises DataOverflowError and PIL errors
        raise DiwError(QR_FAILED, f"QR code generation failed: {exc}", 500) from exc
    return base64.b64encode(buffer.getvalue()).decode("ascii")

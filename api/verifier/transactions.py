"""DWVP-01-101 (open a presentation request), DWVP-01-201 (its result), DWVP-02-101 (static QR)."""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

from api.issuer.qr import qr_png_base64
from api.verifier import errors as e
from api.verifier.context import VerifierContext
from api.verifier.errors import DiwError
from api.verifier.requests import authorization_uri
from api.verifier.sessions import DuplicateTransaction, Session

TRANSACTION_ID = re.compile(r"^[A-Za-z0-9._~-]{1,50}$")
REF = re.compile(r"^[A-Za-z0-9._~-]{1,100}$")


def open_request(
    ctx: VerifierContext, ref: str | None, transaction_id: str | None, is_callback: str | None
) -> dict[str, Any]:
    """DWVP-01-101: a new request for template ``ref`` under the caller's ``transaction_id``."""
    if not ref:
        raise DiwError.spec(e.REF_REQUIRED_WORDS, "ref is required")
    if not transaction_id:
        raise DiwError.spec(e.TRANSACTION_ID_REQUIRED_WORDS, "transactionId is required")
    if not REF.match(ref):
        raise DiwError.spec(e.REF_INVALID_WORDS, "ref must be 1-100 letters, digits, '.', '_', '~' or '-'")
    if not TRANSACTION_ID.match(transaction_id):
        raise DiwError.spec(
            e.BAD_PARAMETER_WORDS, "transactionId must be 1-50 URL-safe characters (a UUID is recommended)"
        )
    if is_callback not in (None, "", "Y", "N"):
        raise DiwError.spec(e.BAD_PARAMETER_WORDS, "isCallback must be Y or N")
    callback = is_callback == "Y"
    if callback and not ctx.config.callback_url:
        raise DiwError.spec(
            e.BAD_PARAMETER_WORDS, "isCallback=Y but the verifier has no callback_url configured"
        )
    template = ctx.template(ref)
    if template is None:  # the module's 10102 is a DWException, answered 400
        raise DiwError.spec(e.TEMPLATE_NOT_FOUND_WORDS, f"no verification template {ref!r}")
    now = ctx.clock()
    session = Session(
        transaction_id=transaction_id,
        template_ref=ref,
        request_id=secrets.token_urlsafe(24),
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(32),  # 256 bits: OID4VP asks for at least 128
        callback=callback,
        created_at=now,
        expires_at=now + ctx.config.request_ttl,
        answered_at=None,
        result=None,
    )
    try:
        ctx.sessions.open(session)
    except DuplicateTransaction:
        raise DiwError.spec(
            e.BAD_PARAMETER_WORDS, f"transactionId {transaction_id} was already used"
        ) from None
    auth_uri = authorization_uri(ctx.config, template, session)
    return {
        "transactionId": transaction_id,
        "qrcodeImage": "data:image/png;base64," + qr_png_base64(auth_uri),
        "authUri": auth_uri,
    }


def static_deep_link(ctx: VerifierContext, vp_uid: str) -> dict[str, Any]:
    """DWVP-02-101: a fresh request behind a static QR code; its result goes to the callback URL."""
    if not vp_uid.strip() or ctx.template(vp_uid) is None:
        raise DiwError(e.VP_UID_EMPTY, f"vpUid {vp_uid!r} names no verification template")
    if not ctx.config.callback_url:
        raise DiwError(e.DEEP_LINK_FAILED, "the verifier has no callback_url for static QR codes")
    opened = open_request(ctx, vp_uid, str(uuid.uuid4()), "Y")
    return {
        "code": e.SUCCESS,
        "message": "SUCCESS",
        "data": {"deepLink": opened["authUri"], "transactionId": opened["transactionId"]},
    }


def result_of(ctx: VerifierContext, transaction_id: str | None) -> dict[str, Any]:
    """DWVP-01-201: the verification result, or 4002 while the holder has not answered."""
    if not transaction_id:
        raise DiwError.spec(e.BAD_PARAMETER_WORDS, "transactionId is required")
    session = ctx.sessions.by_transaction(transaction_id)
    if session is None:
        raise _pending(f"no verification result for {transaction_id}: unknown transaction")
    if session.result is None:
        state = "expired" if session.expires_at <= ctx.clock() else "waiting for the holder"
        raise _pending(f"no verification result for {transaction_id} yet ({state})")
    return session.result


def _pending(detail: str) -> DiwError:
    """400 4002, as the module answers while there is no result (clients poll until 200)."""
    return DiwError.spec(e.NO_RESULT_WORDS, detail, params=e.NO_RESULT_PARAMS)

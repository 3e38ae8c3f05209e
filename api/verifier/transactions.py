"""DWVP-01-101 (open a presentation request), DWVP-01-201 (its result), DWVP-02-101 (static QR).

Same-device flow (OID4VP 1.0 §8.2, §14 on session fixation): DWVP-01-101 with ``redirectUri``
(the business system's page on the holder's device). The wallet is then sent there with a fresh
``response_code`` in the fragment, and DWVP-01-201 answers only with that ``responseCode``: a
result the holder's own browser did not bring back cannot be read into the business system's
session. Cross-device (no ``redirectUri``): the result carries ``holder_did`` and
``presentedAt`` for the business system to bind it to its user.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from api.issuer.qr import qr_png_base64
from api.verifier import errors as e
from api.verifier import reasons as r
from api.verifier.context import VerifierContext
from api.verifier.errors import DiwError
from api.verifier.requests import authorization_uri
from api.verifier.sessions import DuplicateTransaction, Session, same_code

TRANSACTION_ID = re.compile(r"^[A-Za-z0-9._~-]{1,50}$")
REF = re.compile(r"^[A-Za-z0-9._~-]{1,100}$")
MAX_REDIRECT_URI = 2048


def open_request(
    ctx: VerifierContext,
    ref: str | None,
    transaction_id: str | None,
    is_callback: str | None,
    redirect_uri: str | None = None,
) -> dict[str, Any]:
    """DWVP-01-101: a new request for template ``ref`` under the caller's ``transaction_id``;
    with ``redirect_uri``, a same-device request (see the module)."""
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
    redirect_uri = _redirect_uri(redirect_uri)
    if callback and redirect_uri is not None:  # the callback would hand out what the code guards
        raise DiwError.spec(
            e.BAD_PARAMETER_WORDS,
            "isCallback=Y and redirectUri exclude each other: a same-device result is read with "
            "the response code the holder's browser brings back, never called back",
        )
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
        redirect_uri=redirect_uri,
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


def _redirect_uri(value: str | None) -> str | None:
    """The business system's same-device page: an absolute https URL (http on loopback hosts),
    without a fragment (the response code goes there)."""
    if value is None or value == "":
        return None
    parts = urlsplit(value)
    host = parts.hostname or ""
    if (
        len(value) > MAX_REDIRECT_URI
        or parts.scheme not in ("https", "http")
        or not host
        or (parts.scheme == "http" and not _loopback(host))
        or parts.fragment
        or "#" in value
        or parts.username is not None
        or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in value)
    ):
        raise DiwError.spec(
            e.BAD_PARAMETER_WORDS,
            "redirectUri must be an absolute https URL (http only on a loopback host) of at most "
            f"{MAX_REDIRECT_URI} characters, without credentials, spaces or a fragment",
        )
    return value


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def result_of(
    ctx: VerifierContext, transaction_id: str | None, response_code: str | None = None
) -> dict[str, Any]:
    """DWVP-01-201: the verification result, or 4002 while there is none.

    Same-device transactions answer only with the ``response_code`` the wallet's redirect carried
    (4001 without one, 4002 with one no response of this transaction was given). A wallet's error
    response leaves the session open: it is the result only once the request expired with
    nothing else (cross-device), or when its own response code is presented (same-device)."""
    if not transaction_id:
        raise DiwError.spec(e.BAD_PARAMETER_WORDS, "transactionId is required")
    session = ctx.sessions.by_transaction(transaction_id)
    if session is None:
        raise _pending(f"no verification result for {transaction_id}: unknown transaction")
    code = response_code or None
    if session.same_device:
        return _same_device_result(session, code)
    if code is not None:
        raise _pending(
            f"{r.RESPONSE_CODE_MISMATCH}: transaction {transaction_id} was opened without redirectUri "
            "(cross-device); no response code was given for it: read it without responseCode"
        )
    if session.result is not None:
        return session.result
    expired = session.expires_at <= ctx.clock()
    if expired and session.wallet_errors:
        return dict(session.wallet_errors[-1]["result"])
    raise _pending(f"no verification result for {transaction_id} yet ({_state(session, expired)})")


def _same_device_result(session: Session, code: str | None) -> dict[str, Any]:
    if code is None:
        raise DiwError.spec(
            e.BAD_PARAMETER_WORDS,
            f"{r.RESPONSE_CODE_REQUIRED}: transaction {session.transaction_id} was opened with "
            "redirectUri (same device): present the response_code the wallet's redirect to it "
            "carried, as responseCode",
        )
    if session.result is not None and same_code(code, session.response_code):
        return session.result
    for event in session.wallet_errors:
        if same_code(code, event.get("responseCode")):
            return dict(event["result"])
    raise _pending(
        f"{r.RESPONSE_CODE_MISMATCH}: no response to transaction {session.transaction_id} was "
        "given this response code"
    )


def _state(session: Session, expired: bool) -> str:
    state = "expired" if expired else "waiting for the holder"
    if session.wallet_errors:
        last = session.wallet_errors[-1]
        when = datetime.fromtimestamp(last["at"], UTC).isoformat().replace("+00:00", "Z")
        state += (
            f"; {len(session.wallet_errors)} error response(s) from a wallet, the last at {when}, "
            "leave the request open for the holder's presentation"
        )
    return state


def _pending(detail: str) -> DiwError:
    """400 4002, as the module answers while there is no result (clients poll until 200)."""
    return DiwError.spec(e.NO_RESULT_WORDS, detail, params=e.NO_RESULT_PARAMS)

"""DWVC-101 (create an offer), the credential offer object, and the OID4VCI token endpoint."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, Field

from api.issuer import errors as e
from api.issuer.context import IssuerContext
from api.issuer.errors import DiwError, OAuthError
from api.issuer.lifecycle import revoke_for_reissue
from api.issuer.metadata import PRE_AUTHORIZED_GRANT
from api.issuer.qr import qr_png_base64
from api.issuer.records import Issuance, digest
from api.issuer.trust import check_may_issue

DATA_TAG = re.compile(r"^[A-Za-z0-9]{1,64}$")


class Field_(BaseModel):
    ename: str
    content: Any


class OfferRequest(BaseModel):
    """DWVC-101 request body."""

    vcUid: str
    issuanceDate: str | None = None
    expiredDate: str | None = None
    dataTag: str | None = None
    fields: list[Field_] = Field(default_factory=list)
    cids: list[str] = Field(default_factory=list)


def _date(value: str, name: str) -> datetime:
    try:
        if not re.fullmatch(r"\d{8}", value):
            raise ValueError
        return datetime.strptime(value, "%Y%m%d").replace(tzinfo=UTC)
    except ValueError:
        raise DiwError(e.BAD_PARAMETER, f"{name} must be a date as YYYYMMDD, not {value!r}") from None


def create_offer(ctx: IssuerContext, request: OfferRequest) -> dict[str, Any]:
    """Validate, check trust, record Offered; answer the DWVC-101 201 body."""
    config, now = ctx.config, ctx.clock()
    template = config.templates.get(request.vcUid)
    if template is None:
        raise DiwError(e.BAD_PARAMETER, f"unknown vcUid {request.vcUid!r}")
    if request.dataTag is not None and not DATA_TAG.match(request.dataTag):
        raise DiwError(e.BAD_PARAMETER, "dataTag must be 1 to 64 letters and digits")
    fields = _fields(request, template.fields)
    issued = _date(request.issuanceDate, "issuanceDate") if request.issuanceDate else _today(now)
    expires = (
        _date(request.expiredDate, "expiredDate")
        if request.expiredDate
        else issued + timedelta(days=template.validity_days)
    )
    if expires < issued:
        raise DiwError(e.BAD_PARAMETER, "expiredDate is before issuanceDate")
    check_may_issue(
        ctx.views, config.did, template.type, now, template.roles, config.trust_freshness.bounds()
    )
    ctx.shredder.purge(now)
    warnings = revoke_for_reissue(ctx, request.cids)

    transaction_id, offer_id = str(uuid.uuid4()), secrets.token_urlsafe(24)
    code = secrets.token_urlsafe(32)
    tx_code = (
        "".join(secrets.choice("0123456789") for _ in range(template.tx_code_length))
        if template.tx_code_length
        else None
    )
    offer_expires_at = now + config.offer_ttl
    ctx.shredder.create(offer_id, offer_expires_at)
    issuance = Issuance(
        transaction_id=transaction_id,
        offer_id=offer_id,
        vc_uid=request.vcUid,
        credential_type=template.type,
        data_tag=request.dataTag,
        issuance_date=issued.strftime("%Y%m%d"),
        expiration_date=expires.strftime("%Y%m%d"),
        configuration_ids=config.configuration_ids(request.vcUid),
        code_hash=digest(code),
        tx_code_hash=digest(tx_code) if tx_code else None,
        offer_expires_at=offer_expires_at,
        sealed_fields=ctx.shredder.seal(offer_id, {"fields": fields, "code": code}),
    )
    ctx.save(issuance)
    deep_link = _deep_link(ctx, issuance, code)
    body: dict[str, Any] = {
        "transactionId": transaction_id,
        "qrCode": qr_png_base64(deep_link),
        "deepLink": deep_link,
        "warnings": warnings,
    }
    if tx_code:
        body["txCode"] = tx_code  # ours: the organisation hands it to the holder out of band
    return body


def _today(now: int) -> datetime:
    day = datetime.fromtimestamp(now, UTC)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _fields(request: OfferRequest, allowed: list[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for item in request.fields:
        if item.ename not in allowed:
            raise DiwError(e.BAD_PARAMETER, f"field {item.ename!r} is not in template {request.vcUid}")
        if item.ename in fields:
            raise DiwError(e.BAD_PARAMETER, f"field {item.ename!r} is given twice")
        fields[item.ename] = item.content
    missing = [name for name in allowed if name not in fields]
    if missing:
        raise DiwError(e.BAD_PARAMETER, f"missing fields: {', '.join(missing)}")
    return fields


def offer_object(ctx: IssuerContext, issuance: Issuance, code: str) -> dict[str, Any]:
    """The OID4VCI credential offer (pre-authorized code grant, tx_code when required)."""
    grant: dict[str, Any] = {"pre-authorized_code": code}
    template = ctx.config.templates[issuance.vc_uid]
    if template.tx_code_length:
        grant["tx_code"] = {"input_mode": "numeric", "length": template.tx_code_length}
    return {
        "credential_issuer": ctx.config.base_url,
        "credential_configuration_ids": list(issuance.configuration_ids),
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def _deep_link(ctx: IssuerContext, issuance: Issuance, code: str) -> str:
    scheme = ctx.config.deep_link_scheme
    if ctx.config.offer_mode == "value":
        offer = json.dumps(offer_object(ctx, issuance, code), separators=(",", ":"))
        return f"{scheme}?credential_offer={quote(offer, safe='')}"
    uri = f"{ctx.config.base_url}/credential-offer/{issuance.offer_id}"
    return f"{scheme}?credential_offer_uri={quote(uri, safe='')}"


def offer_by_uri(ctx: IssuerContext, offer_id: str) -> dict[str, Any]:
    """GET credential_offer_uri: the offer while it is live, else 12000 (404)."""
    issuance = ctx.lookup(ctx.index.by_offer, offer_id)
    if issuance is None or ctx.clock() >= issuance.offer_expires_at or issuance.sealed_fields is None:
        raise DiwError("12000", "credential offer not found or expired", 404)
    code = ctx.shredder.open(issuance.offer_id, issuance.sealed_fields)["code"]
    return offer_object(ctx, issuance, code)


def token(ctx: IssuerContext, form: dict[str, str]) -> dict[str, Any]:
    """The token endpoint for the pre-authorized code grant (RFC 6749 errors, status 400).

    Wrong tx_codes are counted on the issuance (TxCodeRejected, in the event store, so every
    process sees them); after ``tx_code_max_attempts`` of them the pre-authorized code is dead
    (OID4VCI 1.0 §13: limit the attempts at guessing a transaction code).
    """
    if form.get("grant_type") != PRE_AUTHORIZED_GRANT:
        if not form.get("grant_type"):
            raise OAuthError("invalid_request", "grant_type is required")
        raise OAuthError("unsupported_grant_type", f"grant_type {form.get('grant_type')!r} is not supported")
    code = form.get("pre-authorized_code")
    if not code:
        raise OAuthError("invalid_request", "pre-authorized_code is required")
    now = ctx.clock()
    tx_code = form.get("tx_code")
    access_token = secrets.token_urlsafe(32)
    limit = ctx.config.tx_code_max_attempts
    invalidated = f"pre-authorized code invalidated after {limit} wrong tx_code attempts"

    def grant(issuance: Issuance) -> int | None:
        """Issue the token (None), or count a wrong tx_code (the attempts left); refuse by raising."""
        if issuance.code_used:
            raise OAuthError("invalid_grant", "the pre-authorized code has already been used")
        if now >= issuance.offer_expires_at:
            raise OAuthError("invalid_grant", "the pre-authorized code has expired")
        if issuance.tx_code_hash is None and tx_code is not None:
            raise OAuthError("invalid_request", "this offer has no transaction code; do not send tx_code")
        if issuance.tx_code_hash is not None:
            if issuance.tx_code_failures >= limit:
                raise OAuthError("invalid_grant", invalidated)
            if not tx_code:
                raise OAuthError("invalid_request", "tx_code is required for this offer")
            if not secrets.compare_digest(digest(tx_code), issuance.tx_code_hash):
                issuance.reject_tx_code()
                return limit - issuance.tx_code_failures
        issuance.issue_token(digest(access_token), now + ctx.config.token_ttl)
        return None

    issuance = ctx.lookup(ctx.index.by_code, digest(code))
    if issuance is None:
        raise OAuthError("invalid_grant", "unknown pre-authorized code")
    details = _authorization_details(form.get("authorization_details"), issuance)
    attempts_left = ctx.update(issuance.transaction_id, grant)
    if attempts_left is not None:  # the wrong attempt is recorded before it is answered
        if attempts_left == 0:
            raise OAuthError("invalid_grant", invalidated)
        plural = "attempt" if attempts_left == 1 else "attempts"
        raise OAuthError("invalid_grant", f"wrong tx_code; {attempts_left} {plural} left")
    body: dict[str, Any] = {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ctx.config.token_ttl,
    }
    if details is not None:
        body["authorization_details"] = details
    if ctx.config.templates[issuance.vc_uid].profile == "twdiw":
        body["c_nonce"] = ctx.nonces.issue()
        body["c_nonce_expires_in"] = ctx.config.nonce_ttl
    return body


def _authorization_details(raw: str | None, issuance: Issuance) -> list[dict[str, Any]] | None:
    if raw is None:
        return None
    try:
        requested = json.loads(raw)
        ids = [d["credential_configuration_id"] for d in requested if d.get("type") == "openid_credential"]
    except (ValueError, TypeError, KeyError, AttributeError):
        raise OAuthError(
            "invalid_request", "authorization_details is not valid JSON of openid_credential"
        ) from None
    unknown = [i for i in ids if i not in issuance.configuration_ids]
    if unknown or not ids:
        raise OAuthError(
            "invalid_request", f"authorization_details names configurations not offered: {unknown}"
        )
    return [
        {"type": "openid_credential", "credential_configuration_id": i, "credential_identifiers": [i]}
        for i in ids
    ]

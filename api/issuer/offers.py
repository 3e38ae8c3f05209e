"""DWVC-101 (create an offer), the credential offer object, and the OID4VCI token endpoint."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from api.issuer import errors as e
from api.issuer.config import IssuerConfig
from api.issuer.context import IssuerContext
from api.issuer.days import parse_day, today
from api.issuer.errors import DiwError, OAuthError
from api.issuer.lifecycle import revoke_replaced, sort_reissue
from api.issuer.metadata import PRE_AUTHORIZED_GRANT
from api.issuer.qr import qr_png_base64
from api.issuer.records import Issuance, digest
from api.issuer.trust import check_may_issue

DATA_TAG = re.compile(r"^[A-Za-z0-9]{1,64}$")


class OfferRequest(BaseModel):
    """DWVC-101 request body; every member is checked here, so each refusal is the spec's."""

    vcUid: Any = None
    issuanceDate: Any = None
    expiredDate: Any = None
    dataTag: Any = None
    fields: Any = None
    cids: Any = None


@dataclass(frozen=True)
class CheckedOffer:
    """A DWVC-101 request that passed the module's checks."""

    vc_uid: str
    fields: dict[str, str]
    issuance_date: str  # YYYYMMDD in the module's time zone
    expiration_date: str
    data_tag: str | None
    cids: list[str | None]


def content_text(value: Any) -> str | None:
    """A field's ``content`` as the module keeps it, a string (Jackson coerces a JSON scalar to
    the String field: 80 -> "80", true -> "true"); None for an object or an array."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return None


def check_offer(config: IssuerConfig, request: OfferRequest, now: int) -> CheckedOffer:
    """The module's checks, in its order (Dwvc100iService.createVCHasDataForAPI): vcUid, the
    template, the dates' format, the fields (required ones first), then the dates' range."""
    if not isinstance(request.vcUid, str) or not request.vcUid.strip():
        raise DiwError.spec(e.MISSING_OR_INVALID, "vcUid is required")
    template = config.templates.get(request.vcUid)
    if template is None:
        raise DiwError.spec(e.NO_TEMPLATE, f"no template {request.vcUid!r}")
    dates = {name: getattr(request, name) for name in ("issuanceDate", "expiredDate")}
    for name, value in dates.items():
        if value in (None, ""):
            continue
        try:
            parse_day(value if isinstance(value, str) else "")
        except ValueError:
            raise DiwError.spec(e.BAD_DATE, f"{name} must be a date as YYYYMMDD, not {value!r}") from None
    fields = _fields(request.fields, template.fields)
    if request.dataTag not in (None, "") and not (
        isinstance(request.dataTag, str) and DATA_TAG.match(request.dataTag)
    ):
        raise DiwError.spec(e.MISSING_OR_INVALID, "dataTag must be 1 to 64 letters and digits")
    cids = request.cids if request.cids is not None else []
    if not isinstance(cids, list) or not all(c is None or isinstance(c, str) for c in cids):
        raise DiwError.spec(e.MISSING_OR_INVALID, "cids must be an array of cid strings")
    today_ = today(now, config.time_zone)
    issued = dates["issuanceDate"] or today_
    if issued > today_:
        raise DiwError.spec(e.ISSUANCE_IN_FUTURE, f"issuanceDate {issued} is after today ({today_})")
    expires = dates["expiredDate"]
    if expires and expires < today_:
        raise DiwError.spec(e.EXPIRY_IN_PAST, f"expiredDate {expires} is before today ({today_})")
    if not expires:
        first = parse_day(issued)
        expires = (first + timedelta(days=template.validity_days)).strftime("%Y%m%d")
    return CheckedOffer(request.vcUid, fields, issued, expires, request.dataTag or None, list(cids))


def create_offer(ctx: IssuerContext, request: OfferRequest) -> dict[str, Any]:
    """Validate, check trust, record Offered; answer the DWVC-101 body (HTTP 200)."""
    config, now = ctx.config, ctx.clock()
    checked = check_offer(config, request, now)
    template = config.templates[checked.vc_uid]
    check_may_issue(
        ctx.views, config.did, template.type, now, template.roles, config.trust_freshness.bounds()
    )
    ctx.shredder.purge(now)
    reissue = sort_reissue(ctx, checked.cids)

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
        vc_uid=checked.vc_uid,
        credential_type=template.type,
        data_tag=checked.data_tag,
        issuance_date=checked.issuance_date,
        expiration_date=checked.expiration_date,
        configuration_ids=config.configuration_ids(checked.vc_uid),
        code_hash=digest(code),
        tx_code_hash=digest(tx_code) if tx_code else None,
        offer_expires_at=offer_expires_at,
        sealed_fields=ctx.shredder.seal(offer_id, {"fields": checked.fields, "code": code}),
        issuer_did=config.did,
    )
    if reissue.to_revoke:
        issuance.replace_cards(reissue.to_revoke)
    ctx.save(issuance)
    deep_link = _deep_link(ctx, issuance, code)
    body: dict[str, Any] = {
        "transactionId": transaction_id,
        "qrCode": "data:image/png;base64," + qr_png_base64(deep_link),
        "deepLink": deep_link,
        "warnings": reissue.warnings(),
    }
    if tx_code:
        body["txCode"] = tx_code  # ours: the organisation hands it to the holder out of band
    return body


def _fields(given: Any, template_fields: list[str]) -> dict[str, str]:
    """``fields`` as {ename: content}: every template field present and not blank (11001, checked
    first as validateRequiredFieldsData does), then no ename the template lacks (10112)."""
    if not isinstance(given, list) or not all(isinstance(item, dict) for item in given):
        raise DiwError.spec(e.MISSING_OR_INVALID, "fields must be an array of {ename, content}")
    fields: dict[str, str] = {}
    for item in given:
        ename, content = item.get("ename"), content_text(item.get("content"))
        if not isinstance(ename, str) or content is None:
            raise DiwError.spec(e.MISSING_OR_INVALID, f"field {item!r} needs an ename and a scalar content")
        if ename in fields:
            raise DiwError.spec(e.MISSING_OR_INVALID, f"field {ename!r} is given twice")
        fields[ename] = content
    missing = [name for name in template_fields if not fields.get(name, "").strip()]
    if missing:
        raise DiwError.spec(e.MISSING_OR_INVALID, f"required fields missing or blank: {', '.join(missing)}")
    unknown = [name for name in fields if name not in template_fields]
    if unknown:
        raise DiwError.spec(e.FIELD_NOT_IN_TEMPLATE, f"fields not in the template: {', '.join(unknown)}")
    return fields


def offer_object(ctx: IssuerContext, issuance: Issuance, code: str) -> dict[str, Any]:
    """The OID4VCI credential offer (pre-authorized code grant, tx_code when required)."""
    grant: dict[str, Any] = {"pre-authorized_code": code}
    template = ctx.config.templates[issuance.vc_uid]
    if template.tx_code_length:
        grant["tx_code"] = {"input_mode": "numeric", "length": template.tx_code_length}
    return {
        "credential_issuer": ctx.config.credential_issuer(issuance.vc_uid),
        "credential_configuration_ids": list(issuance.configuration_ids),
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def _deep_link(ctx: IssuerContext, issuance: Issuance, code: str) -> str:
    """The offer's deep link: the official app's ``modadigitalwallet://credential_offer?...`` for a
    twdiw template (what the official issuer sends), OID4VCI's scheme otherwise."""
    twdiw = ctx.config.templates[issuance.vc_uid].profile == "twdiw"
    scheme = ctx.config.twdiw_deep_link_scheme if twdiw else ctx.config.deep_link_scheme
    if ctx.config.offer_mode == "value":
        offer = json.dumps(offer_object(ctx, issuance, code), separators=(",", ":"))
        return f"{scheme}?credential_offer={quote(offer, safe='')}"
    uri = f"{ctx.config.base_url}/credential-offer/{issuance.offer_id}"
    return f"{scheme}?credential_offer_uri={quote(uri, safe='')}"


def offer_by_uri(ctx: IssuerContext, offer_id: str) -> dict[str, Any]:
    """GET credential_offer_uri: the offer while it is live, else 12000 (404). Fetching it revokes
    the old cards the offer reissues (DWVC-101 ``cids``), as the module's credential-offer-object."""
    issuance = ctx.lookup(ctx.index.by_offer, offer_id)
    if issuance is None or ctx.clock() >= issuance.offer_expires_at or issuance.sealed_fields is None:
        raise DiwError("12000", "credential offer not found or expired", 404)
    code = ctx.shredder.open(issuance.offer_id, issuance.sealed_fields)["code"]
    if issuance.replaces:
        revoke_replaced(ctx, issuance.replaces)
        ctx.update(issuance.transaction_id, lambda current: current.replaced_cards_revoked())
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
    tx_code = form.get("tx_code") or None  # the official app sends tx_code="" when the offer has none
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

"""The wallet's authorization response (``direct_post`` to the response URI): verify, decide, record.

One presentation per request: the session is answered once, whatever the verdict, so a replayed
or second presentation is refused with REPLAYED and never overwrites the first result. A wallet's
error response (``error=access_denied``, ...) is not an answer: anyone who saw the request can
send one, so it is recorded as an event of the session, which stays open for the holder's
presentation until it expires (OID4VP 1.0 §14, session fixation).

Same-device sessions (opened with a ``redirect_uri``): every processed response, presentation or
error, is answered ``{"redirect_uri": "<redirect_uri>#response_code=<fresh code>"}`` (OID4VP 1.0
§8.2); DWVP-01-201 answers that response's result only to whoever presents its code.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.credentials.dids import resolve_holder_key
from api.credentials.keys import jwk_thumbprint
from api.verifier import reasons as r
from api.verifier import twdiw
from api.verifier.callbacks import carries_credential
from api.verifier.config import VerifierTemplate
from api.verifier.context import VerifierContext
from api.verifier.decision import Binding, TrustedCredential
from api.verifier.errors import OAuthError
from api.verifier.reasons import Refused
from api.verifier.sessions import Session, new_response_code, response_code_digest
from api.verifier.siop import SelfIssuedLogin, verify_id_token
from api.verifier.tokens import mint_access_token
from trust_ledger.metrics import VERIFICATIONS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuthorizationResponse:
    """The form fields a wallet posts."""

    state: str | None = None
    vp_token: str | None = None
    id_token: str | None = None
    presentation_submission: str | None = None
    error: str | None = None
    error_description: str | None = None


@dataclass(frozen=True)
class _Verdict:
    trusted: list[TrustedCredential]
    refusals: list[dict[str, str]]
    login: SelfIssuedLogin | None


def receive(ctx: VerifierContext, response: AuthorizationResponse) -> dict[str, Any]:
    """Process a response and record the verdict; the body for the wallet (200).

    OID4VP 1.0 §8.2: a response the verifier processed (a presentation, trusted or refused, or a
    wallet's error response such as ``access_denied``) is answered 200: ``{}`` cross-device (the
    business system tells the person the outcome), ``{"redirect_uri": ...}`` with a fresh
    response code same-device. The verdict is the relying party's: DWVP-01-201 and the callback
    carry it. Only a response that cannot be processed, with no open request behind its
    ``state`` or for a request already answered, is an ``OAuthError`` (400)."""
    if not response.state:
        raise OAuthError("invalid_request", f"{r.REQUEST_UNKNOWN}: the response has no state")
    session = ctx.sessions.by_state(response.state)
    now = ctx.clock()
    if session is None or (session.expires_at <= now and session.answered_at is None):
        raise OAuthError(
            "invalid_request", f"{r.REQUEST_UNKNOWN}: no open presentation request has this state"
        )
    if session.answered_at is not None:
        raise OAuthError("invalid_request", f"{r.REPLAYED}: this request was already answered")
    template = ctx.config.templates[session.template_ref]
    code = new_response_code() if session.same_device else None
    digest = response_code_digest(code) if code is not None else None
    if response.error:
        return _wallet_error(ctx, template, session, response, now, code)
    verdict = _decide(ctx, template, session, response, now)
    result = _result(ctx, template, session, verdict, now)
    VERIFICATIONS.labels("trusted" if result["verifyResult"] else verdict.refusals[0]["code"]).inc()
    # the answer and its callback commit together: a replica dying in between loses neither
    with ctx.sessions.transaction():
        if not ctx.sessions.answer(session.state, now, result, digest):
            raise OAuthError("invalid_request", f"{r.REPLAYED}: this request was already answered")
        if session.callback and carries_credential(result):  # junk is never called back (callbacks.py)
            ctx.callbacks.send(result)
    log.info(
        "presentation for %s (%s): %s",
        session.transaction_id,
        session.template_ref,
        "trusted" if result["verifyResult"] else ", ".join(x["code"] for x in verdict.refusals),
    )
    return {**twdiw.wallet_answer(template, result), **_to_wallet(session, code)}


def _wallet_error(
    ctx: VerifierContext,
    template: VerifierTemplate,
    session: Session,
    response: AuthorizationResponse,
    now: int,
    code: str | None,
) -> dict[str, Any]:
    """Record an error response as an event; the session stays open for a presentation. Its
    words are the sender's, whoever that was: kept short."""
    error = _short(response.error or "", 64)
    description = _short(response.error_description or "", 300)
    detail = f"{error}: {description}" if description else error
    refusal = {"code": r.WALLET_ERROR, "message": f"the wallet answered {detail}"}
    result = _result(ctx, template, session, _Verdict([], [refusal], None), now)
    event = {
        "at": now,
        "responseCode": response_code_digest(code) if code is not None else None,
        "result": result,
    }
    VERIFICATIONS.labels(r.WALLET_ERROR).inc()
    if not ctx.sessions.record_wallet_error(session.state, now, event):
        current = ctx.sessions.by_state(session.state)
        if current is not None and current.answered_at is not None:
            raise OAuthError("invalid_request", f"{r.REPLAYED}: this request was already answered")
        log.warning(
            "error response for %s (%s) not kept: the request expired or holds the most kept",
            session.transaction_id,
            session.template_ref,
        )
        return {}
    log.info(
        "error response for %s (%s): %s; the request stays open for a presentation",
        session.transaction_id,
        session.template_ref,
        error,
    )
    return _to_wallet(session, code)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _to_wallet(session: Session, code: str | None) -> dict[str, Any]:
    """The 200 body: same-device, where to send the user agent, with the fresh response code."""
    if session.redirect_uri is None or code is None:
        return {}
    return {"redirect_uri": f"{session.redirect_uri}#response_code={code}"}


def _decide(
    ctx: VerifierContext,
    template: VerifierTemplate,
    session: Session,
    response: AuthorizationResponse,
    now: int,
) -> _Verdict:
    client_id = ctx.config.client_id_for(template)
    binding = Binding(audience=client_id, nonce=session.nonce)
    try:
        presentations = _presentations(template, response)
        login = (
            verify_id_token(
                response.id_token, client_id=client_id, nonce=session.nonce, now=now, leeway=ctx.config.leeway
            )
            if template.siop
            else None
        )
    except Refused as refusal:
        return _Verdict([], [_refusal(refusal)], None)
    trusted: list[TrustedCredential] = []
    refusals = []
    for query in template.credentials:
        try:
            trusted.append(ctx.decision.verify(presentations[query.id], query, binding))
        except Refused as refusal:
            refusals.append(_refusal(refusal, query.id))
    if not refusals:
        try:
            _check_one_holder(trusted, login)
        except Refused as refusal:
            refusals.append(_refusal(refusal))
    return _Verdict(trusted, refusals, login)


def _presentations(template: VerifierTemplate, response: AuthorizationResponse) -> dict[str, str]:
    """One presentation per credential query, from ``vp_token`` (and, for twdiw, the submission)."""
    if not response.vp_token:
        raise Refused(r.QUERY_UNANSWERED, "the response has no vp_token")
    wanted = [query.id for query in template.credentials]
    if template.profile == "twdiw":
        return _from_submission(wanted, response)
    try:
        token = json.loads(response.vp_token)
    except ValueError:
        raise Refused("MALFORMED", "vp_token is not a JSON object") from None
    if not isinstance(token, dict):
        raise Refused("MALFORMED", "vp_token must be a JSON object keyed by credential query id")
    if set(token) != set(wanted):
        raise Refused(
            r.QUERY_UNANSWERED, f"vp_token answers {sorted(token)}, the request asked for {sorted(wanted)}"
        )
    presentations = {}
    for query_id, items in token.items():
        if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], str):
            raise Refused(r.QUERY_UNANSWERED, f"vp_token[{query_id!r}] must be an array of one presentation")
        presentations[query_id] = items[0]
    return presentations


def _from_submission(wanted: list[str], response: AuthorizationResponse) -> dict[str, str]:
    """Presentation Exchange: ``vp_token`` is one presentation or a JSON array, mapped by
    ``presentation_submission.descriptor_map`` paths ``$`` / ``$[i]``."""
    text = response.vp_token or ""
    try:
        token: Any = json.loads(text) if text[:1] in ("[", '"') else text
        submission = (
            json.loads(response.presentation_submission) if response.presentation_submission else None
        )
    except ValueError:
        raise Refused("MALFORMED", "vp_token or presentation_submission is not valid JSON") from None
    items = token if isinstance(token, list) else [token]
    if submission is None:
        if len(wanted) == 1 and len(items) == 1:
            return {wanted[0]: items[0]}
        raise Refused(r.QUERY_UNANSWERED, "presentation_submission is required for several credentials")
    descriptors = submission.get("descriptor_map") if isinstance(submission, dict) else None
    if not isinstance(descriptors, list):
        raise Refused("MALFORMED", "presentation_submission has no descriptor_map")
    presentations: dict[str, str] = {}
    for descriptor in descriptors:
        query_id = descriptor.get("id") if isinstance(descriptor, dict) else None
        path = descriptor.get("path") if isinstance(descriptor, dict) else None
        index = 0 if path == "$" else _index(path)
        if query_id not in wanted or query_id in presentations or index is None or index >= len(items):
            raise Refused(
                r.QUERY_UNANSWERED, f"descriptor {descriptor!r} does not map a requested credential"
            )
        if not isinstance(items[index], str):
            raise Refused("MALFORMED", f"the presentation at {path} is not a string")
        presentations[query_id] = items[index]
    if set(presentations) != set(wanted):
        raise Refused(
            r.QUERY_UNANSWERED, f"the submission answers {sorted(presentations)}, not {sorted(wanted)}"
        )
    return presentations


def _index(path: Any) -> int | None:
    digits = path[2:-1] if isinstance(path, str) and path.startswith("$[") and path.endswith("]") else ""
    if digits.isascii() and digits.isdigit() and len(digits) <= 9:  # isdigit alone accepts "³"
        return int(digits)
    return None


def _check_one_holder(trusted: list[TrustedCredential], login: SelfIssuedLogin | None) -> None:
    """Every credential, and the SIOP login, belong to one holder key."""
    identities = {_holder_identity(credential.holder_jwk, credential.holder) for credential in trusted}
    if login is not None:
        identities.add(_holder_identity(login.jwk, login.subject))
    if len(identities) > 1:
        raise Refused(r.HOLDER_MISMATCH, "the credentials and the login are not bound to the same holder key")


def _holder_identity(jwk: dict[str, Any] | None, did: str) -> str:
    if jwk is not None:
        return "jwk:" + jwk_thumbprint(jwk)
    return "jwk:" + jwk_thumbprint(resolve_holder_key(did).jwk)


def _refusal(refusal: Refused, query_id: str | None = None) -> dict[str, str]:
    entry = {"code": refusal.reason, "message": refusal.message}
    if query_id is not None:
        entry["credentialQuery"] = query_id
    return entry


def _result(
    ctx: VerifierContext, template: VerifierTemplate, session: Session, verdict: _Verdict, now: int
) -> dict[str, Any]:
    """The DWVP-01-201 body (plus ``reasons`` and, for a login, the access token)."""
    ok = not verdict.refusals
    holder = (
        verdict.login.subject if verdict.login else (verdict.trusted[0].holder if verdict.trusted else "")
    )
    result: dict[str, Any] = {
        "holder_did": holder if ok else "",
        "verifyResult": ok,
        "resultDescription": "success"
        if ok
        else "; ".join(f"{x['code']}: {x['message']}" for x in verdict.refusals),
        "transactionId": session.transaction_id,
        "data": [_disclosed(template, credential) for credential in verdict.trusted] if ok else [],
        "reasons": verdict.refusals,
        "trustSource": ctx.source.describe(),
        "presentedAt": datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z"),
    }
    if ok and template.access_token is not None and verdict.login is not None:
        result.update(
            mint_access_token(
                ctx.key,
                issuer=ctx.config.did,
                subject=verdict.login.subject,
                policy=template.access_token,
                credentials=verdict.trusted,
                now=now,
            )
        )
    return result


def _disclosed(template: VerifierTemplate, credential: TrustedCredential) -> dict[str, Any]:
    query = next(q for q in template.credentials if q.id == credential.query_id)
    names = {claim.ename: claim.cname for claim in query.claims}
    if not names:
        names = {name: "" for name in credential.claims}
    return {
        "credentialType": credential.credential_type,
        "issuer": credential.issuer,
        "claims": [
            {"ename": ename, "cname": cname, "value": credential.claims[ename]}
            for ename, cname in names.items()
            if ename in credential.claims
        ],
    }

"""The authorization response (OID4VP 1.0 §8): the presentations, built and then posted apart.

Every presentation is bound to the request's ``client_id`` (prefix included) and ``nonce``:
SD-JWT VCs as SD-JWT+KB keeping only the chosen disclosures, ``jwt_vc_json`` inside a VP-JWT.
Final profile: ``vp_token`` is ``{"<query id>": ["<presentation>"]}``; twdiw: the presentation
itself (a JSON array when several) with a ``presentation_submission``. A SIOP request also gets a
self-issued ``id_token``. The response is posted as a form to ``response_uri`` (``direct_post``),
redirects not followed. A ``redirect_uri`` in the verifier's answer (same-device flow, OID4VP 1.0
§8.2: it carries the ``response_code`` the relying party's page needs to read the result) is where
the holder's user agent must go next; it is passed on only if it is an https URL (http on a
loopback host), never a ``javascript:`` or other scheme a hostile verifier could slip in.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from api.credentials.jwt_vc import create_vp_jwt
from api.credentials.sd_jwt import present
from api.wallet.authorization import PresentationRequest
from api.wallet.errors import WalletError
from api.wallet.http import is_loopback, json_body
from api.wallet.keystore import Holder
from api.wallet.matching import Match
from api.wallet.received import SD_JWT_FORMATS
from api.wallet.siop import self_issued_id_token

BUILD_STEP = "presentation"
POST_STEP = "presentation response"


@dataclass
class PresentationResponse:
    """The form fields to post to the request's ``response_uri`` (``vp_token``,
    ``presentation_submission``, ``id_token``, ``state``); they may be changed before posting."""

    fields: dict[str, str]


@dataclass(frozen=True)
class PresentationOutcome:
    """The verifier's answer: HTTP status, JSON body (None if not JSON), and the ``redirect_uri``
    the holder's user agent must be sent to, if any (``unsafe_redirect``: one that was not an
    https URL, not to be opened)."""

    status: int
    body: dict[str, Any] | None
    redirect_uri: str | None
    unsafe_redirect: str | None = None

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error(self) -> str | None:
        value = (self.body or {}).get("error")
        return value if isinstance(value, str) else None

    def describe(self) -> str:
        """One line: received, or the verifier's OAuth error and description.

        A verifier answers 200 to every response it processed, trusted or not (OID4VP 1.0 §8.2):
        whether it trusted the presentation is the relying party's result, not the wallet's to know.
        """
        if self.accepted:
            unsafe = (
                f"; the verifier's redirect_uri {self.unsafe_redirect[:100]!r} is not an https URL "
                "and was not followed"
                if self.unsafe_redirect
                else ""
            )
            return (
                "the verifier received the presentation; whether it is trusted is the relying "
                "party's result"
                + (f"; continue at {self.redirect_uri}" if self.redirect_uri else "")
                + unsafe
            )
        description = (self.body or {}).get("error_description")
        detail = ": ".join(str(x) for x in (self.error, description) if x) or "no explanation"
        return f"the verifier refused the presentation (HTTP {self.status}): {detail}"


def _presentation(match: Match, request: PresentationRequest, holder: Holder, now: float | None) -> str:
    issued_at = None if now is None else int(now)
    credential = match.credential
    try:
        if credential.format in SD_JWT_FORMATS:
            return present(
                credential.raw,
                disclose=match.disclose,
                holder=holder.key,
                audience=request.client_id,
                nonce=request.nonce,
                issued_at=issued_at,
            )
        return create_vp_jwt(
            holder.key, [credential.raw], audience=request.client_id, nonce=request.nonce, issued_at=issued_at
        )
    except ValueError as exc:
        raise WalletError(BUILD_STEP, f"credential {credential.id} for {match.query_id!r}: {exc}") from None


def _submission(request: PresentationRequest, matches: list[Match]) -> dict[str, Any]:
    definition = request.presentation_definition or {}
    single = len(matches) == 1
    return {
        "id": str(uuid.uuid4()),
        "definition_id": definition.get("id"),
        "descriptor_map": [
            {"id": match.query_id, "format": match.format, "path": "$" if single else f"$[{index}]"}
            for index, match in enumerate(matches)
        ],
    }


def build_response(
    request: PresentationRequest, matches: list[Match], holder: Holder, *, now: float | None = None
) -> PresentationResponse:
    """The response fields for ``matches`` (from ``matching``), without sending anything."""
    presentations = [_presentation(match, request, holder, now) for match in matches]
    fields: dict[str, str] = {}
    if request.query is not None:
        if request.profile == "twdiw":
            single = len(presentations) == 1
            fields["vp_token"] = presentations[0] if single else json.dumps(presentations)
            fields["presentation_submission"] = json.dumps(_submission(request, matches))
        else:
            token = {match.query_id: [p] for match, p in zip(matches, presentations, strict=True)}
            fields["vp_token"] = json.dumps(token)
    if request.siop:
        fields["id_token"] = self_issued_id_token(
            holder, audience=request.client_id, nonce=request.nonce, now=now
        )
    if request.state is not None:
        fields["state"] = request.state
    return PresentationResponse(fields)


def error_response(request: PresentationRequest, error: str, description: str) -> PresentationResponse:
    """An error response (e.g. ``access_denied`` when the holder declines)."""
    fields = {"error": error, "error_description": description}
    if request.state is not None:
        fields["state"] = request.state
    return PresentationResponse(fields)


def post_response(client: httpx.Client, url: str, response: PresentationResponse) -> PresentationOutcome:
    """POST the fields as a form to ``url`` (the response_uri; no redirects followed); any HTTP
    answer is an outcome, only transport failures and redirects raise ``WalletError``."""
    try:
        answer = client.post(
            url, data=response.fields, headers={"Accept": "application/json"}, follow_redirects=False
        )
    except httpx.HTTPError as exc:
        raise WalletError(POST_STEP, f"cannot reach {url}: {exc}") from None
    if answer.is_redirect:
        raise WalletError(
            POST_STEP, f"{url} answered HTTP {answer.status_code} (a redirect; the wallet does not follow it)"
        )
    body = json_body(answer)
    body = body if isinstance(body, dict) else None
    redirect = (body or {}).get("redirect_uri")
    if not isinstance(redirect, str) or not redirect:
        return PresentationOutcome(answer.status_code, body, None)
    if not _safe_redirect(redirect):
        return PresentationOutcome(answer.status_code, body, None, unsafe_redirect=redirect)
    return PresentationOutcome(answer.status_code, body, redirect)


def _safe_redirect(url: str) -> bool:
    """An absolute https URL (http on a loopback host) with no spaces or control characters."""
    if any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in url):
        return False
    parts = urlsplit(url)
    if not parts.netloc or parts.scheme not in ("https", "http"):
        return False
    return parts.scheme == "https" or is_loopback(parts.hostname)

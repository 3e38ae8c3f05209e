"""HTTP plumbing shared by every route: freshness, ETag / 304, Cache-Control, error bodies."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response

from projections.api import FollowerStatus, Freshness, TrustViews
from resolver.did_syntax import xml_datetime
from resolver.errors import ErrorCode, diw_error_body, problem, resolution_error_body
from resolver.media import error_style
from trust_ledger.store import STORE_UNAVAILABLE, first_line

log = logging.getLogger(__name__)

CURRENT_CACHE = "public, max-age=10"
"""Current answers change with the next block."""
VERSIONED_CACHE = "public, max-age=3600"
"""Answers pinned to a version or a time (versionId, versionTime, asOf) and static DIDs."""
ERROR_CACHE = "no-cache"

PROBLEM_JSON = "application/problem+json"
JSON = "application/json"

IDENTIFIER_PREFIXES = ("/1.0/identifiers/", "/api/did/v1/identifiers/")
HOLDS_UNTIL = "trust_ledger.holds_until"
"""The ASGI scope key a resolution route sets to its answer's Resolution.holds_until, for
resolver.hot_path (an answer without it holds for the second it was read in)."""
TIL_PREFIX = "/v4/"
DIW_PREFIX = "/api/did/"


@dataclass(frozen=True)
class LedgerState:
    """How fresh an answer is: what the views reflect, whether the chain answers, and what the
    following process last reported beside the views (None when none ever did)."""

    freshness: Freshness | None
    chain_reachable: bool | None
    follower: FollowerStatus | None = None

    @property
    def halted(self) -> bool:
        return self.follower is not None and self.follower.halted

    def health_body(self) -> dict[str, Any]:
        """The /health answer: "degraded" when the chain is unreachable, the follower halted or the
        views are unreadable; the follower's last report (with the halt's block and reason)."""
        degraded = self.chain_reachable is False or self.freshness is None or self.halted
        return {
            "status": "degraded" if degraded else "ok",
            "freshness": self.as_json(),
            "chainReachable": self.chain_reachable,
            "halted": self.halted,
            "follower": self.follower.as_json() if self.follower else None,
        }

    def as_json(self) -> dict[str, Any]:
        f = self.freshness
        return {
            "position": f.position if f else None,
            "blockNumber": f.block_number if f else None,
            "blockTime": xml_datetime(f.block_time) if f else None,
            "chainReachable": self.chain_reachable,
        }

    def headers(self) -> dict[str, str]:
        f = self.freshness
        headers: dict[str, str] = {}
        if f is not None and f.block_number is not None:
            headers["X-Ledger-Block"] = str(f.block_number)
        if f is not None and f.block_time is not None:
            headers["X-Ledger-Block-Time"] = xml_datetime(f.block_time) or ""
        if f is not None and f.position is not None:
            headers["X-Ledger-Position"] = str(f.position)
        headers["X-Chain-Reachable"] = (
            "unknown" if self.chain_reachable is None else str(self.chain_reachable).lower()
        )
        return headers


def ledger_state(views: TrustViews, chain_status: Callable[[], bool] | None) -> LedgerState:
    """Freshness and the follower's status from the views, and the chain's reachability; never raises."""
    freshness: Freshness | None = _read(views, "freshness")
    follower: FollowerStatus | None = _read(views, "follower_status") if freshness is not None else None
    reachable: bool | None = None
    if chain_status is not None:
        try:
            reachable = bool(chain_status())
        except Exception:
            log.warning("chain status check failed; reporting the chain as unreachable", exc_info=True)
            reachable = False
    return LedgerState(freshness, reachable, follower)


def _read(views: TrustViews, query: str) -> Any:
    """The answer of views query `query`; its failure (the store unavailable) reads as unknown, None."""
    try:
        return getattr(views, query)()
    except STORE_UNAVAILABLE as error:
        log.warning("TrustViews.%s(): the store is unavailable: %s", query, first_line(error))
    except Exception:
        log.exception("TrustViews.%s() failed", query)
    return None


def encode_json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def etag_of(payload: bytes) -> str:
    return '"' + hashlib.sha256(payload).hexdigest() + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    candidates = [c.strip() for c in if_none_match.split(",")]
    return any(c.removeprefix("W/") == etag for c in candidates)


def json_response(
    request: Request,
    body: Any,
    *,
    state: LedgerState,
    status: int = 200,
    content_type: str = JSON,
    cache_control: str = CURRENT_CACHE,
    headers: dict[str, str] | None = None,
) -> Response:
    """A JSON answer with freshness headers; 200s get an ETag and honour If-None-Match (304)."""
    payload = encode_json(body)
    all_headers = {**state.headers(), "Cache-Control": cache_control, **(headers or {})}
    if status == 200:
        etag = etag_of(payload)
        all_headers["ETag"] = etag
        if_none_match = request.headers.get("if-none-match")
        if if_none_match and _matches(if_none_match, etag):
            return Response(status_code=304, headers=all_headers)
    return Response(content=payload, status_code=status, media_type=content_type, headers=all_headers)


def error_response(request: Request, code: ErrorCode, detail: str, state: LedgerState) -> Response:
    """The error in the style of the API the request went to."""
    path = request.url.path
    headers = {**state.headers(), "Cache-Control": ERROR_CACHE}
    body: Any
    if path.startswith(IDENTIFIER_PREFIXES):
        style = error_style(request.headers.get("accept"))
        body = resolution_error_body(code, detail, legacy=style.legacy)
        body["didResolutionMetadata"]["ledger"] = state.as_json()
        content_type = style.error_content_type
        headers["Vary"] = "Accept"
    elif path.startswith(DIW_PREFIX):
        body, content_type = diw_error_body(code, detail), JSON
    elif path.startswith(TIL_PREFIX):
        body = {**problem(code, detail, with_status=True), "instance": str(request.url)}
        content_type = JSON
    else:
        body = {**problem(code, detail, with_status=True), "instance": path}
        content_type = PROBLEM_JSON
    return Response(
        content=encode_json(body), status_code=code.status, media_type=content_type, headers=headers
    )

"""Registered-claim checks shared by every token type: validity period, iat freshness, aud, nonce.

All times are NumericDate seconds; ``now`` is injectable so tests never sleep. A NumericDate from a
token (``numeric_date``: iat, exp, nbf, and every other time claim read) is checked before any
arithmetic on it: a JSON number (int, or a float as RFC 7519 allows) that is finite and within
``[0, MAX_NUMERIC_DATE]``; ``1e400`` (infinity), ``NaN``, ``-1`` or ``1e300`` are ``ClaimMissing``
("not a NumericDate"), never an OverflowError.
"""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Mapping
from typing import Any

from api.credentials.errors import (
    AudienceMismatch,
    ClaimMissing,
    Expired,
    IatInvalid,
    NonceMismatch,
    NotYetValid,
)


def current_time(now: float | None = None) -> int:
    """``now`` as whole seconds, defaulting to the wall clock."""
    return int(time.time() if now is None else now)


MAX_NUMERIC_DATE = 253402300799
"""9999-12-31T23:59:59Z, the last second a datetime (and an ISO 8601 date) can name."""


def numeric_date(claims: Mapping[str, Any], name: str, *, required: bool) -> int | None:
    """A NumericDate claim as whole seconds, or ``ClaimMissing``: absent (when ``required``), not a
    number (bool is not), not finite, or outside ``[0, MAX_NUMERIC_DATE]``."""
    value = claims.get(name)
    if value is None:
        if required:
            raise ClaimMissing(f"claim {name!r} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClaimMissing(f"claim {name!r} is not a NumericDate")
    if not (math.isfinite(value) and 0 <= value <= MAX_NUMERIC_DATE):
        raise ClaimMissing(f"claim {name!r} is not a NumericDate in [0, {MAX_NUMERIC_DATE}]: {value!r:.40}")
    return int(value)


def check_validity(
    claims: Mapping[str, Any], *, now: float | None = None, leeway: int = 0, require_exp: bool = False
) -> None:
    """``exp`` (must be after now) and ``nbf`` (must not be after now), each with ``leeway`` seconds;
    ``iat``, when present, must be a NumericDate too (callers read it as the issuance time)."""
    at = current_time(now)
    numeric_date(claims, "iat", required=False)
    exp = numeric_date(claims, "exp", required=require_exp)
    if exp is not None and at >= exp + leeway:
        raise Expired(f"expired at {exp} (now {at})")
    nbf = numeric_date(claims, "nbf", required=False)
    if nbf is not None and at + leeway < nbf:
        raise NotYetValid(f"not valid before {nbf} (now {at})")


def check_iat(claims: Mapping[str, Any], *, now: float | None = None, max_age: int, max_future: int) -> int:
    """``iat`` is required and must lie in ``[now - max_age, now + max_future]``."""
    at = current_time(now)
    try:
        iat = numeric_date(claims, "iat", required=True)
    except ClaimMissing as exc:
        raise IatInvalid(str(exc)) from None
    assert iat is not None
    if iat < at - max_age:
        raise IatInvalid(f"iat {iat} is older than {max_age}s (now {at})")
    if iat > at + max_future:
        raise IatInvalid(f"iat {iat} is more than {max_future}s in the future (now {at})")
    return iat


def check_audience(claims: Mapping[str, Any], expected: str, *, allow_list: bool = True) -> None:
    """``aud`` equals ``expected`` (or, with ``allow_list``, is an array containing it)."""
    aud = claims.get("aud")
    if isinstance(aud, str) and aud == expected:
        return
    if allow_list and isinstance(aud, list) and expected in aud:
        return
    raise AudienceMismatch(f"aud {aud!r} is not {expected!r}")


def check_nonce(claims: Mapping[str, Any], expected: str) -> None:
    """``nonce`` equals ``expected`` (constant-time compare)."""
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not hmac.compare_digest(nonce.encode(), expected.encode()):
        raise NonceMismatch("nonce does not match")

"""The organisation back end's ``Access-Token`` header, compared in constant time.

Shared by the issuer and the verifier: each app puts its tokens in ``app.state.access_tokens``.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from api.issuer import errors as e
from api.issuer.errors import DiwError


def require_access_token(request: Request) -> None:
    """FastAPI dependency for the /api/ routes: 401 unless the header matches a configured token."""
    presented = request.headers.get("Access-Token")
    if not presented:
        raise DiwError(e.UNAUTHORIZED, "the Access-Token header is required", 401)
    tokens = request.app.state.access_tokens
    matched = False
    for token in tokens:  # no early exit: the time taken does not depend on which token matched
        matched |= hmac.compare_digest(presented.encode(), token.encode())
    if not matched:
        raise DiwError(e.UNAUTHORIZED, "the Access-Token is not valid", 401)

"""DIDs that carry their own document (did:key, did:jwk, did:pkh), resolved offline by didkit 0.3.3.

didkit 0.3.3's ``resolve_did(did, options_json)`` returns an awaitable that must be created
inside a running event loop; the HTTP routes run in worker threads, so each call gets its own
short-lived loop (or a helper thread if the caller already runs one).
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import didkit

from resolver.errors import ErrorCode, ResolverError

FOREIGN_METHODS = frozenset({"key", "jwk", "pkh"})
"""Methods resolved by didkit without any network access."""

_DIDKIT_ERRORS = {
    "invalidDid": ErrorCode.INVALID_DID,
    "notFound": ErrorCode.NOT_FOUND,
    "methodNotSupported": ErrorCode.METHOD_NOT_SUPPORTED,
    "representationNotSupported": ErrorCode.REPRESENTATION_NOT_SUPPORTED,
}


async def _resolve(did: str) -> str:
    result: str = await didkit.resolve_did(did, "{}")
    return result


def _run(did: str) -> str:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_resolve(did))
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _resolve(did)).result()


def resolve_foreign(did: str) -> dict[str, Any]:
    """The DID document didkit derives from `did`; didkit's errors become ResolverErrors."""
    if did.split(":", 2)[1] not in FOREIGN_METHODS:
        raise ResolverError(ErrorCode.METHOD_NOT_SUPPORTED, f"{did} is not resolved by didkit here")
    try:
        text = _run(did)
    except didkit.DIDKitException as error:  # type: ignore[misc]  # didkit.pyi types it as no exception
        message = str(error)
        code = _DIDKIT_ERRORS.get(message.strip(), ErrorCode.INTERNAL_ERROR)
        if code is ErrorCode.NOT_FOUND and did.startswith(("did:key:", "did:jwk:")):
            code = ErrorCode.INVALID_DID  # these methods cannot "not exist": the identifier is malformed
        raise ResolverError(code, f"didkit could not resolve {did}: {message}") from None
    document = json.loads(text)
    if not isinstance(document, dict) or document.get("id") != did:
        raise ResolverError(ErrorCode.INVALID_DID_DOCUMENT, f"didkit returned no document for {did}")
    return document

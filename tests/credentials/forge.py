"""Attack-token helpers for negative tests: unsigned, re-headed, HMAC-with-public-key, tampered."""

from __future__ import annotations

import json
from typing import Any

from joserfc import jws
from joserfc.jwk import OctKey
from joserfc.jws import JWSRegistry

from trust_ledger.codecs import b64url_decode, b64url_encode


def b64json(value: Any) -> str:
    return b64url_encode(json.dumps(value, separators=(",", ":")).encode())


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload)), signature


def unsigned(header: dict[str, Any], payload: dict[str, Any]) -> str:
    """An ``alg: none`` style token: header.payload. with an empty signature."""
    return f"{b64json(header)}.{b64json(payload)}."


def with_header(token: str, **changes: Any) -> str:
    """The same payload and signature under a modified header (signature no longer matches)."""
    header, _payload, signature = parts(token)
    header.update(changes)
    return f"{b64json(header)}.{token.split('.')[1]}.{signature}"


def with_payload(token: str, **changes: Any) -> str:
    """The same header and signature over a modified payload."""
    _header, payload, signature = parts(token)
    payload.update(changes)
    return f"{token.split('.')[0]}.{b64json(payload)}.{signature}"


def flip_signature(token: str) -> str:
    """Flip one bit in the signature."""
    head, body, signature = token.split(".")
    raw = bytearray(b64url_decode(signature))
    raw[0] ^= 0x01
    return f"{head}.{body}.{b64url_encode(bytes(raw))}"


def hs256_with_public_key(header: dict[str, Any], payload: dict[str, Any], public_jwk: dict[str, Any]) -> str:
    """The key-confusion attack: a real HS256 MAC keyed with the verifier's public JWK JSON."""
    secret = OctKey.import_key(json.dumps(public_jwk).encode())
    protected = {**header, "alg": "HS256"}
    return jws.serialize_compact(
        protected, json.dumps(payload).encode(), secret, registry=JWSRegistry(algorithms=["HS256"])
    )

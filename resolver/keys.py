"""Key material stored on chain → verification-method material, never leaking private parts.

- ``JsonWebKey2020``: the stored bytes are a UTF-8 JWK; only public members are kept.
- ``Multikey``: the stored bytes are a multicodec-prefixed raw public key; the material is
  ``'z' + base58btc`` of those bytes. Secret-key headers and unknown headers are refused.

The codecs (JWK members, multicodec table, multibase) are the core's, ``trust_ledger.codecs``.
"""

from __future__ import annotations

import json
from typing import Any

from trust_ledger.codecs import (
    BASE58BTC,
    JWK_JCS_PUB,
    CodecError,
    multibase_encode,
    public_jwk,
    split_key_multicodec,
)

KeyMaterialError = CodecError
"""Stored key material that cannot be published as a verification method (the core's CodecError:
a bad JWK found by ``public_jwk`` is one too)."""


def hex_bytes(public_key: str) -> bytes:
    text = public_key[2:] if public_key.lower().startswith("0x") else public_key
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise KeyMaterialError("key material is not hex") from None


def jwk_from_hex(public_key: str) -> dict[str, Any]:
    """The public JWK stored as 0x-hex of its UTF-8 JSON."""
    try:
        jwk = json.loads(hex_bytes(public_key).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise KeyMaterialError("key material is not a UTF-8 JSON JWK") from None
    return public_jwk(jwk)


def multibase_from_hex(public_key: str) -> str:
    """``publicKeyMultibase`` ('z' + base58btc) of a stored multicodec-prefixed public key."""
    raw = hex_bytes(public_key)
    codec, _key = split_key_multicodec(raw)
    if codec is JWK_JCS_PUB:
        raise KeyMaterialError("a jwk_jcs-pub key is not a Multikey: publish the JWK as JsonWebKey2020")
    return multibase_encode(raw, BASE58BTC)

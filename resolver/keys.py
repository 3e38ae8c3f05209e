"""Key material stored on chain → verification-method material, never leaking private parts.

- ``JsonWebKey2020``: the stored bytes are a UTF-8 JWK; only public members are kept.
- ``Multikey``: the stored bytes are a multicodec-prefixed raw public key; the material is
  ``'z' + base58btc`` of those bytes. Secret-key headers and unknown headers are refused.
"""

from __future__ import annotations

import json
from typing import Any

import base58

JWK_PUBLIC_MEMBERS = frozenset(
    {"kty", "crv", "x", "y", "n", "e", "alg", "use", "key_ops", "kid", "x5c", "x5t", "x5t#S256", "x5u"}
)
"""RFC 7517/7518/8037 members that never carry secret material (an allow-list, not a deny-list)."""

ASYMMETRIC_KTY = frozenset({"EC", "OKP", "RSA"})

MULTICODEC_PUBLIC = {
    bytes.fromhex("ed01"): ("ed25519-pub", 32),
    bytes.fromhex("ec01"): ("x25519-pub", 32),
    bytes.fromhex("e701"): ("secp256k1-pub", 33),
    bytes.fromhex("8024"): ("p256-pub", 33),
    bytes.fromhex("8124"): ("p384-pub", 49),
    bytes.fromhex("8224"): ("p521-pub", None),
    bytes.fromhex("8524"): ("rsa-pub", None),
}
"""Multicodec varint headers of public keys, with the expected key length where fixed."""

MULTICODEC_SECRET = {bytes([n, 0x26]) for n in range(0x80, 0x89)}
"""ed25519-priv (0x1300) … p521-priv (0x1308): varints 0x80 0x26 … 0x88 0x26."""


class KeyMaterialError(ValueError):
    """Stored key material that cannot be published as a verification method."""


def hex_bytes(public_key: str) -> bytes:
    text = public_key[2:] if public_key.lower().startswith("0x") else public_key
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise KeyMaterialError("key material is not hex") from None


def public_jwk(jwk: Any) -> dict[str, Any]:
    """The public members of a JWK; refuses symmetric and unknown key types."""
    if not isinstance(jwk, dict):
        raise KeyMaterialError("JWK is not a JSON object")
    kty = jwk.get("kty")
    if kty not in ASYMMETRIC_KTY:
        raise KeyMaterialError(f"JWK kty {kty!r} is not a public-key type")
    return {name: value for name, value in jwk.items() if name in JWK_PUBLIC_MEMBERS}


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
    header = raw[:2]
    if header in MULTICODEC_SECRET:
        raise KeyMaterialError("multicodec header of a secret key")
    known = MULTICODEC_PUBLIC.get(header)
    if known is None:
        raise KeyMaterialError(f"unknown multicodec header 0x{header.hex()}")
    name, length = known
    if length is not None and len(raw) - 2 != length:
        raise KeyMaterialError(f"{name} key of {len(raw) - 2} bytes, expected {length}")
    return "z" + base58.b58encode(raw).decode("ascii")

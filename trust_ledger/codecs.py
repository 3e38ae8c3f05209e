"""The byte and key codecs every layer shares: base64url, multibase, unsigned varint, multicodec, JWK.

One home for each (issue 17): the credential layer, the status lists, the resolver and the CLI
import them from here. Everything is pure (no I/O, nothing else from the repository, so every layer
and a fast CLI can use it) and refuses malformed or secret input with ``CodecError``, a
``ValueError`` saying what is wrong; callers translate it into their own error (``DidInvalid``,
``StatusCodecError``, a CLI usage error, an HTTP 400).

- base64url: RFC 4648 §5 without padding (RFC 7515 §2), decoded strictly; status lists, which
  arrive in either Base64 alphabet, padded or not, have their own lenient decoder.
- multibase: base58btc (``z``) and base64url (``u``).
- multicodec: the public-key codecs of the multicodec table (multiformats/multicodec table.csv),
  headed by their unsigned varint; private-key codecs are refused by name.
- JWK: the public members of a key (an allow-list), its RFC 7638 required members, and the
  ``jwk_jcs-pub`` serialisation (RFC 8785 JCS of the required members).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import base58


class CodecError(ValueError):
    """Input that is not in the encoding it claims (base64url, multibase, varint, multicodec, JWK),
    or key material that must not be published (a private key)."""


class UnknownMulticodec(CodecError):
    """A multicodec code that is not in our table of public-key codecs (and not a secret key's)."""


# ------------------------------------------------------------------------------------ base64url

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url: the URL-safe alphabet only, no padding, no white space, no length that
    cannot be base64 (4n + 1 characters); anything else is ``CodecError``."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise CodecError("not base64url (RFC 4648 §5 alphabet, no padding)")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise CodecError("not base64url (RFC 4648 §5 alphabet, no padding)") from None


def b64decode_lenient(text: str) -> bytes:
    """Either Base64 alphabet (standard or URL-safe), padded or not, as status lists are written by
    the W3C, the IETF and TW DIW; any other character is ``CodecError``."""
    text = text.replace("+", "-").replace("/", "_").rstrip("=")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as error:
        raise CodecError(f"not base64: {error}") from None


# ------------------------------------------------------------------------------------ multibase

BASE58BTC = "z"
BASE64URL = "u"
_MULTIBASE_NAMES = {BASE58BTC: "base58btc", BASE64URL: "base64url"}


def multibase_encode(data: bytes, base: str = BASE58BTC) -> str:
    """``data`` as multibase: ``z`` + base58btc (the default) or ``u`` + base64url."""
    if base == BASE58BTC:
        return BASE58BTC + base58.b58encode(data).decode("ascii")
    if base == BASE64URL:
        return BASE64URL + b64url_encode(data)
    raise CodecError(f"multibase {base!r} is not supported (z, u)")


def multibase_decode(text: str, bases: str = BASE58BTC + BASE64URL) -> bytes:
    """The bytes of a multibase string in one of ``bases`` (default ``z`` and ``u``); an empty
    payload, another base or a character outside the base's alphabet is ``CodecError``."""
    if not isinstance(text, str) or len(text) < 2 or text[0] not in bases:
        names = " or ".join(f"{_MULTIBASE_NAMES[b]} ({b!r})" for b in bases)
        raise CodecError(f"not {names} multibase")
    if text[0] == BASE64URL:
        return b64url_decode(text[1:])
    try:
        return base58.b58decode(text[1:])
    except ValueError:
        raise CodecError("not valid base58btc") from None


# ------------------------------------------------------------------------------ unsigned varint

_VARINT_MAX_BYTES = 9
"""The multiformats unsigned-varint limit (63 bits)."""


def varint_encode(value: int) -> bytes:
    """The unsigned LEB128 varint of ``value`` (multiformats unsigned-varint)."""
    if value < 0 or value >= 1 << 63:
        raise CodecError(f"{value} is outside the unsigned varint range")
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def varint_decode(data: bytes) -> tuple[int, int]:
    """``(value, length)`` of the unsigned varint at the start of ``data``; a truncated, over-long
    (more than 9 bytes) or non-minimal encoding is ``CodecError``."""
    value = 0
    for index, byte in enumerate(data[:_VARINT_MAX_BYTES]):
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            if byte == 0 and index > 0:
                raise CodecError("varint is not minimally encoded")
            return value, index + 1
    raise CodecError("truncated or over-long varint")


# ----------------------------------------------------------------------------------- multicodec


@dataclass(frozen=True)
class KeyCodec:
    """A public-key codec of the multicodec table."""

    name: str
    code: int
    length: int | None
    """The key's length in bytes where it is fixed (EC keys are compressed points), else None."""
    crv: str | None
    """The JWK ``crv`` of a raw key codec; None for RSA and for a JWK (jwk_jcs-pub)."""

    @property
    def header(self) -> bytes:
        """The varint that heads a key of this codec."""
        return varint_encode(self.code)


JWK_JCS_PUB = KeyCodec("jwk_jcs-pub", 0xEB51, None, None)
"""``jwk_jcs-pub``, code 0xeb51 (varint d1 d6 03): the JCS of a JWK's required members. The code is
0xeb51 in the multicodec table (table.csv: "jwk_jcs-pub, key, 0xeb51, draft") and in EBSI's
@cef-ebsi/key-did-resolver ("the jwk_jcs-pub public key type (code: 0xeb51)"); issue 15's "0xd1d6" is
the first two bytes of its varint, as our old error message printed them, not another code."""

PUBLIC_KEY_CODECS: dict[int, KeyCodec] = {
    codec.code: codec
    for codec in (
        KeyCodec("ed25519-pub", 0xED, 32, "Ed25519"),
        KeyCodec("x25519-pub", 0xEC, 32, "X25519"),
        KeyCodec("secp256k1-pub", 0xE7, 33, "secp256k1"),
        KeyCodec("p256-pub", 0x1200, 33, "P-256"),
        KeyCodec("p384-pub", 0x1201, 49, "P-384"),
        KeyCodec("p521-pub", 0x1202, None, "P-521"),
        KeyCodec("rsa-pub", 0x1205, None, None),
        JWK_JCS_PUB,
    )
}
"""The public-key codecs we read and write, by code."""

SECRET_KEY_CODES = frozenset(
    {
        *range(0x1300, 0x1304),  # ed25519-priv, secp256k1-priv, x25519-priv, sr25519-priv
        *range(0x1305, 0x130C),  # rsa-priv, p256-priv, p384-priv, p521-priv, bls12_381-g1/g2/g1g2-priv
        0x130E,  # bls12_381-g1-priv-share
        0x130F,  # bls12_381-g2-priv-share
        *range(0x1310, 0x131D),  # sm2, ed448, x448, mlkem-*, jwk_jcs-priv (0x1316), mldsa-* private keys
        0x1341,  # bip340-priv
        *range(0x1A24, 0x1A27),  # lamport-sha3-*-priv
        *range(0x1A34, 0x1A37),  # lamport-sha3-*-priv-share
    }
)
"""Every private-key code of the multicodec table: refused as a secret, never published."""


def split_key_multicodec(data: bytes) -> tuple[KeyCodec, bytes]:
    """``(codec, key bytes)`` of multicodec-prefixed public key bytes; a secret-key code, an unknown
    code (``UnknownMulticodec``) or a raw key of the wrong length is ``CodecError``."""
    code, used = varint_decode(data)
    if code in SECRET_KEY_CODES:
        raise CodecError("multicodec header of a secret key")
    codec = PUBLIC_KEY_CODECS.get(code)
    if codec is None:
        raise UnknownMulticodec(f"unknown multicodec header 0x{code:x}")
    body = data[used:]
    if codec.length is not None and len(body) != codec.length:
        raise CodecError(f"{codec.name} key of {len(body)} bytes, expected {codec.length}")
    return codec, body


# ------------------------------------------------------------------------------------------ JWK

PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "k", "oth"})
"""RFC 7518 members that carry secret material."""

PUBLIC_JWK_MEMBERS = frozenset(
    {"kty", "crv", "x", "y", "n", "e", "alg", "use", "key_ops", "kid", "x5c", "x5t", "x5t#S256", "x5u"}
)
"""RFC 7517/7518/8037 members that never carry secret material (an allow-list, not a deny-list)."""

REQUIRED_JWK_MEMBERS: dict[str, tuple[str, ...]] = {
    "EC": ("kty", "crv", "x", "y"),
    "OKP": ("kty", "crv", "x"),
    "RSA": ("kty", "n", "e"),
}
"""The members that define a public key (RFC 7638 §3.2, RFC 8037 §2), per asymmetric ``kty``, in the
order our JWKs are written: did:jwk identifiers are the compact JSON in this order."""


def private_jwk_members(jwk: Mapping[str, Any]) -> set[str]:
    """The secret-bearing members ``jwk`` carries (empty for a public JWK)."""
    return set(PRIVATE_JWK_MEMBERS & set(jwk))


def public_jwk(jwk: Any) -> dict[str, Any]:
    """The public members of an asymmetric JWK, private or not: every member on the allow-list
    (``alg``, ``kid``, ``x5c``... kept). A non-object or a symmetric or unknown ``kty`` is ``CodecError``."""
    if not isinstance(jwk, Mapping):
        raise CodecError("JWK is not a JSON object")
    kty = jwk.get("kty")
    if kty not in REQUIRED_JWK_MEMBERS:
        raise CodecError(f"JWK kty {kty!r} is not a public-key type")
    return {name: value for name, value in jwk.items() if name in PUBLIC_JWK_MEMBERS}


def required_jwk(jwk: Any) -> dict[str, Any]:
    """Only the key-defining members of an asymmetric JWK (kty, crv, x, y / kty, n, e), those it has."""
    if not isinstance(jwk, Mapping):
        raise CodecError("JWK is not a JSON object")
    members = REQUIRED_JWK_MEMBERS.get(jwk.get("kty"))  # type: ignore[arg-type]
    if members is None:
        raise CodecError(f"JWK kty {jwk.get('kty')!r} is not a public-key type")
    return {name: jwk[name] for name in members if name in jwk}


def jwk_jcs(jwk: Mapping[str, Any]) -> bytes:
    """The ``jwk_jcs-pub`` body of a key: RFC 8785 (JCS) of its required members.

    Every required member is a registered name or base64url, so printable ASCII: for such an object
    JCS is exactly the compact JSON with members sorted by name (no number or escape rules apply);
    a member that is not a printable ASCII string is refused rather than canonicalised.
    """
    required = _complete_required(jwk)
    return json.dumps(required, sort_keys=True, separators=(",", ":")).encode("ascii")


MAX_JWK_JCS_BYTES = 4096
"""The longest jwk_jcs-pub body read: an RSA-8192 public JWK's JCS is about 1,400 bytes."""


def jwk_from_jcs(data: bytes) -> dict[str, Any]:
    """The public JWK of a ``jwk_jcs-pub`` body: its required members.

    Member order and extra public members are tolerated (the TW DIW app writes the JSON its key
    store returns, not necessarily JCS); private members, a missing or non-string required member,
    JSON that is not an object and invalid UTF-8 are ``CodecError``.
    """
    if len(data) > MAX_JWK_JCS_BYTES:
        raise CodecError(f"jwk_jcs-pub body of {len(data)} bytes (at most {MAX_JWK_JCS_BYTES})")
    try:
        jwk = json.loads(data.decode("utf-8"), parse_constant=_not_json)
    except UnicodeDecodeError:
        raise CodecError("jwk_jcs-pub body is not UTF-8") from None
    except (ValueError, RecursionError):
        raise CodecError("jwk_jcs-pub body is not JSON") from None
    if not isinstance(jwk, dict):
        raise CodecError("jwk_jcs-pub body is not a JSON object")
    private = private_jwk_members(jwk)
    if private:
        raise CodecError(f"jwk_jcs-pub body carries private members: {', '.join(sorted(private))}")
    return _complete_required(jwk)


def _complete_required(jwk: Mapping[str, Any]) -> dict[str, Any]:
    required = required_jwk(jwk)
    for name in REQUIRED_JWK_MEMBERS[required["kty"]]:
        value = required.get(name)
        if not isinstance(value, str) or not value or not (value.isascii() and value.isprintable()):
            raise CodecError(f"JWK member {name!r} is missing or not a printable ASCII string")
    return required


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")

"""The three wire encodings of one status bitstring, and their tolerant decoders.

The canonical form everywhere in trust-ledger is the chain's: a byte string where entry 0 is
the most significant bit of byte 0 (MSB-first). From it:

| encoding | compression | text | bit order |
|---|---|---|---|
| W3C BitstringStatusList `encodedList` | GZIP | multibase 'u' + base64url, no padding | MSB-first |
| IETF Token Status List `lst` | ZLIB, level 9 | base64url, no padding | LSB-first |
| TW DIW StatusList2021 `encodedList` | GZIP | standard Base64, padded, no prefix | MSB-first |

The W3C (and TW DIW) GZIP side is resolver.status_codec's; only the IETF side and the
bit-order conversion live here. Every decoder returns the canonical MSB-first bitstring.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterable
from typing import Any

from resolver.status_codec import (
    MAX_DECODED_BYTES,
    MIN_ENTRIES,
    StatusCodecError,
    decode_base64,
    get_bit,
    set_bits,
)
from resolver.status_codec import decode as _decode_gzip_list
from resolver.status_codec import encode as _encode_w3c
from trust_ledger.codecs import b64url_encode, multibase_decode

__all__ = [
    "INVALID",
    "MAX_DECODED_BYTES",
    "MIN_ENTRIES",
    "SUSPENDED",
    "VALID",
    "StatusCodecError",
    "bit",
    "bitstring_with",
    "decode_ietf",
    "decode_twdiw",
    "decode_w3c",
    "encode_ietf",
    "encode_ietf_statuses",
    "encode_twdiw",
    "encode_w3c",
    "ietf_bit",
    "ietf_status",
    "inflate_ietf",
    "padded",
    "reverse_bit_order",
    "set_indices",
    "token_status",
    "two_bit_statuses",
]


# byte -> the same byte with its 8 bits in the opposite order (0b10000000 <-> 0b00000001)
_REVERSED = bytes(int(f"{b:08b}"[::-1], 2) for b in range(256))


def bit(bitstring: bytes, index: int) -> int:
    """Entry `index` of a canonical (MSB-first) bitstring: `(b[i // 8] >> (7 - i % 8)) & 1`."""
    return get_bit(bitstring, index)


def ietf_bit(byte_array: bytes, index: int) -> int:
    """Entry `index` of an IETF (LSB-first, 1-bit) byte array: `(b[i // 8] >> (i % 8)) & 1`."""
    if not 0 <= index < len(byte_array) * 8:
        raise StatusCodecError(f"index {index} outside a list of {len(byte_array) * 8} entries")
    return (byte_array[index // 8] >> (index % 8)) & 1


def bitstring_with(size: int, indices: Iterable[int]) -> bytes:
    """A canonical bitstring of `size` entries (a multiple of 8) with `indices` set."""
    if size <= 0 or size % 8:
        raise StatusCodecError(f"a list size must be a positive multiple of 8, not {size}")
    return set_bits(bytes(size // 8), tuple(indices))


def set_indices(bitstring: bytes) -> list[int]:
    """The indices whose bit is set in a canonical bitstring, ascending."""
    found: list[int] = []
    for byte_index, byte in enumerate(bitstring):
        if byte:
            found.extend(byte_index * 8 + offset for offset in range(8) if byte & (0x80 >> offset))
    return found


def reverse_bit_order(data: bytes) -> bytes:
    """Each byte's bits reversed: MSB-first <-> LSB-first (its own inverse)."""
    return bytes(data).translate(_REVERSED)


def padded(bitstring: bytes, min_entries: int = MIN_ENTRIES) -> bytes:
    """The bitstring extended with zero entries to at least `min_entries` (W3C needs 131,072).

    Entries past a list's on-chain size are never allocated, so they always read as unset.
    """
    missing = -(-min_entries // 8) - len(bitstring)
    return bytes(bitstring) + bytes(missing) if missing > 0 else bytes(bitstring)


# ------------------------------------------------------------------ W3C Bitstring Status List


def encode_w3c(bitstring: bytes) -> str:
    """W3C `encodedList`: 'u' + base64url (no padding) of GZIP, MSB-first."""
    return _encode_w3c(bitstring)


def decode_w3c(encoded_list: str) -> bytes:
    """The bitstring of a W3C `encodedList` (with or without 'u', either Base64 alphabet)."""
    return _decode_gzip_list(encoded_list)


# ------------------------------------------------------------------ TW DIW StatusList2021


def encode_twdiw(bitstring: bytes) -> str:
    """TW DIW `encodedList`: standard Base64 (padded, no prefix) of GZIP, MSB-first.

    The same GZIP bytes as the W3C encoding (mtime 0, so deterministic), only re-lettered.
    """
    return base64.b64encode(multibase_decode(_encode_w3c(bitstring))).decode("ascii")


def decode_twdiw(encoded_list: str) -> bytes:
    """The bitstring of a TW DIW `encodedList`; as tolerant as the W3C decoder."""
    return _decode_gzip_list(encoded_list)


# ------------------------------------------------------------------ IETF Token Status List


def encode_ietf(bitstring: bytes) -> str:
    """IETF `lst` for `bits: 1`: base64url (no padding) of ZLIB level 9 of the LSB-first bytes."""
    compressed = zlib.compress(reverse_bit_order(bitstring), level=9)
    return b64url_encode(compressed)


def decode_ietf(lst: str, *, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """The canonical (MSB-first) bitstring of an IETF `lst` with `bits: 1`.

    Tolerates standard Base64, padding, embedded whitespace and a stray multibase 'u' (a
    ZLIB stream always starts with 0x78, i.e. 'e', so a leading 'u' is never data). Refuses
    anything that inflates beyond `max_bytes`.
    """
    return reverse_bit_order(inflate_ietf(lst, max_bytes=max_bytes))


def inflate_ietf(lst: str, *, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """The byte array of an IETF `lst` as the token packs it (LSB-first, any `bits`), tolerant
    and bounded as `decode_ietf`."""
    text = "".join(lst.split())
    if text.startswith("u"):
        text = text[1:]
    if not text:
        raise StatusCodecError("empty status list")
    compressed = decode_base64(text)
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error as error:
        raise StatusCodecError(f"not a ZLIB stream: {error}") from None
    if len(data) > max_bytes:
        raise StatusCodecError(f"the status list inflates beyond {max_bytes} bytes")
    if not inflater.eof:
        raise StatusCodecError("truncated ZLIB stream")
    return data


# Token Status List status types (draft-ietf-oauth-status-list, "Status Types Values")
VALID, INVALID, SUSPENDED = 0x00, 0x01, 0x02


def two_bit_statuses(revocation: bytes, suspension: bytes, size: int) -> bytes:
    """The `bits: 2` byte array of `size` entries derived from a revocation and a suspension
    bitstring (canonical, MSB-first) read at one block: INVALID (0x01) where the revocation bit is
    set, else SUSPENDED (0x02) where the suspension bit is set, else VALID (0x00).

    Layout (Token Status List, "Status List"): entry i is bits 2*(i % 4) .. 2*(i % 4) + 1 of
    byte i // 4, least significant first. Revocation wins: it is final on chain, a suspension
    can be lifted.
    """
    if size <= 0 or size % 4:
        raise StatusCodecError(f"a 2-bit list size must be a positive multiple of 4, not {size}")
    out = bytearray(size // 4)
    for index in set_indices(suspension):
        if index < size:
            out[index // 4] |= SUSPENDED << (2 * (index % 4))
    for index in set_indices(revocation):
        if index < size:
            shift = 2 * (index % 4)
            out[index // 4] = (out[index // 4] & ~(0b11 << shift)) | (INVALID << shift)
    return bytes(out)


def encode_ietf_statuses(statuses: bytes) -> str:
    """IETF `lst` of an already packed byte array (any `bits`): base64url of ZLIB level 9."""
    return b64url_encode(zlib.compress(statuses, level=9))


def ietf_status(byte_array: bytes, index: int, bits: int) -> int:
    """Entry `index` of a decoded IETF byte array of `bits` bits per entry (1, 2, 4 or 8)."""
    if bits not in (1, 2, 4, 8):
        raise StatusCodecError(f"bits must be 1, 2, 4 or 8, not {bits}")
    per_byte = 8 // bits
    if not 0 <= index < len(byte_array) * per_byte:
        raise StatusCodecError(f"index {index} outside a list of {len(byte_array) * per_byte} entries")
    return (byte_array[index // per_byte] >> (bits * (index % per_byte))) & ((1 << bits) - 1)


def token_status(status_list: dict[str, Any], index: int) -> int:
    """Entry `index` of a Status List Token's `status_list` claim ({bits, lst}), any `bits`."""
    bits = status_list.get("bits")
    lst = status_list.get("lst")
    if not isinstance(bits, int) or isinstance(bits, bool) or not isinstance(lst, str):
        raise StatusCodecError("status_list needs an integer bits and a string lst")
    return ietf_status(inflate_ietf(lst), index, bits)

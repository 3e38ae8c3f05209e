"""W3C Bitstring Status List codec: GZIP, multibase 'u' + base64url without padding, MSB-first.

Index 0 is the left-most (most significant) bit of byte 0, so
``bit(i) = (bitstring[i // 8] >> (7 - i % 8)) & 1``. The IETF Token Status List orders bits
the other way round and uses ZLIB; it is deliberately not handled here.
"""

from __future__ import annotations

import gzip
import zlib

from trust_ledger.codecs import BASE64URL, CodecError, b64decode_lenient, multibase_encode

MIN_ENTRIES = 131_072
"""The W3C minimum number of entries (16 KB uncompressed)."""
MAX_DECODED_BYTES = 2 * 1024 * 1024
"""The most a decoded list may inflate to: 16,777,216 entries, the StatusRegistry's largest list."""


class StatusCodecError(ValueError):
    """An encoded list that is not multibase/base64 of a GZIP stream, or an index out of range."""


def encode(bitstring: bytes) -> str:
    """`encodedList` of a bitstring: 'u' + base64url (no padding) of its GZIP compression.

    The GZIP header's modification time is zero, so the same bitstring always encodes the same.
    """
    compressed = gzip.compress(bytes(bitstring), compresslevel=9, mtime=0)
    return multibase_encode(compressed, BASE64URL)


def decode(encoded_list: str, *, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """The bitstring of an `encodedList`.

    Tolerant, as verifiers should be: with or without the multibase 'u' prefix, base64url or
    standard Base64 (the TW DIW / StatusList2021 form), padded or not. Refuses a stream that
    inflates beyond `max_bytes` (a list fetched from elsewhere may be a compression bomb).
    """
    text = encoded_list.strip()
    if not text:
        raise StatusCodecError("empty encoded list")
    if text.startswith(BASE64URL):
        text = text[1:]
    compressed = decode_base64(text)
    if not compressed:
        raise StatusCodecError("empty encoded list")
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)  # the GZIP container
    try:
        bitstring = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error as error:
        raise StatusCodecError(f"not a GZIP stream: {error}") from None
    if len(bitstring) > max_bytes:
        raise StatusCodecError(f"the status list inflates beyond {max_bytes} bytes")
    if not inflater.eof:
        raise StatusCodecError("truncated GZIP stream")
    return bitstring


def decode_base64(text: str) -> bytes:
    """The bytes of a list's Base64 text, in either alphabet, padded or not (the core's lenient
    decoder), or ``StatusCodecError``."""
    try:
        return b64decode_lenient(text)
    except CodecError as error:
        raise StatusCodecError(str(error)) from None


def get_bit(bitstring: bytes, index: int) -> int:
    """The status bit of entry `index` (MSB-first)."""
    if not 0 <= index < len(bitstring) * 8:
        raise StatusCodecError(f"index {index} outside a list of {len(bitstring) * 8} entries")
    return (bitstring[index // 8] >> (7 - index % 8)) & 1


def set_bits(bitstring: bytes, indices: list[int] | tuple[int, ...], value: int = 1) -> bytes:
    """A copy of `bitstring` with the entries at `indices` set to `value` (0 or 1)."""
    out = bytearray(bitstring)
    for index in indices:
        if not 0 <= index < len(out) * 8:
            raise StatusCodecError(f"index {index} outside a list of {len(out) * 8} entries")
        mask = 1 << (7 - index % 8)
        if value:
            out[index // 8] |= mask
        else:
            out[index // 8] &= ~mask & 0xFF
    return bytes(out)

"""W3C Bitstring Status List codec: the REC vector, MSB-first order, GZIP + multibase 'u' base64url."""

from __future__ import annotations

import base64
import gzip

import pytest

from resolver.status_codec import MIN_ENTRIES, StatusCodecError, decode, encode, get_bit, set_bits

REC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def test_rec_example_decodes_to_16384_zero_bytes() -> None:
    bits = decode(REC_EXAMPLE)
    assert len(bits) == 16_384 == MIN_ENTRIES // 8
    assert bits == bytes(16_384)


def test_encoding_is_multibase_base64url_without_padding_of_gzip() -> None:
    encoded = encode(bytes(16_384))
    assert encoded.startswith("u")
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert raw[:2] == b"\x1f\x8b"  # GZIP magic, not ZLIB
    assert gzip.decompress(raw) == bytes(16_384)
    assert decode(encoded) == bytes(16_384)
    assert encode(bytes(16_384)) == encoded  # mtime 0: deterministic


def test_index_zero_is_the_most_significant_bit_of_byte_zero() -> None:
    bits = set_bits(bytes(16_384), [0])
    assert bits[0] == 0x80
    assert get_bit(bits, 0) == 1 and get_bit(bits, 1) == 0
    bits = set_bits(bits, [7, 9, 131_071])
    assert bits[0] == 0x81 and bits[1] == 0x40 and bits[-1] == 0x01
    assert [get_bit(bits, i) for i in (0, 7, 8, 9, 131_071)] == [1, 1, 0, 1, 1]
    assert decode(encode(bits)) == bits
    assert set_bits(bits, [0], 0)[0] == 0x01


def test_decoder_tolerates_twdiw_standard_base64_without_prefix() -> None:
    bits = set_bits(bytes(16_384), [3, 62, 63])
    twdiw = base64.b64encode(gzip.compress(bits)).decode()  # java.util.Base64, no multibase prefix
    assert decode(twdiw) == bits


@pytest.mark.parametrize("bad", ["", "u", "u!!!!", "uAAAA", base64.b64encode(b"not gzip").decode()])
def test_malformed_lists_are_refused(bad: str) -> None:
    with pytest.raises(StatusCodecError):
        decode(bad)


def test_indexes_out_of_range_are_refused() -> None:
    with pytest.raises(StatusCodecError):
        get_bit(bytes(2), 16)
    with pytest.raises(StatusCodecError):
        set_bits(bytes(2), [-1])


def test_decode_refuses_a_compression_bomb_and_a_truncated_stream() -> None:
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(3 * 1024 * 1024))).rstrip(b"=").decode()
    with pytest.raises(StatusCodecError, match="inflates beyond"):
        decode(bomb)
    whole = gzip.compress(bytes(16_384))
    truncated = "u" + base64.urlsafe_b64encode(whole[: len(whole) // 2]).rstrip(b"=").decode()
    with pytest.raises(StatusCodecError, match="truncated GZIP stream"):
        decode(truncated)

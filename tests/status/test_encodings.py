"""The three status list encodings: published vectors, bit order, round trips, tolerant decoders."""

from __future__ import annotations

import base64
import gzip
import random
import zlib

import pytest

from api.status.encodings import (
    MIN_ENTRIES,
    StatusCodecError,
    bit,
    bitstring_with,
    decode_ietf,
    decode_twdiw,
    decode_w3c,
    encode_ietf,
    encode_twdiw,
    encode_w3c,
    ietf_bit,
    padded,
    reverse_bit_order,
    set_indices,
)

# W3C Bitstring Status List v1.0 REC, Example 3: 131,072 unset entries.
W3C_REC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

# IETF draft examples/status_list_encoding_json.md: byte_array = [0xb9, 0xa3].
IETF_SHORT = "eNrbuRgAAhcBXQ"
IETF_SHORT_STATUSES = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]

# IETF draft examples/status_list_encoding1_long_json.md: 2^20 entries, these set.
IETF_LONG = (
    "eNrt3AENwCAMAEGogklACtKQPg9LugC9k_ACvreiogE"
    "AAKkeCQAAAAAAAAAAAAAAAAAAAIBylgQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAXG9IAAAAAAAAAPwsJAAAAAAAAAAAAAAAvhsSAAAAAAAAAAA"
    "A7KpLAAAAAAAAAAAAAAAAAAAAAJsLCQAAAAAAAAAAADjelAAAAAAAAAAAKjDMAQAAA"
    "ACAZC8L2AEb"
)
IETF_LONG_SET = [0, 1993, 25460, 159495, 495669, 554353, 645645, 723232, 854545, 934534, 1000345]


def _b64(text: str) -> bytes:
    text = text.removeprefix("u")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ------------------------------------------------------------------ published vectors


def test_w3c_rec_example_decodes_to_131072_unset_entries() -> None:
    bits = decode_w3c(W3C_REC_EXAMPLE)
    assert bits == bytes(16_384)
    assert len(bits) * 8 == MIN_ENTRIES


def test_ietf_short_vector_is_b9_a3_least_significant_bit_first() -> None:
    canonical = decode_ietf(IETF_SHORT)
    # Entry i of the vector is entry i of our MSB-first bitstring ...
    assert [bit(canonical, i) for i in range(16)] == IETF_SHORT_STATUSES
    # ... whose bytes are the vector's with each byte's bits reversed.
    assert reverse_bit_order(canonical) == bytes([0xB9, 0xA3])
    assert zlib.decompress(_b64(IETF_SHORT)) == bytes([0xB9, 0xA3])
    assert [ietf_bit(bytes([0xB9, 0xA3]), i) for i in range(16)] == IETF_SHORT_STATUSES
    # Encoding the same statuses gives the vector byte for byte (ZLIB level 9, no padding).
    statuses = bitstring_with(16, [i for i, s in enumerate(IETF_SHORT_STATUSES) if s])
    assert encode_ietf(statuses) == IETF_SHORT


def test_ietf_long_vector_round_trips_byte_for_byte() -> None:
    canonical = decode_ietf(IETF_LONG)
    assert len(canonical) * 8 == 2**20
    assert set_indices(canonical) == IETF_LONG_SET
    assert encode_ietf(bitstring_with(2**20, IETF_LONG_SET)) == IETF_LONG


def test_same_index_lands_in_different_bits_in_w3c_and_ietf() -> None:
    bits = bitstring_with(MIN_ENTRIES, [5])
    w3c_raw = gzip.decompress(_b64(encode_w3c(bits)))
    ietf_raw = zlib.decompress(_b64(encode_ietf(bits)))
    assert w3c_raw[0] == 0b0000_0100 == 0x80 >> 5  # MSB-first: 6th bit from the left
    assert ietf_raw[0] == 0b0010_0000 == 1 << 5  # LSB-first: 6th bit from the right
    assert w3c_raw[1:] == ietf_raw[1:] == bytes(16_383)
    # Read naively with the other spec's rule, index 5 looks unset and index 2 looks set.
    assert ietf_bit(w3c_raw, 5) == 0 and ietf_bit(w3c_raw, 2) == 1
    assert bit(ietf_raw, 5) == 0 and bit(ietf_raw, 2) == 1
    # Index 8 goes to byte 1 in both, at opposite ends.
    eight = bitstring_with(MIN_ENTRIES, [8])
    assert gzip.decompress(_b64(encode_w3c(eight)))[1] == 0x80
    assert zlib.decompress(_b64(encode_ietf(eight)))[1] == 0x01


# ------------------------------------------------------------------ wire forms


def test_each_encoding_has_its_own_compression_alphabet_and_prefix() -> None:
    bits = bitstring_with(MIN_ENTRIES, [3, 62, 63, 131_071])
    w3c, ietf, twdiw = encode_w3c(bits), encode_ietf(bits), encode_twdiw(bits)

    assert w3c.startswith("uH4sI")  # multibase u + GZIP magic 1f 8b 08
    assert not set("+/=") & set(w3c)
    assert ietf.startswith("eN")  # ZLIB 78 da (level 9)
    assert not set("+/=") & set(ietf)
    assert twdiw.startswith("H4sI")  # no multibase prefix
    assert len(twdiw) % 4 == 0  # padded standard Base64
    assert base64.b64decode(twdiw, validate=True) == _b64(w3c)  # the same GZIP bytes, re-lettered
    assert gzip.decompress(base64.b64decode(twdiw)) == bits


def test_padding_reaches_the_w3c_minimum_without_setting_anything() -> None:
    short = bitstring_with(256, [0, 255])
    full = padded(short)
    assert len(full) * 8 == MIN_ENTRIES
    assert set_indices(full) == [0, 255]
    assert padded(full) == full
    assert padded(bytes(20_000)) == bytes(20_000)


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize("density", [0.001, 0.01, 0.1])
def test_round_trips_at_random_density(density: float) -> None:
    rng = random.Random(f"density-{density}")
    indices = sorted(rng.sample(range(MIN_ENTRIES), int(MIN_ENTRIES * density)))
    bits = bitstring_with(MIN_ENTRIES, indices)

    for encode, decode in (
        (encode_w3c, decode_w3c),
        (encode_ietf, decode_ietf),
        (encode_twdiw, decode_twdiw),
    ):
        decoded = decode(encode(bits))
        assert decoded == bits
        assert set_indices(decoded) == indices
    probe = indices[len(indices) // 2]
    assert bit(bits, probe) == 1 == ietf_bit(reverse_bit_order(bits), probe)
    assert bit(bits, probe + 1) == int(probe + 1 in indices)


def test_reverse_bit_order_is_its_own_inverse() -> None:
    every_byte = bytes(range(256))
    assert reverse_bit_order(reverse_bit_order(every_byte)) == every_byte
    assert reverse_bit_order(bytes([0x80, 0x01, 0xF0])) == bytes([0x01, 0x80, 0x0F])


# ------------------------------------------------------------------ tolerant decoders


def test_decoders_tolerate_either_alphabet_padding_and_the_multibase_prefix() -> None:
    bits = bitstring_with(MIN_ENTRIES, list(range(0, MIN_ENTRIES, 997)))
    gz = _b64(encode_w3c(bits))
    gz_std, gz_url = base64.b64encode(gz).decode(), base64.urlsafe_b64encode(gz).decode()
    assert "+" in gz_std or "/" in gz_std, "the sample must exercise the alphabet difference"
    for text in (gz_std, gz_url, gz_url.rstrip("="), "u" + gz_url.rstrip("="), "u" + gz_std):
        assert decode_w3c(text) == bits
        assert decode_twdiw(text) == bits

    zl = zlib.compress(reverse_bit_order(bits), 9)
    zl_std, zl_url = base64.b64encode(zl).decode(), base64.urlsafe_b64encode(zl).decode()
    assert "+" in zl_std or "/" in zl_std
    for text in (zl_std, zl_url, zl_url.rstrip("="), "u" + zl_url.rstrip("=")):
        assert decode_ietf(text) == bits
    # Line-wrapped, as the draft prints its examples.
    assert decode_ietf("\n  ".join(IETF_LONG[i : i + 64] for i in range(0, len(IETF_LONG), 64))) == (
        decode_ietf(IETF_LONG)
    )


@pytest.mark.parametrize("bad", ["", "u", "!!!!", "eNrbuRgAAhcB", encode_w3c(bytes(32))[1:]])
def test_ietf_decoder_refuses_malformed_truncated_and_gzip_lists(bad: str) -> None:
    with pytest.raises(StatusCodecError):
        decode_ietf(bad)


def test_ietf_decoder_refuses_lists_that_inflate_too_far() -> None:
    bomb = encode_ietf(bytes(1_000_000))
    assert len(bomb) < 2_000
    with pytest.raises(StatusCodecError, match="inflates beyond"):
        decode_ietf(bomb, max_bytes=999_999)
    assert len(decode_ietf(bomb, max_bytes=1_000_000)) == 1_000_000


def test_gzip_decoders_refuse_zlib_lists() -> None:
    with pytest.raises(StatusCodecError):
        decode_w3c(IETF_SHORT)


def test_indices_out_of_range_are_refused() -> None:
    with pytest.raises(StatusCodecError):
        bit(bytes(2), 16)
    with pytest.raises(StatusCodecError):
        ietf_bit(bytes(2), -1)
    with pytest.raises(StatusCodecError):
        bitstring_with(12, [])
    with pytest.raises(StatusCodecError):
        bitstring_with(16, [16])

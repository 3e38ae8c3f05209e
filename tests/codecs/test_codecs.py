"""The core codecs (trust_ledger.codecs): base64url, multibase, varint, multicodec, JWK and jwk_jcs-pub.

Vectors are public: RFC 4648 §10 (base64), the multiformats unsigned-varint README, the multicodec
table (multiformats/multicodec table.csv) and EBSI's did:key example (@cef-ebsi/key-did-resolver).
"""

from __future__ import annotations

import json

import pytest

from trust_ledger import codecs
from trust_ledger.codecs import CodecError

# ------------------------------------------------------------------------------------ base64url


@pytest.mark.parametrize(
    ("data", "text"),
    [(b"", ""), (b"f", "Zg"), (b"fo", "Zm8"), (b"foo", "Zm9v"), (b"foob", "Zm9vYg"), (b"\xfb\xff", "-_8")],
)
def test_base64url_is_unpadded_and_round_trips(data: bytes, text: str) -> None:
    assert codecs.b64url_encode(data) == text
    assert codecs.b64url_decode(text) == data


@pytest.mark.parametrize("text", ["Zg==", "Zm9v\n", " Zm9v", "+/8", "Zm9v.", "Z", "Zm9vY", "Zm9v%", "ü"])
def test_base64url_decoding_is_strict(text: str) -> None:
    with pytest.raises(CodecError, match="not base64url"):
        codecs.b64url_decode(text)


def test_base64url_decoding_refuses_a_non_string() -> None:
    with pytest.raises(CodecError):
        codecs.b64url_decode(b"Zm9v")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["+/8=", "-_8", "-_8=", "+/8"])
def test_lenient_base64_takes_either_alphabet_padded_or_not(text: str) -> None:
    assert codecs.b64decode_lenient(text) == b"\xfb\xff"


def test_lenient_base64_still_refuses_other_characters() -> None:
    with pytest.raises(CodecError, match="not base64"):
        codecs.b64decode_lenient("Zm9v!")


# ------------------------------------------------------------------------------------ multibase


def test_multibase_base58btc_and_base64url() -> None:
    assert codecs.multibase_encode(b"\x00\x01hello") == "z1hfJiz6J"  # leading zero byte -> "1"
    assert codecs.multibase_decode("z1hfJiz6J") == b"\x00\x01hello"
    assert codecs.multibase_encode(b"\xfb\xff", codecs.BASE64URL) == "u-_8"
    assert codecs.multibase_decode("u-_8") == b"\xfb\xff"


@pytest.mark.parametrize(
    ("text", "bases", "message"),
    [
        ("", "zu", "not base58btc"),
        ("z", "zu", "not base58btc"),
        ("f00ff", "zu", "not base58btc"),
        ("u-_8", "z", r"not base58btc \('z'\) multibase"),
        ("z0OIl", "z", "not valid base58btc"),
        ("u+/8", "u", "not base64url"),
    ],
)
def test_multibase_refuses_other_bases_and_alphabets(text: str, bases: str, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        codecs.multibase_decode(text, bases)


def test_multibase_encode_refuses_an_unknown_base() -> None:
    with pytest.raises(CodecError):
        codecs.multibase_encode(b"x", "f")


# ------------------------------------------------------------------------------ unsigned varint


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, "00"),
        (1, "01"),
        (127, "7f"),
        (128, "8001"),
        (255, "ff01"),
        (300, "ac02"),
        (16384, "808001"),
        (0xED, "ed01"),
        (0x1200, "8024"),
        (0xEB51, "d1d603"),
        ((1 << 63) - 1, "ffffffffffffffff7f"),
    ],
)
def test_varint_vectors(value: int, encoded: str) -> None:
    assert codecs.varint_encode(value).hex() == encoded
    assert codecs.varint_decode(bytes.fromhex(encoded) + b"tail") == (value, len(encoded) // 2)


@pytest.mark.parametrize("encoded", ["", "80", "ff", "8000", "ff00", "80" * 9 + "01"])
def test_varint_refuses_truncated_non_minimal_and_over_long(encoded: str) -> None:
    with pytest.raises(CodecError):
        codecs.varint_decode(bytes.fromhex(encoded))


def test_varint_refuses_values_out_of_range() -> None:
    for value in (-1, 1 << 63):
        with pytest.raises(CodecError):
            codecs.varint_encode(value)


# ----------------------------------------------------------------------------------- multicodec


@pytest.mark.parametrize(
    ("header", "name", "length"),
    [
        ("ed01", "ed25519-pub", 32),
        ("ec01", "x25519-pub", 32),
        ("e701", "secp256k1-pub", 33),
        ("8024", "p256-pub", 33),
        ("8124", "p384-pub", 49),
        ("8224", "p521-pub", 67),
        ("8524", "rsa-pub", 270),
        ("d1d603", "jwk_jcs-pub", 10),
    ],
)
def test_public_key_headers(header: str, name: str, length: int) -> None:
    """The varint headers the resolver read before the table moved here, plus jwk_jcs-pub."""
    codec, body = codecs.split_key_multicodec(bytes.fromhex(header) + b"\x02" * length)
    assert (codec.name, codec.header.hex(), body) == (name, header, b"\x02" * length)


@pytest.mark.parametrize("code", [*range(0x1300, 0x1304), *range(0x1305, 0x1309), 0x1316, 0x1341])
def test_secret_key_codes_are_refused_as_secrets(code: int) -> None:
    """ed25519-priv 0x1300 ... p521-priv 0x1308 (the varints 80 26 ... 88 26), jwk_jcs-priv, bip340-priv."""
    with pytest.raises(CodecError, match="multicodec header of a secret key"):
        codecs.split_key_multicodec(codecs.varint_encode(code) + b"\x01" * 32)


def test_unknown_codes_and_wrong_lengths_are_refused() -> None:
    with pytest.raises(codecs.UnknownMulticodec, match="unknown multicodec header 0x12"):
        codecs.split_key_multicodec(bytes.fromhex("1234") + bytes(32))
    with pytest.raises(CodecError, match="ed25519-pub key of 31 bytes, expected 32"):
        codecs.split_key_multicodec(bytes.fromhex("ed01") + bytes(31))
    with pytest.raises(CodecError):
        codecs.split_key_multicodec(b"\x80")


# ------------------------------------------------------------------------------------------ JWK

EC_PRIVATE = {
    "kty": "EC",
    "crv": "P-256",
    "x": "ngy44T1vxAT6Di4nr-UaM9K3Tlnz9pkoksDokKFkmNc",
    "y": "QCRfOKlSM31GTkb4JHx3nXB4G_jSPMsbdjzlkT_UpPc",
    "d": "c2VjcmV0",
    "kid": "key-1",
    "alg": "ES256",
    "ext": True,
}


def test_public_jwk_keeps_the_allow_listed_members_only() -> None:
    assert codecs.public_jwk(EC_PRIVATE) == {
        name: EC_PRIVATE[name] for name in ("kty", "crv", "x", "y", "kid", "alg")
    }
    rsa = {"kty": "RSA", "n": "AQAB", "e": "AQAB", "p": "s", "q": "s", "dp": "s", "dq": "s", "qi": "s"}
    assert codecs.public_jwk(rsa) == {"kty": "RSA", "n": "AQAB", "e": "AQAB"}


@pytest.mark.parametrize(
    ("jwk", "message"),
    [
        ({"kty": "oct", "k": "c2VjcmV0"}, "is not a public-key type"),
        ({"crv": "P-256"}, "is not a public-key type"),
        ([1, 2], "not a JSON object"),
    ],
)
def test_public_jwk_refuses_symmetric_unknown_and_non_objects(jwk: object, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        codecs.public_jwk(jwk)
    with pytest.raises(CodecError, match=message):
        codecs.required_jwk(jwk)


def test_required_members_in_our_order_and_the_private_ones_named() -> None:
    assert list(codecs.required_jwk(EC_PRIVATE)) == ["kty", "crv", "x", "y"]
    okp = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "y": "stray"}
    assert codecs.required_jwk(okp) == {"kty": "OKP", "crv": "Ed25519", "x": okp["x"]}
    assert codecs.private_jwk_members(EC_PRIVATE) == {"d"}
    assert codecs.private_jwk_members(codecs.public_jwk(EC_PRIVATE)) == set()


# -------------------------------------------------------------------------------- jwk_jcs-pub

EBSI_JCS = (
    b'{"crv":"P-256","kty":"EC","x":"ngy44T1vxAT6Di4nr-UaM9K3Tlnz9pkoksDokKFkmNc",'
    b'"y":"QCRfOKlSM31GTkb4JHx3nXB4G_jSPMsbdjzlkT_UpPc"}'
)
"""The key bytes of EBSI's did:key example: the JCS of the P-256 JWK above."""


def test_jwk_jcs_is_the_sorted_compact_json_of_the_required_members() -> None:
    assert codecs.jwk_jcs(EC_PRIVATE) == EBSI_JCS
    assert codecs.jwk_from_jcs(EBSI_JCS) == codecs.required_jwk(EC_PRIVATE)


def test_jwk_jcs_body_in_another_member_order_with_extra_public_members_is_read() -> None:
    """The TW DIW app writes the JSON its key store returns (not necessarily JCS)."""
    text = json.dumps({"kty": "EC", "x": EC_PRIVATE["x"], "y": EC_PRIVATE["y"], "crv": "P-256", "kid": "k"})
    assert codecs.jwk_from_jcs(text.encode()) == codecs.required_jwk(EC_PRIVATE)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (json.dumps(EC_PRIVATE).encode(), "private members: d"),
        (b"[1,2]", "not a JSON object"),
        (b'{"kty":"EC"', "not JSON"),
        (b'{"kty":"EC","crv":"P-256","x":NaN,"y":"AA"}', "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"kty":"oct","k":"c2VjcmV0"}', "private members: k"),
        (b'{"kty":"oct"}', "not a public-key type"),
        (b'{"kty":"EC","crv":"P-256","x":"AA"}', "'y' is missing"),
        (b'{"kty":"EC","crv":"P-256","x":"AA","y":5}', "'y' is missing or not a printable ASCII string"),
        ('{"kty":"EC","crv":"P-256","x":"AA","y":"ü"}'.encode(), "not a printable ASCII string"),
        (b'{"a":' * 3000 + b"1" + b"}" * 3000, "at most 4096"),
        (b"[" * 2000 + b"]" * 2000, "not"),
    ],
)
def test_jwk_jcs_bodies_that_are_not_a_public_jwk_are_refused(body: bytes, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        codecs.jwk_from_jcs(body)


def test_jwk_jcs_refuses_to_canonicalise_what_is_not_a_plain_key() -> None:
    with pytest.raises(CodecError, match="'x' is missing"):
        codecs.jwk_jcs({"kty": "OKP", "crv": "Ed25519"})
    with pytest.raises(CodecError, match="printable ASCII"):
        codecs.jwk_jcs({"kty": "OKP", "crv": "Ed25519", "x": "a\u2028b"})

"""SD-JWT disclosures: RFC 9901 vectors and the verifier's MUST-reject rules."""

from __future__ import annotations

import pytest

from api.credentials import errors
from api.credentials.disclosures import Disclosure, conceal, reveal, sd_digest
from tests.credentials.vectors import (
    RFC9901_ARRAY_FR,
    RFC9901_ARRAY_FR_DIGEST,
    RFC9901_FAMILY_NAME,
    RFC9901_FAMILY_NAME_DIGEST,
)
from trust_ledger.codecs import b64url_encode


def test_rfc9901_object_disclosure_vector() -> None:
    disclosure = Disclosure.parse(RFC9901_FAMILY_NAME)
    assert (disclosure.salt, disclosure.name, disclosure.value) == (
        "_26bc4LT-ac6q2KI6cBW5es",
        "family_name",
        "Möbius",
    )
    assert disclosure.digest == RFC9901_FAMILY_NAME_DIGEST


def test_rfc9901_array_disclosure_vector() -> None:
    disclosure = Disclosure.parse(RFC9901_ARRAY_FR)
    assert (disclosure.salt, disclosure.name, disclosure.value) == ("lklxF5jMYlGTPUovMNIvCA", None, "FR")
    assert disclosure.digest == RFC9901_ARRAY_FR_DIGEST


def test_rfc9901_embedding_examples_reveal() -> None:
    payload = {"given_name": "Alice", "_sd": [RFC9901_FAMILY_NAME_DIGEST]}
    claims, used = reveal(payload, [RFC9901_FAMILY_NAME])
    assert claims == {"given_name": "Alice", "family_name": "Möbius"}
    assert [d.name for d, _ in used] == ["family_name"]
    array = {"nationalities": ["DE", {"...": RFC9901_ARRAY_FR_DIGEST}, "US"]}
    assert reveal(array, [RFC9901_ARRAY_FR])[0] == {"nationalities": ["DE", "FR", "US"]}
    assert reveal(array, [])[0] == {"nationalities": ["DE", "US"]}


def test_conceal_makes_every_field_disclosable_with_fresh_salts() -> None:
    concealed, disclosures = conceal({"a": 1, "b": {"c": [1, 2]}}, decoys=2)
    assert set(concealed) == {"_sd"} and len(concealed["_sd"]) == 4
    assert concealed["_sd"] == sorted(concealed["_sd"])
    assert {d.digest for d in disclosures} <= set(concealed["_sd"])
    assert len({d.salt for d in disclosures}) == 2
    assert reveal(concealed, [d.encoded for d in disclosures])[0] == {"a": 1, "b": {"c": [1, 2]}}
    assert reveal(concealed, [disclosures[1].encoded])[0] == {"b": {"c": [1, 2]}}


def test_conceal_only_named_fields() -> None:
    concealed, disclosures = conceal({"a": 1, "b": 2}, ["b"])
    assert concealed["a"] == 1 and [d.name for d in disclosures] == ["b"]
    with pytest.raises(ValueError):
        conceal({"a": 1}, ["zzz"])


@pytest.mark.parametrize("name", ["_sd", "..."])
def test_reserved_names_cannot_be_disclosed(name: str) -> None:
    with pytest.raises(ValueError):
        Disclosure.create(name, 1)
    forged = b64url_encode(f'["salt", "{name}", 1]'.encode())
    with pytest.raises(errors.DisclosureMismatch):
        Disclosure.parse(forged)


@pytest.mark.parametrize("raw", [b"not json", b'{"a": 1}', b'["only-salt"]', b'[1, "a", 2]', b'["s", 1, 2]'])
def test_malformed_disclosures(raw: bytes) -> None:
    with pytest.raises(errors.DisclosureMismatch):
        Disclosure.parse(b64url_encode(raw))


def test_unreferenced_disclosure_is_rejected() -> None:
    concealed, _ = conceal({"a": 1})
    stray = Disclosure.create("a", 2)
    with pytest.raises(errors.DisclosureMismatch, match="not referenced"):
        reveal(concealed, [stray.encoded])


def test_same_disclosure_twice_is_rejected() -> None:
    concealed, disclosures = conceal({"a": 1})
    with pytest.raises(errors.DisclosureMismatch):
        reveal(concealed, [disclosures[0].encoded] * 2)


def test_digest_occurring_twice_is_rejected() -> None:
    concealed, disclosures = conceal({"a": 1})
    payload = {"_sd": concealed["_sd"], "nested": {"_sd": concealed["_sd"]}}
    with pytest.raises(errors.DisclosureMismatch, match="more than once"):
        reveal(payload, [disclosures[0].encoded])


def test_disclosed_name_colliding_with_a_clear_claim_is_rejected() -> None:
    concealed, disclosures = conceal({"a": 1})
    with pytest.raises(errors.DisclosureMismatch, match="already exists"):
        reveal({**concealed, "a": 5}, [disclosures[0].encoded])


def test_object_and_array_disclosures_cannot_swap_places() -> None:
    element = Disclosure.create(None, "x")
    prop = Disclosure.create("p", "x")
    with pytest.raises(errors.DisclosureMismatch):
        reveal({"_sd": [element.digest]}, [element.encoded])
    with pytest.raises(errors.DisclosureMismatch):
        reveal({"list": [{"...": prop.digest}]}, [prop.encoded])


def test_only_sha256_is_supported() -> None:
    with pytest.raises(errors.SdAlgUnsupported) as caught:
        reveal({"_sd_alg": "sha-512"}, [])
    assert isinstance(caught.value, errors.DisclosureMismatch)


def test_sd_digest_is_over_the_ascii_text_not_the_decoded_bytes() -> None:
    assert sd_digest(RFC9901_FAMILY_NAME) == RFC9901_FAMILY_NAME_DIGEST

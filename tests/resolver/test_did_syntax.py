"""DID Core §3 syntax, DID URL parts, XML datetimes and Accept negotiation (pure functions)."""

from __future__ import annotations

import pytest

from resolver.did_syntax import is_did, parse_did_url, parse_time_option, parse_xml_datetime, xml_datetime
from resolver.errors import ErrorCode, ResolverError
from resolver.media import LEGACY_RESOLUTION, RESOLUTION, error_style, negotiate


@pytest.mark.parametrize(
    "did",
    [
        "did:elsi:EU.EORI.HAPPYPETS",
        "did:web:localhost%3A8080",
        "did:example:123:456",
        "did:example::123",
        "did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw",
        "did:ebsi:zfEmvX5twhXjQJiCWsukvQA",
    ],
)
def test_valid_dids(did: str) -> None:
    assert is_did(did)


@pytest.mark.parametrize(
    "text",
    [
        "did:Elsi:X",  # upper-case method name
        "did:elsi:",  # empty method-specific id
        "did:elsi:abc:",  # ends with ':'
        "did:web:bad%zzescape",
        "did::abc",
        "DID:elsi:abc",
        "elsi:abc",
        "did:elsi:a b",
        "did:elsi:é",
    ],
)
def test_invalid_dids(text: str) -> None:
    assert not is_did(text)
    with pytest.raises(ResolverError) as caught:
        parse_did_url(text)
    assert caught.value.code is ErrorCode.INVALID_DID


def test_did_url_parts() -> None:
    url = parse_did_url("did:elsi:EU.EORI.HAPPYPETS?service=issuer&relativeRef=%2Fcredential#frag")
    assert url.did == "did:elsi:EU.EORI.HAPPYPETS" and url.method == "elsi"
    assert url.params == {"service": "issuer", "relativeRef": "/credential"}
    assert url.fragment == "frag" and url.path is None
    assert parse_did_url("did:example:123/path/to").path == "/path/to"
    assert parse_did_url("did:example:123").is_plain_did


@pytest.mark.parametrize(
    "text",
    [
        "did:example:123?versionId=1&versionId=2",
        "did:example:123#",
        "did:example:123#a b",
        "did:example:123/a%zz",
    ],
)
def test_invalid_did_urls(text: str) -> None:
    with pytest.raises(ResolverError) as caught:
        parse_did_url(text)
    assert caught.value.code is ErrorCode.INVALID_DID_URL


def test_xml_datetimes() -> None:
    assert parse_xml_datetime("2025-01-01T00:00:00Z") == 1_735_689_600
    assert parse_xml_datetime("2025-01-01T01:00:00+01:00") == 1_735_689_600
    assert parse_xml_datetime("2025-01-01T00:00:00.750Z") == 1_735_689_600
    assert parse_xml_datetime("2025-01-01T00:00:00") == 1_735_689_600
    assert xml_datetime(1_735_689_600) == "2025-01-01T00:00:00Z"
    assert parse_time_option("1735689600", what="asOf") == 1_735_689_600
    for bad in ("yesterday", "2025-13-01T00:00:00Z", "2025-01-01", "2025-01-01T25:00:00Z"):
        with pytest.raises(ResolverError) as caught:
            parse_xml_datetime(bad)
        assert caught.value.code is ErrorCode.INVALID_OPTIONS


@pytest.mark.parametrize(
    ("accept", "content_type", "result", "legacy"),
    [
        (None, "application/did+ld+json", False, False),
        ("*/*", "application/did+ld+json", False, False),
        ("application/*", "application/did+ld+json", False, False),
        ("application/did+ld+json", "application/did+ld+json", False, False),
        ("application/did+json", "application/did+json", False, False),
        ("application/did, application/did+ld+json;q=0.5", "application/did+ld+json", False, False),
        ("application/ld+json", "application/ld+json", False, False),
        ("application/json", "application/json", False, False),
        ("application/did-resolution", RESOLUTION, True, False),
        (LEGACY_RESOLUTION, LEGACY_RESOLUTION, True, True),
        ("text/html, application/did+json;q=0.5, application/did-resolution;q=0.9", RESOLUTION, True, False),
        ("application/did-resolution;q=0, application/did+json", "application/did+json", False, False),
    ],
)
def test_negotiation_table(accept: str | None, content_type: str, result: bool, legacy: bool) -> None:
    chosen = negotiate(accept)
    assert (chosen.content_type, chosen.result, chosen.legacy) == (content_type, result, legacy)


def test_unsupported_accept_and_error_style() -> None:
    with pytest.raises(ResolverError) as caught:
        negotiate("text/html, image/png")
    assert caught.value.code is ErrorCode.REPRESENTATION_NOT_SUPPORTED
    with pytest.raises(ResolverError) as caught:
        negotiate("text/uri-list")  # the answer of service dereferencing only
    assert caught.value.code is ErrorCode.REPRESENTATION_NOT_SUPPORTED
    assert negotiate("text/uri-list", uri_list=True).content_type == "text/uri-list"
    assert error_style("application/did+json").error_content_type == RESOLUTION
    assert error_style(None).legacy is False
    assert error_style(LEGACY_RESOLUTION).error_content_type == LEGACY_RESOLUTION
    assert error_style(f"text/html, {LEGACY_RESOLUTION};q=0").legacy is True

"""DID and DID URL syntax (DID Core 1.0 §3, RFC 3986) and XML datetimes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from resolver.errors import ErrorCode, ResolverError

_IDCHAR = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
DID_PATTERN = re.compile(rf"did:(?P<method>[a-z0-9]+):(?:{_IDCHAR}*:)*{_IDCHAR}+")
"""did = "did:" method-name ":" method-specific-id (lower-case method names only)."""

_PCHAR = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
_PATH = re.compile(rf"(?:/{_PCHAR}*)*")
_QUERY_OR_FRAGMENT = re.compile(rf"(?:{_PCHAR}|[/?])*")

DID_PARAMETERS = frozenset({"service", "serviceType", "relativeRef", "versionId", "versionTime", "hl"})

MIN_TIME = -62_135_596_800
"""0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range of times an answer can render."""
MAX_TIME = 253_402_300_799
MAX_NUMBER = 2**63 - 1
"""The largest version or list number the views can hold (a signed 64-bit SQL integer)."""
MAX_PAGE = MAX_NUMBER // 100
"""The largest page number: its offset, at up to 100 items a page, still fits the views' integers."""

_XML_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<time>\d{2}:\d{2}:\d{2})(?P<fraction>\.\d+)?(?P<zone>Z|[+-]\d{2}:\d{2})?"
)


@dataclass(frozen=True)
class DidUrl:
    """A DID URL split into its parts (`path`, `query`, `fragment` are None when absent)."""

    did: str
    method: str
    path: str | None = None
    query: str | None = None
    fragment: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def is_plain_did(self) -> bool:
        return self.path is None and self.query is None and self.fragment is None


def is_did(text: str) -> bool:
    """Whether `text` is a DID (no path, query or fragment)."""
    return DID_PATTERN.fullmatch(text) is not None


def require_did(text: str) -> str:
    """`text` if it is a DID, else an INVALID_DID error."""
    if not is_did(text):
        raise ResolverError(ErrorCode.INVALID_DID, f"{text!r} is not a DID (DID Core 1.0 §3.1)")
    return text


def method_of(did: str) -> str:
    return did.split(":", 2)[1]


def parse_did_url(text: str) -> DidUrl:
    """Split and check a DID or DID URL.

    A bad DID part is INVALID_DID; a good DID with a bad path, query or fragment, or with a
    repeated query parameter, is INVALID_DID_URL.
    """
    rest, hash_mark, fragment = text.partition("#")
    rest, question_mark, query = rest.partition("?")
    did, slash, path = rest.partition("/")
    require_did(did)
    url_path = slash + path if slash else None
    if url_path is not None and not _PATH.fullmatch(url_path):
        raise ResolverError(ErrorCode.INVALID_DID_URL, f"invalid path in DID URL {text!r}")
    if question_mark and not _QUERY_OR_FRAGMENT.fullmatch(query):
        raise ResolverError(ErrorCode.INVALID_DID_URL, f"invalid query in DID URL {text!r}")
    if hash_mark and not _QUERY_OR_FRAGMENT.fullmatch(fragment):
        raise ResolverError(ErrorCode.INVALID_DID_URL, f"invalid fragment in DID URL {text!r}")
    if hash_mark and not fragment:
        raise ResolverError(ErrorCode.INVALID_DID_URL, f"empty fragment in DID URL {text!r}")
    params: dict[str, str] = {}
    if question_mark:
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name in params:
                raise ResolverError(ErrorCode.INVALID_DID_URL, f"DID parameter {name!r} given twice")
            params[name] = value
    return DidUrl(
        did=did,
        method=method_of(did),
        path=url_path,
        query=query if question_mark else None,
        fragment=fragment if hash_mark else None,
        params=params,
    )


def parse_xml_datetime(text: str, *, what: str = "versionTime") -> int:
    """Unix seconds of an XML Schema dateTime (a time without a zone is taken as UTC)."""
    match = _XML_DATETIME.fullmatch(text.strip())
    if match is None:
        raise ResolverError(
            ErrorCode.INVALID_OPTIONS, f"{what} {text!r} is not an XML datetime such as 2025-01-01T00:00:00Z"
        )
    zone = match["zone"] or "Z"
    try:
        moment = datetime.fromisoformat(f"{match['date']}T{match['time']}{'+00:00' if zone == 'Z' else zone}")
    except ValueError:
        raise ResolverError(
            ErrorCode.INVALID_OPTIONS, f"{what} {text!r} is not a valid date and time"
        ) from None
    seconds = int(moment.timestamp())
    if not MIN_TIME <= seconds <= MAX_TIME:
        raise ResolverError(ErrorCode.INVALID_OPTIONS, f"{what} {text!r} is outside years 1 to 9999 UTC")
    return seconds


def is_number(text: str) -> bool:
    """Only ASCII decimal digits: ``str.isdigit`` alone also accepts ``"³"``, which ``int`` refuses."""
    return text.isascii() and text.isdigit()


def parse_number(text: str, *, what: str, maximum: int = MAX_NUMBER) -> int:
    """A positive decimal integer no larger than `maximum`, else INVALID_OPTIONS (400)."""
    if not is_number(text) or len(text) > len(str(maximum)) or not 1 <= int(text) <= maximum:
        raise ResolverError(ErrorCode.INVALID_OPTIONS, f"{what} {text!r} is not a number from 1 to {maximum}")
    return int(text)


def parse_time_option(text: str, *, what: str) -> int:
    """An "as of" time given as an XML datetime or as unix seconds."""
    stripped = text.strip()
    if is_number(stripped):
        if len(stripped) > len(str(MAX_TIME)) or int(stripped) > MAX_TIME:
            raise ResolverError(ErrorCode.INVALID_OPTIONS, f"{what} {text!r} is after 9999-12-31T23:59:59Z")
        return int(stripped)
    return parse_xml_datetime(stripped, what=what)


def xml_datetime(seconds: int | None) -> str | None:
    """An XML datetime in UTC without fractional seconds, e.g. ``2025-01-01T00:00:00Z``."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

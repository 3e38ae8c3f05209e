"""Accept negotiation for the DID resolution HTTP binding (standards.md §2.2-2.4).

Document media types give the DID document alone; result media types give the DID Resolution
(or DID URL Dereferencing) Result. The result media type also decides how errors are
written: the legacy profile gives legacy errors, everything else the current (CR) form.

The documents are DID Core 1.0 (W3C Recommendation): `@context` starts with
``https://www.w3.org/ns/did/v1`` and their media types are ``application/did+ld+json`` (§6.3) and
``application/did+json`` (§6.2); a result's ``contentType`` names the first. ``application/did`` is
DID 1.1's one media type (DID 1.1 CR §"Media Types"), whose JSON-LD production MUST start
`@context` with ``https://www.w3.org/ns/did/v1.1``; a 1.0 document is not that, so an Accept that
leaves no other choice is REPRESENTATION_NOT_SUPPORTED (406; DID Resolution §"resolveRepresentation":
an `accept` the resolver does not support). DID 1.1 is a Candidate Recommendation whose context is
not final (its hash is of ``v1.1rc1``), and the clients we serve (did-resolver, didkit, the
Universal Resolver's drivers) read 1.0 documents. ``text/uri-list`` is the answer of service
dereferencing (DID Resolution §"Dereferencing the Primary Resource": a 303 to the selected
endpoint), so it is acceptable only there.
"""

from __future__ import annotations

from dataclasses import dataclass

from resolver.errors import ErrorCode, ResolverError

DID_LD_JSON = "application/did+ld+json"
DID_JSON = "application/did+json"
DID = "application/did"
LD_JSON = "application/ld+json"
JSON = "application/json"
DOCUMENT_TYPES = (DID_LD_JSON, DID_JSON, LD_JSON, JSON)
URI_LIST = "text/uri-list"

RESOLUTION = "application/did-resolution"
DEREFERENCING = "application/did-url-dereferencing"
RESOLUTION_PROFILE = "https://w3id.org/did-resolution"
DEREFERENCING_PROFILE = "https://w3id.org/did-url-dereferencing"
LEGACY_RESOLUTION = f'{LD_JSON};profile="{RESOLUTION_PROFILE}"'
LEGACY_DEREFERENCING = f'{LD_JSON};profile="{DEREFERENCING_PROFILE}"'

DEFAULT_DOCUMENT_TYPE = DID_LD_JSON


@dataclass(frozen=True)
class Representation:
    """What to answer: a bare document (`result` False) or a result object, and in which style."""

    content_type: str
    result: bool
    legacy: bool

    @property
    def document_type(self) -> str:
        """The DID document representation inside a result (its `contentType`)."""
        return self.content_type if not self.result else DID_LD_JSON

    @property
    def error_content_type(self) -> str:
        return LEGACY_RESOLUTION if self.legacy else RESOLUTION


CR_ERRORS = Representation(RESOLUTION, result=True, legacy=False)
"""How errors are written when the Accept header does not ask for the legacy profile."""


@dataclass(frozen=True)
class _Range:
    media_type: str
    params: dict[str, str]
    q: float
    order: int


def _parse(accept: str) -> list[_Range]:
    ranges = []
    for order, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        if not parts[0]:
            continue
        params: dict[str, str] = {}
        for part in parts[1:]:
            name, _, value = part.partition("=")
            params[name.strip().lower()] = value.strip().strip('"')
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            q = 0.0
        ranges.append(_Range(parts[0].lower(), params, q, order))
    return sorted(ranges, key=lambda r: (-r.q, r.order))


def _match(media: _Range, uri_list: bool = False) -> Representation | None:
    mt, profile = media.media_type, media.params.get("profile", "")
    if uri_list and mt == URI_LIST:
        return Representation(URI_LIST, result=False, legacy=False)
    if mt == LD_JSON and profile:
        profiles = profile.split()
        if RESOLUTION_PROFILE in profiles:
            return Representation(LEGACY_RESOLUTION, result=True, legacy=True)
        if DEREFERENCING_PROFILE in profiles:
            return Representation(LEGACY_DEREFERENCING, result=True, legacy=True)
    if mt == RESOLUTION:
        return Representation(RESOLUTION, result=True, legacy=False)
    if mt == DEREFERENCING:
        return Representation(DEREFERENCING, result=True, legacy=False)
    if mt in DOCUMENT_TYPES:
        return Representation(mt, result=False, legacy=False)
    if mt in ("*/*", "application/*"):
        return Representation(DEFAULT_DOCUMENT_TYPE, result=False, legacy=False)
    return None


def negotiate(accept: str | None, *, uri_list: bool = False) -> Representation:
    """The representation for an Accept header (`uri_list`: when dereferencing a service, where
    ``text/uri-list`` is the answer); REPRESENTATION_NOT_SUPPORTED if none fits."""
    if accept is None or not accept.strip():
        return Representation(DEFAULT_DOCUMENT_TYPE, result=False, legacy=False)
    for media in _parse(accept):
        if media.q <= 0:
            continue
        chosen = _match(media, uri_list)
        if chosen is not None:
            return chosen
    also = (
        f"; {DID} is DID 1.1's media type and these are DID 1.0 documents ({DID_LD_JSON}, {DID_JSON})"
        if any(m.media_type == DID for m in _parse(accept))
        else ""
    )
    raise ResolverError(
        ErrorCode.REPRESENTATION_NOT_SUPPORTED,
        f"none of {accept!r} is supported; use one of {', '.join((*DOCUMENT_TYPES, RESOLUTION))} "
        f"or {LEGACY_RESOLUTION}{also}",
    )


def error_style(accept: str | None) -> Representation:
    """How to write an error: legacy if the Accept header mentions the legacy result profile at all
    (even at q=0, so a refused request still gets an error its client can read), else CR."""
    for media in _parse(accept or ""):
        chosen = _match(media)
        if chosen is not None and chosen.legacy:
            return chosen
    return CR_ERRORS

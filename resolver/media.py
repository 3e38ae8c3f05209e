"""Accept negotiation for the DID resolution HTTP binding (standards.md §2.2-2.4).

Document media types give the DID document alone; result media types give the DID Resolution
(or DID URL Dereferencing) Result. The result media type also decides how errors are
written: the legacy profile gives legacy errors, everything else the current (CR) form.
"""

from __future__ import annotations

from dataclasses import dataclass

from resolver.errors import ErrorCode, ResolverError

DID_LD_JSON = "application/did+ld+json"
DID_JSON = "application/did+json"
DID = "application/did"
LD_JSON = "application/ld+json"
JSON = "application/json"
DOCUMENT_TYPES = (DID_LD_JSON, DID_JSON, DID, LD_JSON, JSON)

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
        if not self.result:
            return self.content_type
        return DID_LD_JSON if self.legacy else DID

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


def _match(media: _Range) -> Representation | None:
    mt, profile = media.media_type, media.params.get("profile", "")
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


def negotiate(accept: str | None) -> Representation:
    """The representation for an Accept header; REPRESENTATION_NOT_SUPPORTED if none fits."""
    if accept is None or not accept.strip():
        return Representation(DEFAULT_DOCUMENT_TYPE, result=False, legacy=False)
    for media in _parse(accept):
        if media.q <= 0:
            continue
        chosen = _match(media)
        if chosen is not None:
            return chosen
    raise ResolverError(
        ErrorCode.REPRESENTATION_NOT_SUPPORTED,
        f"none of {accept!r} is supported; use one of {', '.join((*DOCUMENT_TYPES, RESOLUTION))} "
        f"or {LEGACY_RESOLUTION}",
    )


def error_style(accept: str | None) -> Representation:
    """How to write an error: legacy if the Accept header mentions the legacy result profile at all
    (even at q=0, so a refused request still gets an error its client can read), else CR."""
    for media in _parse(accept or ""):
        chosen = _match(media)
        if chosen is not None and chosen.legacy:
            return chosen
    return CR_ERRORS

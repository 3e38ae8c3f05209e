"""DID resolution and DID URL dereferencing over TrustViews (no HTTP here).

Which DIDs resolve, and how:
1. a DID the registry knows (any method: did:elsi, did:web, did:example, ...) resolves from
   the ledger views, with its whole version history;
2. otherwise did:key, did:jwk and did:pkh resolve offline through didkit;
3. otherwise a DID of a method the registry is authoritative for (`registry_methods`, by default
   elsi, web, ebsi and example: methods whose DIDs parents may register at any time) is NOT_FOUND;
4. any other method is METHOD_NOT_SUPPORTED (501).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from projections.api import EntityVersion, TrustViews
from resolver.did_syntax import DidUrl, method_of, parse_number, parse_xml_datetime, xml_datetime
from resolver.did_web import web_location
from resolver.documents import (
    RELATIONSHIPS,
    did_url,
    find_resource,
    render_document,
    sanitize_foreign,
    service_type_value,
)
from resolver.errors import ErrorCode, ResolverError
from resolver.foreign import FOREIGN_METHODS, resolve_foreign

DEFAULT_REGISTRY_METHODS = frozenset({"elsi", "web", "ebsi", "example"})
OPTION_NAMES = ("versionId", "versionTime", "expandRelativeUrls", "verificationRelationship")
_URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})*")
"""RFC 3986 characters: unreserved, sub-delims, gen-delims but brackets, percent-encodings."""


def relative_reference(value: str) -> str:
    """``value`` if it is an RFC 3986 relative reference without an authority (a path, query or
    fragment: ``/credential``, ``a/b?x=1``, ``#f``), else INVALID_DID_URL: a relativeRef that names
    another host (``https://evil.example``, ``//evil.example``, ``\\evil.example``) would make the
    303 an open redirect."""
    first_segment = re.split(r"[/?#]", value, maxsplit=1)[0]
    if not _URI_CHARACTERS.fullmatch(value) or value.startswith("//") or ":" in first_segment:
        raise ResolverError(
            ErrorCode.INVALID_DID_URL,
            f"relativeRef {value[:100]!r} is not a relative reference (RFC 3986 §4.2: no scheme, no "
            "authority, URI characters only)",
        )
    return value


@dataclass(frozen=True)
class Options:
    """Resolution and dereferencing options, merged from DID parameters and the query string."""

    version_id: int | None = None
    version_time: int | None = None
    verification_relationship: str | None = None
    service: str | None = None
    service_type: str | None = None
    relative_ref: str | None = None

    @property
    def versioned(self) -> bool:
        return self.version_id is not None or self.version_time is not None


def options_from(url: DidUrl, query: Mapping[str, list[str]]) -> Options:
    """Merge DID parameters and HTTP query options; a conflict or a malformed value is INVALID_OPTIONS."""
    merged: dict[str, str] = {}
    for name, values in query.items():
        if len(values) > 1:
            raise ResolverError(ErrorCode.INVALID_OPTIONS, f"option {name!r} given {len(values)} times")
        merged[name] = values[0]
    for name, value in url.params.items():
        if name in merged and merged[name] != value:
            raise ResolverError(
                ErrorCode.INVALID_OPTIONS, f"{name!r} differs between the DID URL and the query string"
            )
        merged[name] = value
    if "hl" in merged:
        raise ResolverError(ErrorCode.FEATURE_NOT_SUPPORTED, "hashlink (hl) verification is not supported")
    version_id = None
    if "versionId" in merged:
        version_id = parse_number(merged["versionId"], what="versionId")
    version_time = parse_xml_datetime(merged["versionTime"]) if "versionTime" in merged else None
    if version_id is not None and version_time is not None:
        raise ResolverError(ErrorCode.INVALID_OPTIONS, "give versionId or versionTime, not both")
    expand = merged.get("expandRelativeUrls")
    if expand is not None and expand not in ("true", "false"):
        raise ResolverError(ErrorCode.INVALID_OPTIONS, f"expandRelativeUrls {expand!r} is not true or false")
    relationship = merged.get("verificationRelationship")
    if relationship is not None and relationship not in RELATIONSHIPS:
        raise ResolverError(
            ErrorCode.INVALID_OPTIONS,
            f"verificationRelationship {relationship!r} is not one of {RELATIONSHIPS}",
        )
    return Options(
        version_id=version_id,
        version_time=version_time,
        verification_relationship=relationship,
        service=merged.get("service"),
        service_type=merged.get("serviceType"),
        relative_ref=relative_reference(merged["relativeRef"]) if "relativeRef" in merged else None,
    )


@dataclass(frozen=True)
class Resolution:
    """A successful resolution (possibly of a deactivated DID)."""

    did: str
    document: dict[str, Any]
    document_metadata: dict[str, Any]
    holds_until: int | None
    """The unix time from which the same views may answer differently (a key's validity window
    opening or closing at the time the answer was read at); None: only the views moving on change
    it (resolver.hot_path replays it until then)."""
    resolution_metadata: dict[str, Any] = field(default_factory=dict)
    deactivated: bool = False


def provenance_metadata(version: EntityVersion) -> dict[str, Any]:
    p = version.provenance
    return {
        "event": version.event,
        "by": version.by,
        "chainId": p.chain_id,
        "contract": p.contract,
        "blockNumber": p.block_number,
        "blockHash": p.block_hash,
        "blockTime": xml_datetime(p.block_time),
        "txHash": p.tx_hash,
        "logIndex": p.log_index,
    }


def ledger_metadata(did: str) -> dict[str, Any]:
    """Resolution metadata of an answer from the ledger: the registry's document is authoritative
    (the registry attests the keys); for a did:web DID, `publishedCopy` is where the organisation
    publishes a copy of it (resolver.did_web), which a did:web resolver reads instead."""
    metadata: dict[str, Any] = {"method": method_of(did), "source": "ledger", "authoritative": True}
    location = web_location(did)
    if location is not None:
        metadata["publishedCopy"] = location.url
    return metadata


class DidResolver:
    """Resolves DIDs from the views (and didkit) and dereferences DID URLs."""

    def __init__(
        self,
        views: TrustViews,
        *,
        clock: Callable[[], int],
        registry_methods: frozenset[str] = DEFAULT_REGISTRY_METHODS,
    ) -> None:
        self.views = views
        self.clock = clock
        self.registry_methods = registry_methods

    # ------------------------------------------------------------------ resolve

    def resolve(self, did: str, options: Options) -> Resolution:
        current = self.views.entity_version(did)
        if current is None:
            return self._resolve_elsewhere(did, options)
        version = current
        if options.version_id is not None:
            version = self._version_or_404(
                self.views.entity_version(did, version=options.version_id),
                f"{did} has no version {options.version_id} (latest is {current.version})",
            )
        elif options.version_time is not None:
            version = self._version_or_404(
                self.views.entity_version(did, at_time=options.version_time),
                f"{did} did not exist at {xml_datetime(options.version_time)}",
            )
        now = self.clock()
        if options.version_time is not None:
            at = options.version_time
        elif version.valid_until is not None:
            at = min(now, version.valid_until - 1)  # the last moment the version was in force
        else:
            at = now
        if at != now:
            holds_until = None  # read at a fixed time
        elif options.versioned:
            # the effective status at `at` may still change at a block time the views already
            # hold but the clock has not reached (a chain ahead of the clock): not beyond this second
            holds_until = now + 1
        else:
            edges = (key.next_edge_after(at) for key in version.state.keys.values())
            holds_until = min((edge for edge in edges if edge is not None), default=None)
        effective = self.views.effective_status(did, at_time=at if options.versioned else None)
        document = render_document(version, effective, at)
        first = self.views.first_version(did) or version
        metadata: dict[str, Any] = {
            "created": xml_datetime(first.valid_from),
            "versionId": str(version.version),
            "deactivated": version.state.status == "revoked",
        }
        if version.version > first.version:
            metadata["updated"] = xml_datetime(version.valid_from)
        if version.next_version is not None:
            metadata["nextVersionId"] = str(version.next_version)
            metadata["nextUpdate"] = xml_datetime(version.valid_until)
        metadata["provenance"] = provenance_metadata(version)
        return Resolution(
            did=did,
            document=document,
            document_metadata=metadata,
            resolution_metadata=ledger_metadata(did),
            deactivated=metadata["deactivated"],
            holds_until=holds_until,
        )

    @staticmethod
    def _version_or_404(version: EntityVersion | None, detail: str) -> EntityVersion:
        if version is None:
            raise ResolverError(ErrorCode.NOT_FOUND, detail)
        return version

    def _resolve_elsewhere(self, did: str, options: Options) -> Resolution:
        method = method_of(did)
        if method in FOREIGN_METHODS:
            if options.version_id is not None:
                raise ResolverError(
                    ErrorCode.FEATURE_NOT_SUPPORTED, f"did:{method} documents have no versions (versionId)"
                )
            document = sanitize_foreign(resolve_foreign(did))
            return Resolution(
                did=did,
                document=document,
                document_metadata={},
                resolution_metadata={"method": method, "source": "didkit"},
                holds_until=None,  # derived from the identifier itself: never changes
            )
        if method in self.registry_methods:
            raise ResolverError(ErrorCode.NOT_FOUND, f"{did} is not registered in this trust ledger")
        supported = sorted(self.registry_methods | FOREIGN_METHODS)
        raise ResolverError(
            ErrorCode.METHOD_NOT_SUPPORTED,
            f"did:{method} is not resolved here (methods: {', '.join(supported)})",
        )

    # ------------------------------------------------------------------ dereference

    @staticmethod
    def select_fragment(resolution: Resolution, fragment: str, options: Options) -> dict[str, Any]:
        """The verification method or service `#fragment` of the resolved document."""
        resource = find_resource(resolution.document, fragment)
        if resource is None:
            raise ResolverError(ErrorCode.NOT_FOUND, f"{resolution.did} has no #{fragment}")
        relationship = options.verification_relationship
        if relationship is not None:
            target = resource.get("id")
            allowed = [
                entry if isinstance(entry, str) else entry.get("id")
                for entry in resolution.document.get(relationship, [])
            ]
            if target not in allowed:
                raise ResolverError(
                    ErrorCode.NOT_FOUND, f"{target} is not authorised for {relationship} in {resolution.did}"
                )
        return resource

    @staticmethod
    def select_service_url(resolution: Resolution, options: Options, fragment: str | None = None) -> str:
        """The service endpoint URL chosen by `service` / `serviceType`, with `relativeRef` applied
        and the DID URL's `fragment` appended (DID Resolution §"Dereferencing the Secondary
        Resource": the endpoint URL inherits it; an endpoint that has a fragment already is an
        error)."""
        did = resolution.did
        contexts = resolution.document.get("@context")
        wanted_types = set()
        if options.service_type is not None:
            context_list = contexts if isinstance(contexts, list) else []
            wanted_types = {options.service_type, service_type_value(options.service_type, context_list)[0]}
        matches = []
        for service in resolution.document.get("service", []):
            if options.service is not None and service.get("id") != did_url(did, options.service):
                continue
            types = service.get("type")
            types = types if isinstance(types, list) else [types]
            if options.service_type is not None and not wanted_types & set(types):
                continue
            endpoint = service.get("serviceEndpoint")
            if isinstance(endpoint, str):
                matches.append(endpoint)
        if not matches:
            wanted = options.service if options.service is not None else f"type {options.service_type}"
            raise ResolverError(ErrorCode.NOT_FOUND, f"{did} has no service {wanted}")
        endpoint = matches[0]
        url = urljoin(endpoint, options.relative_ref) if options.relative_ref else endpoint
        if fragment is None:
            return url
        if "#" in url:
            raise ResolverError(
                ErrorCode.INVALID_DID_URL,
                f"the selected endpoint {url[:200]} has a fragment already; the DID URL's #{fragment} "
                "cannot be appended",
            )
        return f"{url}#{fragment}"

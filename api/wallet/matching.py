"""Which held credential answers each query of a presentation request, and what it will disclose.

DCQL (OID4VP 1.0 §6): per credential query its ``format``, ``meta`` (``vct_values`` for SD-JWT VCs,
``type_values`` for ``jwt_vc_json``), ``claims`` (with ``values``) and ``claim_sets``; then
``credential_sets`` decide which queries must be answered (all of them when there are none).
Presentation Exchange (twdiw): per input descriptor its ``format`` and ``constraints.fields``
(JSONPath alternatives, ``filter`` with ``const`` / ``enum`` / ``pattern`` / ``type``, ``optional``).

Only the claims asked for are disclosed; a query without claims discloses none of the selectively
disclosable ones. Among several fitting credentials the most recently received one is used;
expired credentials are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from api.credentials.claims import current_time
from api.credentials.disclosures import Disclosure
from api.credentials.errors import CredentialError
from api.credentials.jwt_vc import expanded_types
from api.credentials.keys import read_payload
from api.credentials.sd_jwt import SdJwt, twdiw_types
from api.wallet.claim_paths import Path, Reached, display, is_path, json_path, reach
from api.wallet.errors import WalletError
from api.wallet.received import SD_JWT_FORMATS, SUPPORTED_FORMATS
from api.wallet.store import StoredCredential

STEP = "credential matching"


@dataclass(frozen=True)
class Match:
    """A credential chosen for one query: the SD-JWT disclosures to keep (by claim name) and what
    the verifier will read (claim path -> value). ``selective`` is False for ``jwt_vc_json``,
    which is always shown whole."""

    query_id: str
    format: str
    credential: StoredCredential
    disclose: tuple[str, ...]
    disclosed: dict[str, Any]
    selective: bool


@dataclass(frozen=True)
class _Held:
    """A stored credential opened for matching (unverified: it is our own)."""

    stored: StoredCredential
    payload: dict[str, Any]
    disclosures: dict[str, Disclosure]
    types: tuple[str, ...]
    expired: bool
    roots: tuple[Path, ...] = field(default=([],))
    """Path prefixes to try: a claim path may be relative to the payload or to its credential body."""

    @classmethod
    def open(cls, stored: StoredCredential, now: int) -> _Held | None:
        try:
            if stored.format in SD_JWT_FORMATS:
                parsed = SdJwt.parse(stored.raw)
                payload = read_payload(parsed.issuer_jwt)
                disclosures = {d.digest: d for d in map(Disclosure.parse, parsed.disclosures)}
                vct = payload.get("vct")
                types: tuple[str, ...] = (vct,) if isinstance(vct, str) else ()
                roots: tuple[Path, ...] = ([],)
                if stored.format == "vc+sd-jwt":  # VCDM 1.1 JWT: paths name the vc claim's members
                    types = tuple(twdiw_types(payload))
                    roots = (["vc"], [])
            else:
                payload, disclosures = read_payload(stored.raw), {}
                body = payload.get("vc")
                found = body.get("type") if isinstance(body, dict) else None
                types = tuple(t for t in found if isinstance(t, str)) if isinstance(found, list) else ()
                # DCQL type_values are expanded IRIs (OID4VP Appendix B.1.1); short names match too
                types += tuple(expanded_types(body)) if isinstance(body, dict) else ()
                roots = (["vc"], [])
        except CredentialError:
            return None
        exp = payload.get("exp")
        expired = isinstance(exp, int | float) and not isinstance(exp, bool) and exp <= now
        return cls(stored, payload, disclosures, types, expired, roots)

    def reach(self, path: Path) -> Reached | None:
        for root in self.roots:
            found = reach(self.payload, [*root, *path], self.disclosures)
            if found is not None:
                return found
        return None


def _held(credentials: list[StoredCredential], now: int) -> list[_Held]:
    """Usable credentials, newest first."""
    opened = (_Held.open(c, now) for c in reversed(credentials))
    return [h for h in opened if h is not None and not h.expired]


def _build(query_id: str, held: _Held, reached: dict[str, Reached]) -> Match:
    selective = held.stored.format in SD_JWT_FORMATS
    names = sorted(set().union(*(r.names for r in reached.values()))) if selective else []
    disclosed = (
        {path: (r.values[0] if len(r.values) == 1 else r.values) for path, r in reached.items()}
        if selective
        else dict(held.stored.claims)
    )
    return Match(query_id, held.stored.format, held.stored, tuple(names), disclosed, selective)


# --- DCQL ------------------------------------------------------------------------------------


def _meta_fits(query: dict[str, Any], held: _Held) -> bool:
    meta = query.get("meta") or {}
    if not isinstance(meta, dict):
        raise WalletError(STEP, f"query {query.get('id')!r}: meta is not an object")
    if held.stored.format in SD_JWT_FORMATS:
        vct_values = meta.get("vct_values")
        return vct_values is None or (
            isinstance(vct_values, list) and any(v in held.types for v in vct_values)
        )
    type_values = meta.get("type_values")
    if type_values is None:
        return True
    return isinstance(type_values, list) and any(
        isinstance(alternative, list) and all(t in held.types for t in alternative)
        for alternative in type_values
    )


def _claim(claim: dict[str, Any], held: _Held) -> Reached | None:
    """What one claims query reaches in ``held`` (only values among ``values``, when given)."""
    found = held.reach(claim["path"])
    values = claim.get("values")
    if found is None or not isinstance(values, list):
        return found
    kept = [v for v in found.values if v in values]
    return Reached(kept, found.names) if kept else None


def _dcql_claims(query: dict[str, Any], held: _Held) -> dict[str, Reached] | None:
    """The claims to disclose (display path -> what it reaches), or None when they cannot be."""
    claims = query.get("claims")
    if claims is None:
        return {}
    if not isinstance(claims, list) or not all(
        isinstance(c, dict) and is_path(c.get("path")) for c in claims
    ):
        raise WalletError(STEP, f"query {query.get('id')!r}: claims must be objects with a path")
    reached = [_claim(claim, held) for claim in claims]
    ids = [claim.get("id") for claim in claims]
    chosen: list[int] | None = list(range(len(claims)))
    claim_sets = query.get("claim_sets")
    if claim_sets is not None:
        options = [o for o in claim_sets if isinstance(o, list)] if isinstance(claim_sets, list) else []
        chosen = next(
            (
                [i for i, claim_id in enumerate(ids) if claim_id in option]
                for option in options
                if all(claim_id in ids and reached[ids.index(claim_id)] is not None for claim_id in option)
            ),
            None,
        )
    if chosen is None or any(reached[i] is None for i in chosen):
        return None
    return {display(claims[i]["path"]): reached[i] for i in chosen}  # type: ignore[misc]


def _describe(query: dict[str, Any]) -> str:
    meta = query.get("meta") or {}
    kinds = meta.get("vct_values") or meta.get("type_values") or "any type"
    claims = [
        display(c["path"])
        for c in query.get("claims") or []
        if isinstance(c, dict) and is_path(c.get("path"))
    ]
    return f"{query.get('format')} of {kinds}" + (f" with {', '.join(claims)}" if claims else "")


def match_dcql(dcql: dict[str, Any], credentials: list[StoredCredential], now: int) -> list[Match]:
    """One match per credential query that must (or can) be answered."""
    queries = dcql.get("credentials")
    if not isinstance(queries, list) or not queries or not all(isinstance(q, dict) for q in queries):
        raise WalletError(STEP, "dcql_query.credentials must be a non-empty array of objects")
    held = _held(credentials, now)
    found: dict[str, Match | None] = {}
    for query in queries:
        query_id, fmt = query.get("id"), query.get("format")
        if not isinstance(query_id, str) or not query_id or query_id in found:
            raise WalletError(STEP, f"credential query id {query_id!r} is missing or repeated")
        if fmt not in SUPPORTED_FORMATS:
            found[query_id] = None
            continue
        found[query_id] = next(
            (
                _build(query_id, h, claims)
                for h in held
                if h.stored.format == fmt and _meta_fits(query, h)
                for claims in [_dcql_claims(query, h)]
                if claims is not None
            ),
            None,
        )
    wanted = _wanted(dcql.get("credential_sets"), found)
    if wanted - set(found):
        raise WalletError(STEP, f"credential_sets name unknown queries {sorted(wanted - set(found))}")
    missing = [q for q in queries if q["id"] in wanted and found[q["id"]] is None]
    if missing:
        raise WalletError(
            STEP, "no held credential answers " + "; ".join(f"{q['id']!r} ({_describe(q)})" for q in missing)
        )
    return [m for m in found.values() if m is not None and m.query_id in wanted]


def _wanted(credential_sets: Any, found: dict[str, Match | None]) -> set[str]:
    """The query ids to answer: all, or per credential set its first answerable option."""
    if credential_sets is None:
        return set(found)
    if not isinstance(credential_sets, list):
        raise WalletError(STEP, "credential_sets is not an array")
    wanted: set[str] = set()
    for entry in credential_sets:
        options = entry.get("options") if isinstance(entry, dict) else None
        if not isinstance(options, list) or not options:
            raise WalletError(STEP, "a credential set has no options")
        ids = [[i for i in o if isinstance(i, str)] for o in options if isinstance(o, list)]
        answerable = [o for o in ids if all(found.get(i) is not None for i in o)]
        if answerable:
            wanted.update(answerable[0])
        elif entry.get("required", True):
            wanted.update(ids[0] if ids else [])
    return wanted


# --- Presentation Exchange (twdiw) -----------------------------------------------------------


def _filter_accepts(spec: Any, value: Any) -> bool:
    """A JSON Schema ``filter``: const, enum, type (string, array), pattern and, for an array,
    ``contains`` (the official verifier's ``$.type`` filter: ``{"type": "array", "contains":
    {"const": <template code>}}``)."""
    if not isinstance(spec, dict):
        return True
    if "contains" in spec and not (
        isinstance(value, list) and any(_filter_accepts(spec["contains"], item) for item in value)
    ):
        return False
    if spec.get("type") == "array" and not isinstance(value, list):
        return False
    if "const" in spec and value != spec["const"]:
        return False
    if "enum" in spec and value not in (spec["enum"] if isinstance(spec["enum"], list) else []):
        return False
    if spec.get("type") == "string" and not isinstance(value, str):
        return False
    pattern = spec.get("pattern")
    return not isinstance(pattern, str) or (isinstance(value, str) and re.search(pattern, value) is not None)


def _field(spec: dict[str, Any], held: _Held) -> tuple[Path, Reached] | None:
    """The first path alternative of a field that reaches a value its filter accepts."""
    paths = spec.get("path")
    for text in paths if isinstance(paths, list) else []:
        path = json_path(text)
        found = held.reach(path) if path else None
        kept = [v for v in found.values if _filter_accepts(spec.get("filter"), v)] if found else []
        if found is not None and path is not None and kept:
            return path, Reached(kept, found.names)
    return None


def _pe_claims(descriptor: dict[str, Any], held: _Held) -> dict[str, Reached] | None:
    """The fields to disclose (display path -> what it reaches); a filter-only field that needs no
    disclosure (e.g. ``$.vct``) is a constraint, not a disclosure. None when a field fails."""
    constraints = descriptor.get("constraints") or {}
    fields = constraints.get("fields") if isinstance(constraints, dict) else None
    reached: dict[str, Reached] = {}
    for spec in fields if isinstance(fields, list) else []:
        found = _field(spec, held) if isinstance(spec, dict) else None
        if found is None:
            if isinstance(spec, dict) and spec.get("optional") is True:
                continue
            return None
        path, result = found
        if "filter" not in spec or result.names:
            reached[display(path)] = result
    return reached


def match_definition(
    definition: dict[str, Any], credentials: list[StoredCredential], now: int
) -> list[Match]:
    """One match per input descriptor (``submission_requirements`` are not evaluated: all are answered)."""
    descriptors = definition.get("input_descriptors")
    if (
        not isinstance(descriptors, list)
        or not descriptors
        or not all(isinstance(d, dict) for d in descriptors)
    ):
        raise WalletError(STEP, "presentation_definition.input_descriptors must be a non-empty array")
    held = _held(credentials, now)
    matches = []
    for descriptor in descriptors:
        descriptor_id = descriptor.get("id")
        if not isinstance(descriptor_id, str) or not descriptor_id:
            raise WalletError(STEP, "an input descriptor has no id")
        formats = descriptor.get("format") or definition.get("format") or {f: {} for f in SUPPORTED_FORMATS}
        chosen = next(
            (
                _build(descriptor_id, h, claims)
                for h in held
                if h.stored.format in formats
                for claims in [_pe_claims(descriptor, h)]
                if claims is not None
            ),
            None,
        )
        if chosen is None:
            name = descriptor.get("name") or descriptor_id
            raise WalletError(
                STEP, f"no held credential answers input descriptor {name!r} (formats {', '.join(formats)})"
            )
        matches.append(chosen)
    return matches


def match_request(
    query: dict[str, Any] | None, profile: str, credentials: list[StoredCredential], now: float | None = None
) -> list[Match]:
    """The matches for a request's query (none for a SIOP-only request)."""
    if query is None:
        return []
    at = current_time(now)
    if profile == "twdiw":
        return match_definition(query, credentials, at)
    return match_dcql(query, credentials, at)

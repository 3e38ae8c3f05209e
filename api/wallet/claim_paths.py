"""Claim paths into a held credential: the values they reach and, for an SD-JWT, the disclosures
that must be presented to reveal them.

A path is a list of object keys (str), array indexes (int) and ``None`` (every element), as in
DCQL (OID4VP 1.0 §7); ``json_path`` turns the simple JSONPath of Presentation Exchange
(``$.credentialSubject.name``, ``$['vct']``, ``$.a[0]``, ``$.a[*]``) into one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from api.credentials.disclosures import ARRAY_KEY, SD_ALG_KEY, SD_KEY, Disclosure

Path = list[str | int | None]

_SEGMENT = re.compile(
    r"\.(?P<name>[A-Za-z_$@][\w$@#-]*)|\['(?P<quoted>[^']*)'\]|\[\"(?P<dquoted>[^\"]*)\"\]"
    r"|\[(?P<index>\d+)\]|(?P<all>\[\*\]|\.\*)"
)


@dataclass(frozen=True)
class Reached:
    """What a path reaches: its values, and the disclosure names that reveal them (SD-JWT)."""

    values: list[Any]
    names: frozenset[str]


def json_path(text: Any) -> Path | None:
    """A simple JSONPath (``$`` then ``.name``, ``['name']``, ``[0]``, ``[*]``) as a claim path."""
    if not isinstance(text, str) or not text.startswith("$"):
        return None
    path: Path = []
    position = 1
    while position < len(text):
        found = _SEGMENT.match(text, position)
        if found is None:
            return None
        if found["all"]:
            path.append(None)
        elif found["index"] is not None:
            path.append(int(found["index"]))
        else:
            path.append(found["name"] or found["quoted"] or found["dquoted"] or "")
        position = found.end()
    return path


def is_path(value: Any) -> bool:
    """A non-empty list of str / non-negative int / None."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            p is None or isinstance(p, str) or (isinstance(p, int) and not isinstance(p, bool) and p >= 0)
            for p in value
        )
    )


def reach(
    node: Any, path: Sequence[str | int | None], disclosures: Mapping[str, Disclosure]
) -> Reached | None:
    """Follow ``path`` through ``node`` (an issuer payload with ``_sd`` digests resolved through
    ``disclosures``, keyed by digest); None when the path reaches nothing."""
    if not path:
        value, names = _revealed(node, disclosures)
        return Reached([value], frozenset(names))
    head, rest = path[0], path[1:]
    if isinstance(head, str):
        return _member(node, head, rest, disclosures)
    if not isinstance(node, list):
        return None
    elements = [e for e in node if not _is_array_digest(e)]
    if head is not None:
        elements = elements[head : head + 1]
    found = [r for r in (reach(e, rest, disclosures) for e in elements) if r is not None]
    if not found:
        return None
    return Reached([v for r in found for v in r.values], frozenset().union(*(r.names for r in found)))


def _member(
    node: Any, name: str, rest: Sequence[Any], disclosures: Mapping[str, Disclosure]
) -> Reached | None:
    if not isinstance(node, Mapping) or name in (SD_KEY, SD_ALG_KEY):
        return None
    if name in node:
        return reach(node[name], rest, disclosures)
    for digest in node.get(SD_KEY) or []:
        disclosure = disclosures.get(digest) if isinstance(digest, str) else None
        if disclosure is not None and disclosure.name == name:
            found = reach(disclosure.value, rest, disclosures)
            return None if found is None else Reached(found.values, found.names | {name})
    return None


def _is_array_digest(element: Any) -> bool:
    """An array element hidden behind a digest (``{"...": digest}``): not selectable by name."""
    return isinstance(element, Mapping) and ARRAY_KEY in element


def _revealed(node: Any, disclosures: Mapping[str, Disclosure]) -> tuple[Any, set[str]]:
    """The value with every available disclosure applied, and the names of those disclosures."""
    names: set[str] = set()
    if isinstance(node, Mapping):
        out = {}
        for key, value in node.items():
            if key not in (SD_KEY, SD_ALG_KEY):
                out[key], inner = _revealed(value, disclosures)
                names |= inner
        for digest in node.get(SD_KEY) or []:
            disclosure = disclosures.get(digest) if isinstance(digest, str) else None
            if disclosure is not None and disclosure.name is not None:
                out[disclosure.name], inner = _revealed(disclosure.value, disclosures)
                names |= inner | {disclosure.name}
        return out, names
    if isinstance(node, list):
        items = []
        for element in node:
            if not _is_array_digest(element):
                value, inner = _revealed(element, disclosures)
                items.append(value)
                names |= inner
        return items, names
    return node, names


def display(path: Sequence[str | int | None]) -> str:
    """``a.b[0].c[*]`` for showing a path to the holder."""
    text = ""
    for part in path:
        text += "[*]" if part is None else f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")

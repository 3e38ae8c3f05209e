"""SD-JWT disclosures (RFC 9901 §4.2, §7.1): create, digest, embed as ``_sd``, and reveal.

The digest is ``base64url(sha-256(ASCII(disclosure)))``; hashing here is the spec's algorithm, not
a signature primitive. ``reveal`` implements the verifier's processing with every MUST-reject rule.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from api.credentials.errors import DisclosureMismatch, SdAlgUnsupported
from trust_ledger.codecs import b64url_decode, b64url_encode
from trust_ledger.http_limits import MAX_JSON_DEPTH, nesting_exceeds

SD_ALG = "sha-256"
SD_KEY = "_sd"
SD_ALG_KEY = "_sd_alg"
ARRAY_KEY = "..."
_RESERVED_NAMES = frozenset({SD_KEY, ARRAY_KEY})


def sd_digest(text: str) -> str:
    """``base64url(sha-256(ASCII(text)))``: a disclosure digest, or an ``sd_hash``."""
    return b64url_encode(hashlib.sha256(text.encode("ascii")).digest())


def new_salt() -> str:
    """128 bits of randomness, base64url."""
    return b64url_encode(secrets.token_bytes(16))


@dataclass(frozen=True)
class Disclosure:
    """One disclosure: ``[salt, name, value]`` (object property) or ``[salt, value]`` (array element)."""

    encoded: str
    salt: str
    name: str | None
    value: Any

    @property
    def digest(self) -> str:
        return sd_digest(self.encoded)

    @classmethod
    def create(cls, name: str | None, value: Any, salt: str | None = None) -> Disclosure:
        """A new disclosure; ``name=None`` makes an array-element disclosure."""
        if name in _RESERVED_NAMES:
            raise ValueError(f"claim name {name!r} cannot be selectively disclosed")
        salt = salt or new_salt()
        array = [salt, value] if name is None else [salt, name, value]
        encoded = b64url_encode(json.dumps(array, ensure_ascii=False).encode("utf-8"))
        return cls(encoded=encoded, salt=salt, name=name, value=value)

    @classmethod
    def parse(cls, encoded: str) -> Disclosure:
        """Decode a disclosure, or ``DisclosureMismatch`` when it is not a valid one."""
        try:
            text = b64url_decode(encoded).decode("utf-8")
            if nesting_exceeds(text):
                raise DisclosureMismatch(f"disclosure nests deeper than {MAX_JSON_DEPTH} levels")
            array = json.loads(text)
        except (UnicodeDecodeError, ValueError):  # CodecError: not base64url
            raise DisclosureMismatch("disclosure is not base64url JSON") from None
        if not isinstance(array, list) or len(array) not in (2, 3) or not isinstance(array[0], str):
            raise DisclosureMismatch("disclosure is not [salt, (name,) value]")
        if len(array) == 2:
            return cls(encoded=encoded, salt=array[0], name=None, value=array[1])
        if not isinstance(array[1], str) or array[1] in _RESERVED_NAMES:
            raise DisclosureMismatch(f"disclosure claim name {array[1]!r} is not allowed")
        return cls(encoded=encoded, salt=array[0], name=array[1], value=array[2])


def conceal(
    claims: Mapping[str, Any], names: Iterable[str] | None = None, *, decoys: int = 0
) -> tuple[dict[str, Any], list[Disclosure]]:
    """Make the ``names`` (default: all) properties of ``claims`` selectively disclosable.

    Returns the object with those properties replaced by a sorted ``_sd`` digest list (plus
    ``decoys`` random digests), and the disclosures in claim order.
    """
    if SD_KEY in claims:
        raise ValueError("claims already contain '_sd'")
    chosen = set(claims) if names is None else set(names)
    unknown = chosen - set(claims)
    if unknown:
        raise ValueError(f"no such claims to conceal: {sorted(unknown)}")
    plain: dict[str, Any] = {}
    disclosures: list[Disclosure] = []
    for name, value in claims.items():
        if name in chosen:
            disclosures.append(Disclosure.create(name, value))
        else:
            plain[name] = value
    digests = [d.digest for d in disclosures] + [sd_digest(new_salt()) for _ in range(decoys)]
    if digests:
        plain[SD_KEY] = sorted(digests)
    return plain, disclosures


def reveal(
    payload: Mapping[str, Any], disclosures: Sequence[str]
) -> tuple[dict[str, Any], list[tuple[Disclosure, Any]]]:
    """RFC 9901 §7.1: replace digests by the presented disclosures; drop undisclosed ones.

    Rejects (``DisclosureMismatch``): an unsupported ``_sd_alg``, a malformed or duplicated
    disclosure, a digest occurring twice, a disclosure that no digest references, an
    object/array disclosure in the wrong place, and a disclosed name that already exists.
    Returns the processed claims (no ``_sd``/``_sd_alg``) and each disclosure used with its
    processed value (nested disclosures resolved), in document order.
    """
    sd_alg = payload.get(SD_ALG_KEY, SD_ALG)
    if sd_alg != SD_ALG:
        raise SdAlgUnsupported(f"_sd_alg {sd_alg!r} is not supported")
    by_digest: dict[str, Disclosure] = {}
    for encoded in disclosures:
        disclosure = Disclosure.parse(encoded)
        if disclosure.digest in by_digest:
            raise DisclosureMismatch("the same disclosure is presented twice")
        by_digest[disclosure.digest] = disclosure
    walker = _Walker(by_digest)
    processed = walker.walk_object(payload, top=True)
    unused = set(by_digest) - set(walker.seen)
    if unused:
        raise DisclosureMismatch(f"{len(unused)} disclosure(s) not referenced by any digest")
    return processed, walker.used


class _Walker:
    def __init__(self, by_digest: Mapping[str, Disclosure]):
        self.by_digest = by_digest
        self.seen: set[str] = set()
        self.used: list[tuple[Disclosure, Any]] = []

    def _claim(self, digest: Any) -> Disclosure | None:
        if not isinstance(digest, str):
            raise DisclosureMismatch("a digest is not a string")
        if digest in self.seen:
            raise DisclosureMismatch("a digest occurs more than once")
        self.seen.add(digest)
        return self.by_digest.get(digest)

    def _use(self, disclosure: Disclosure) -> Any:
        slot = len(self.used)
        self.used.append((disclosure, None))
        value = self.walk(disclosure.value)
        self.used[slot] = (disclosure, value)
        return value

    def walk(self, value: Any) -> Any:
        if isinstance(value, dict):
            return self.walk_object(value, top=False)
        if isinstance(value, list):
            return self.walk_array(value)
        return value

    def walk_object(self, obj: Mapping[str, Any], *, top: bool) -> dict[str, Any]:
        # ``_sd_alg`` belongs at the top; TW DIW's issuer (Authlete's SDObjectEncoder with the hash
        # algorithm included, on credentialSubject) also writes it beside a nested ``_sd``
        local_alg = top or SD_KEY in obj
        if local_alg and obj.get(SD_ALG_KEY, SD_ALG) != SD_ALG:
            raise SdAlgUnsupported(f"_sd_alg {obj.get(SD_ALG_KEY)!r} is not supported")
        out = {
            name: self.walk(value)
            for name, value in obj.items()
            if name != SD_KEY and not (local_alg and name == SD_ALG_KEY)
        }
        digests = obj.get(SD_KEY, [])
        if not isinstance(digests, list):
            raise DisclosureMismatch("'_sd' is not an array")
        for digest in digests:
            disclosure = self._claim(digest)
            if disclosure is None:
                continue
            if disclosure.name is None:
                raise DisclosureMismatch("an array-element disclosure is referenced from '_sd'")
            if disclosure.name in out:
                raise DisclosureMismatch(f"disclosed claim {disclosure.name!r} already exists")
            out[disclosure.name] = self._use(disclosure)
        return out

    def walk_array(self, array: Sequence[Any]) -> list[Any]:
        out = []
        for element in array:
            if isinstance(element, dict) and ARRAY_KEY in element:
                if len(element) != 1:
                    raise DisclosureMismatch("an array digest object has extra members")
                disclosure = self._claim(element[ARRAY_KEY])
                if disclosure is None:
                    continue
                if disclosure.name is not None:
                    raise DisclosureMismatch("an object-property disclosure is referenced from an array")
                out.append(self._use(disclosure))
            else:
                out.append(self.walk(element))
        return out

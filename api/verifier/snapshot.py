"""Signed offline snapshots of the trust data: export from the views, verify and read with no network.

A snapshot is a compact JWS (``typ: trust-snapshot+jwt``) whose payload holds every entity of the
trust list (its ``EntityRecord`` and effective status) and every status list (bitstring zlib'd and
base64url'd), plus the block the views reflected and when it was exported. ``OfflineTrustSource``
verifies the signature with a pinned public JWK before it reads a byte of the payload.
"""

from __future__ import annotations

import re
import time
import zlib
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.credentials.errors import CredentialError
from api.credentials.keys import SigningKey, json_object, verify_jws
from api.verifier.trust_source import StatusBits
from projections.accreditation import EntityRecord
from projections.api import EffectiveStatus, StatusListVersion, TrustViews
from projections.records import RecordError
from projections.trust_freshness import FreshnessBounds, TrustFreshness, judge_snapshot
from trust_ledger.codecs import b64url_decode, b64url_encode

SNAPSHOT_TYP = "trust-snapshot+jwt"
SNAPSHOT_FORMAT = "trust-ledger-snapshot/1"
PAGE_SIZE = 1000
CONSISTENT_READ_ATTEMPTS = 5
"""How often to re-read when the views move (a follower projecting) while the snapshot is built."""
_COMPACT_JWS = re.compile(r"^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


class SnapshotInvalid(ValueError):
    """A snapshot that cannot be trusted or read: bad signature, wrong key or typ, malformed payload."""

    reason = "SNAPSHOT_INVALID"


# ---------------------------------------------------------------------- export


def build_snapshot(views: TrustViews, *, now: float | None = None) -> dict[str, Any]:
    """Every entity (any status) and status list the views hold, as one consistent, JSON-ready dict.

    Re-reads while the views' position moves during the read; raises ``ValueError`` when the views
    reflect no block yet or never stand still.
    """
    for _ in range(CONSISTENT_READ_ATTEMPTS):
        before = views.freshness()
        if before.block_number is None:
            raise ValueError("the views reflect no block yet: nothing to export (is the ledger followed?)")
        entities, lists = _read_all(views)
        if views.freshness().position == before.position:
            break
    else:
        raise ValueError(f"the views kept changing over {CONSISTENT_READ_ATTEMPTS} reads; try again")
    snapshot: dict[str, Any] = {"format": SNAPSHOT_FORMAT}
    chain_id = before.chain_id
    if chain_id is not None:
        snapshot["chain_id"] = chain_id
    snapshot.update(
        block_number=before.block_number,
        block_time=before.block_time,
        exported_at=int(time.time() if now is None else now),
        entities=entities,
        status_lists=lists,
    )
    return snapshot


def _read_all(views: TrustViews) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    entities: list[dict[str, Any]] = []
    lists: list[dict[str, Any]] = []
    page = 1
    while True:
        listing = views.trust_list(page=page, size=PAGE_SIZE)
        for entry in listing.items:
            version = views.entity_version(entry.did)
            if version is None:
                raise ValueError(f"the trust list names {entry.did}, which has no entity version")
            record = EntityRecord.from_version(version)
            entities.append({**record.as_dict(), "effective": _effective(entry.effective)})
            lists.extend(_status_list(item) for item in views.status_lists_of(entry.did))
        if not listing.items or page * PAGE_SIZE >= listing.total:
            return entities, lists
        page += 1


def _effective(status: EffectiveStatus) -> dict[str, Any]:
    return {"status": status.status, "own_status": status.own_status, "because_of": status.because_of}


def _status_list(version: StatusListVersion) -> dict[str, Any]:
    return {
        "owner_did": version.owner_did,
        "purpose": version.purpose,
        "uri": version.uri,
        "size": version.size,
        "list_id": version.list_id,
        "block_number": version.block_number,
        "bitstring": b64url_encode(zlib.compress(version.bitstring, 9)),
    }


def sign_snapshot(snapshot: Mapping[str, Any], key: SigningKey, *, now: float | None = None) -> str:
    """The snapshot as a compact JWS signed by ``key``; ``iss`` is the key's kid (DID URL or thumbprint)."""
    claims = {**snapshot, "iat": int(time.time() if now is None else now), "iss": key.kid}
    return key.sign(claims, {"typ": SNAPSHOT_TYP})


# ---------------------------------------------------------------------- offline reading


class OfflineTrustSource:
    """A ``TrustSource`` over a verified snapshot: the same trust decision, with no network.

    Open it with ``load``, which verifies first; the constructor takes ``claims`` as already trusted.
    """

    def __init__(self, claims: dict[str, Any]):
        try:
            self.format = claims["format"]
            if self.format != SNAPSHOT_FORMAT:
                raise SnapshotInvalid(f"unknown snapshot format {self.format!r} (expected {SNAPSHOT_FORMAT})")
            self.chain_id: int | None = claims.get("chain_id")
            self.block_number: int = _int(claims, "block_number")
            self.block_time: int | None = claims.get("block_time")
            self.exported_at: int = _int(claims, "exported_at")
            self.issuer: str | None = claims.get("iss")
            self._entities: dict[str, tuple[EntityRecord, EffectiveStatus]] = {}
            for item in claims["entities"]:
                self._entities[item["did"]] = _entity(item)
            self._lists: dict[tuple[str, str], StatusBits] = {}
            for item in claims["status_lists"]:
                self._lists.setdefault((item["owner_did"], item["uri"]), _bits(item))
        except (KeyError, TypeError, AttributeError, RecordError) as exc:
            raise SnapshotInvalid(f"malformed snapshot payload: {exc.__class__.__name__} {exc}") from None

    @classmethod
    def load(cls, path_or_text: str | Path, trusted_jwk: Mapping[str, Any]) -> OfflineTrustSource:
        """Verify a snapshot (a ``Path``, file name or JWS text) with the pinned public JWK, then read it.

        Raises ``SnapshotInvalid`` naming what is wrong: unreadable, signature, alg, typ or payload.
        """
        token = _token(path_or_text)
        try:
            verified = verify_jws(token, trusted_jwk)
        except CredentialError as exc:
            raise SnapshotInvalid(f"snapshot refused ({exc.reason}): {exc}") from None
        typ = verified.header.get("typ")
        if typ != SNAPSHOT_TYP:
            raise SnapshotInvalid(f"snapshot refused: typ is {typ!r}, not {SNAPSHOT_TYP!r}")
        try:
            claims = json_object(verified.payload, "snapshot payload")
        except CredentialError as exc:
            raise SnapshotInvalid(f"snapshot refused: {exc}") from None
        return cls(claims)

    # TrustSource

    def reading(self) -> AbstractContextManager[None]:
        """A snapshot is one state already."""
        return nullcontext()

    def entity(self, did: str) -> EntityRecord | None:
        found = self._entities.get(did)
        return found[0] if found else None

    def effective_status(self, did: str) -> EffectiveStatus | None:
        found = self._entities.get(did)
        return found[1] if found else None

    def status_list(self, owner_did: str, uri: str) -> StatusBits | None:
        return self._lists.get((owner_did, uri))

    def as_of(self) -> int | None:
        return self.block_time

    def trust_freshness(self, bounds: FreshnessBounds, now: float) -> TrustFreshness:
        """No follower stands behind a snapshot: its age since export decides (max_snapshot_age)."""
        return judge_snapshot(self.block_number, self.exported_at, bounds, now)

    def describe(self) -> str:
        exported = datetime.fromtimestamp(self.exported_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"offline snapshot of block {self.block_number} exported at {exported}"

    # how old

    def age(self, now: float | None = None) -> int:
        """Seconds since the snapshot was exported (negative if ``now`` is before that)."""
        return int((time.time() if now is None else now) - self.exported_at)

    def block_age(self, now: float | None = None) -> int | None:
        """Seconds since the block time the snapshot reflects, None if it reflects none."""
        if self.block_time is None:
            return None
        return int((time.time() if now is None else now) - self.block_time)

    @property
    def entity_count(self) -> int:
        return len(self._entities)

    @property
    def list_count(self) -> int:
        return len(self._lists)


def _token(path_or_text: str | Path) -> str:
    """The JWS text: a ``Path`` or a string that is not a compact JWS names a file."""
    if isinstance(path_or_text, str) and _COMPACT_JWS.match(path_or_text.strip()):
        return path_or_text.strip()
    try:
        return Path(path_or_text).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SnapshotInvalid(f"cannot read the snapshot {path_or_text}: {exc}") from None


def _int(claims: dict[str, Any], name: str) -> int:
    value = claims[name]
    if not isinstance(value, int) or isinstance(value, bool):
        raise SnapshotInvalid(f"malformed snapshot payload: {name} is not an integer")
    return value


def _entity(item: dict[str, Any]) -> tuple[EntityRecord, EffectiveStatus]:
    if not isinstance(item["status"], str) or not all(
        isinstance(item[name], dict) for name in ("keys", "accreditations")
    ):
        raise SnapshotInvalid(
            f"malformed snapshot payload: entity {item['did']!r} has a bad status, keys or accreditations"
        )
    record = EntityRecord.from_state(item["did"], item["parent_did"], item)
    effective = item["effective"]
    return record, EffectiveStatus(effective["status"], effective["own_status"], effective["because_of"])


def _bits(item: dict[str, Any]) -> StatusBits:
    """A status list of the payload, its bitstring inflated and checked against its size."""
    size = item["size"]
    expected = (size + 7) // 8
    try:
        inflater = zlib.decompressobj()
        bitstring = inflater.decompress(b64url_decode(item["bitstring"]), expected + 1)
    except (ValueError, zlib.error) as exc:  # CodecError: not base64url
        raise SnapshotInvalid(f"status list {item['uri']}: bad bitstring ({exc})") from None
    if len(bitstring) != expected or not inflater.eof:
        raise SnapshotInvalid(f"status list {item['uri']}: bitstring does not hold {size} bits")
    return StatusBits(item["owner_did"], item["purpose"], item["uri"], size, bitstring)

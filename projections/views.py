"""SqlTrustViews: the TrustViews queries over the view tables (SQLite or PostgreSQL).

Every method reads in one transaction with a few indexed queries. "As of" a time `t` means the
version whose validity interval [valid_from, valid_until) holds `t`; accreditations count when
``valid_from <= t`` and (``valid_until == 0`` or ``t < valid_until``), `t` being the query's
`at_time` or, for current queries, the clock.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from projections.api import (
    EffectiveStatus,
    EntityVersion,
    FollowerStatus,
    Freshness,
    Provenance,
    StatusListVersion,
    TrustListEntry,
    TrustListPage,
)
from projections.recorder import ViewRecorder
from projections.records import EntityState, accreditations_from_state
from projections.sql import Sql
from projections.status import STATUSES, effective_by_name, effective_status, subtree_condition

UPSTREAM = "TrustLedger"
"""The tracked upstream: the ledger application's name."""

AS_OF = "e.valid_from <= ? AND (e.valid_until IS NULL OR e.valid_until > ?)"


class SqlTrustViews:
    """TrustViews over a ViewRecorder's tables; `clock` gives "now" (unix seconds) for accreditations."""

    def __init__(
        self, recorder: ViewRecorder, *, clock: Callable[[], float] = time.time, upstream: str = UPSTREAM
    ) -> None:
        self.recorder = recorder
        self.upstream = upstream
        self._clock = clock
        self._t = recorder.tables
        self._unchanged: dict[str, tuple[int, Any]] = {}
        """query name -> (the recorder's data_version before it was last read, what it read)."""

    def close(self) -> None:
        """Close the views' database connections."""
        self.recorder.close()

    # ------------------------------------------------------------------ freshness

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every query made inside (in this thread) reads one transaction of the views."""
        with self.recorder.reading():
            yield

    def freshness(self) -> Freshness:
        with self.recorder.reading() as sql:
            tracked = sql.one(
                f"SELECT notification_id FROM {self.recorder.tracking_table} WHERE application_name = ?",
                (self.upstream,),
            )
            meta = sql.one(f"SELECT * FROM {self._t.meta} WHERE id = 1") or {}
        block_number = meta.get("cursor_block_number")
        if block_number is None:
            block_number = meta.get("last_block_number")
        return Freshness(
            position=tracked["notification_id"] if tracked else None,
            block_number=block_number,
            block_time=meta.get("last_block_time"),
            chain_id=meta.get("chain_id"),
            block_hash=meta.get("cursor_block_hash"),
            last_event_block_number=meta.get("last_block_number"),
        )

    def latest_freshness(self) -> Freshness:
        return self._unless_unchanged("freshness", self.freshness)

    def latest_follower_status(self) -> FollowerStatus | None:
        return self._unless_unchanged("follower_status", self.follower_status)

    def _unless_unchanged(self, name: str, read: Callable[[], Any]) -> Any:
        """`read()`, or what it gave last time if the views' database has not changed since
        (ViewRecorder.data_version: taken before reading, so an equal version later means no commit
        since that read began; None, PostgreSQL: always read). Inside a snapshot it reads the
        snapshot and keeps nothing: the snapshot may predate the version."""
        version = None if self.recorder.in_snapshot() else self.recorder.data_version()
        if version is not None:
            kept = self._unchanged.get(name)
            if kept is not None and kept[0] == version:
                return kept[1]
        value = read()
        if version is not None:
            self._unchanged[name] = (version, value)
        return value

    def follower_status(self) -> FollowerStatus | None:
        with self.recorder.reading() as sql:
            row = sql.one(f"SELECT * FROM {self._t.follower_status} WHERE id = 1")
        if row is None:
            return None
        reachable = row["chain_reachable"]
        return FollowerStatus(
            reported_at=row["reported_at"],
            checked_at=row["checked_at"],
            horizon_block=row["horizon_block"],
            head_block=row["head_block"],
            synced_block=row["synced_block"],
            chain_reachable=None if reachable is None else bool(reachable),
            halted_reason=row["halted_reason"],
            halted_block=row["halted_block"],
        )

    def record_follower_status(self, status: FollowerStatus) -> None:
        """Write the following process's status (only that process writes it; see FollowerStatus)."""
        reachable = None if status.chain_reachable is None else int(status.chain_reachable)
        values = (
            status.reported_at,
            status.checked_at,
            status.horizon_block,
            status.head_block,
            status.synced_block,
            reachable,
            status.halted_reason,
            status.halted_block,
        )
        with self.recorder.writing() as sql:
            sql.execute(
                f"INSERT INTO {self._t.follower_status} (id, reported_at, checked_at, horizon_block, "
                "head_block, synced_block, chain_reachable, halted_reason, halted_block) "
                "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "reported_at = excluded.reported_at, checked_at = excluded.checked_at, "
                "horizon_block = excluded.horizon_block, head_block = excluded.head_block, "
                "synced_block = excluded.synced_block, chain_reachable = excluded.chain_reachable, "
                "halted_reason = excluded.halted_reason, halted_block = excluded.halted_block",
                values,
            )

    # ------------------------------------------------------------------ entity versions

    def entity_version(
        self, did: str, *, version: int | None = None, at_time: int | None = None
    ) -> EntityVersion | None:
        """The current version, or version `version`, or the one valid at `at_time` (not both)."""
        if version is not None and at_time is not None:
            raise ValueError("give a version or a time, not both")
        query = f"SELECT * FROM {self._t.entity_versions} WHERE did = ?"
        params: list[Any] = [did]
        if version is not None:
            query += " AND version = ?"
            params.append(version)
        elif at_time is not None:
            query += " AND valid_from <= ?"
            params.append(at_time)
        with self.recorder.reading() as sql:
            row = sql.one(query + " ORDER BY version DESC LIMIT 1", params)
        return _entity_version(row) if row else None

    def first_version(self, did: str) -> EntityVersion | None:
        with self.recorder.reading() as sql:
            row = sql.one(
                f"SELECT * FROM {self._t.entity_versions} WHERE did = ? ORDER BY version LIMIT 1", (did,)
            )
        return _entity_version(row) if row else None

    def versions(self, did: str) -> list[EntityVersion]:
        """Every version of the entity, oldest first."""
        with self.recorder.reading() as sql:
            rows = sql.all(f"SELECT * FROM {self._t.entity_versions} WHERE did = ? ORDER BY version", (did,))
        return [_entity_version(row) for row in rows]

    def did_of_node(self, node: str) -> str | None:
        with self.recorder.reading() as sql:
            row = sql.one(f"SELECT did FROM {self._t.current_entities} WHERE node = ?", (node.lower(),))
        return row["did"] if row else None

    # ------------------------------------------------------------------ status

    def effective_status(self, did: str, *, at_time: int | None = None) -> EffectiveStatus | None:
        """The status once ancestors count, now or as of `at_time` (None if unknown then)."""
        t = self._t
        with self.recorder.reading() as sql:
            row = sql.one(
                "SELECT status, effective_status, because_of, ancestry "
                f"FROM {t.current_entities} WHERE did = ?",
                (did,),
            )
            if row is None:
                return None
            if at_time is None:
                return EffectiveStatus(row["effective_status"], row["status"], row["because_of"])
            lineage = [*json.loads(row["ancestry"]), did]
            rows = sql.all(
                f"SELECT e.did, e.status FROM {t.entity_versions} e "
                f"WHERE e.did IN ({', '.join('?' * len(lineage))}) AND {AS_OF}",
                [*lineage, at_time, at_time],
            )
        statuses = {r["did"]: r["status"] for r in rows}
        if did not in statuses:
            return None
        ancestors = [(a, statuses[a]) for a in reversed(lineage[:-1]) if a in statuses]
        return effective_status(statuses[did], ancestors)

    # ------------------------------------------------------------------ trust list

    def trust_list(
        self,
        *,
        page: int = 1,
        size: int = 100,
        credential_type: str | None = None,
        status: str | None = None,
        subtree: str | None = None,
        at_time: int | None = None,
    ) -> TrustListPage:
        """Entities ordered by name, filtered and paged (see TrustViews.trust_list)."""
        if page < 1 or size < 1:
            raise ValueError(f"page ({page}) and size ({size}) must be at least 1")
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
        with self.recorder.reading() as sql:
            if at_time is None:
                return self._current_list(sql, page, size, credential_type, status, subtree)
            return self._list_as_of(sql, page, size, credential_type, status, subtree, at_time)

    def _current_list(
        self,
        sql: Sql,
        page: int,
        size: int,
        credential_type: str | None,
        status: str | None,
        subtree: str | None,
    ) -> TrustListPage:
        t = self._t
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        if subtree is not None:
            condition = self._subtree(sql, subtree, "c.name")
            if condition is None:
                return TrustListPage([], 0, page, size)
            where.append(condition[0])
            params += condition[1]
        if status is not None:
            where.append("c.effective_status = ?")
            params.append(status)
        if credential_type is not None:
            where.append(self._accredited("c"))
            params += [credential_type, *[int(self._clock())] * 2]
        body = f"FROM {t.current_entities} c WHERE {' AND '.join(where)}"
        total = _count(sql, body, params)
        rows = sql.all(
            f"SELECT c.* {body} ORDER BY c.name LIMIT ? OFFSET ?", [*params, size, (page - 1) * size]
        )
        return TrustListPage([_current_entry(r) for r in rows], total, page, size)

    def _list_as_of(
        self,
        sql: Sql,
        page: int,
        size: int,
        credential_type: str | None,
        status: str | None,
        subtree: str | None,
        at_time: int,
    ) -> TrustListPage:
        t = self._t
        inactive_rows = sql.all(
            f"SELECT e.did, e.name, e.status FROM {t.entity_versions} e "
            f"WHERE {AS_OF} AND e.status <> 'active'",
            (at_time, at_time),
        )
        inactive = {r["name"]: (r["did"], r["status"]) for r in inactive_rows}
        where: list[str] = [AS_OF]
        params: list[Any] = [at_time, at_time]
        if subtree is not None:
            condition = self._subtree(sql, subtree, "e.name")
            if condition is None:
                return TrustListPage([], 0, page, size)
            where.append(condition[0])
            params += condition[1]
        if status is not None:
            condition = _effective_condition(status, inactive, "e.name")
            where.append(condition[0])
            params += condition[1]
        if credential_type is not None:
            where.append(self._accredited("e"))
            params += [credential_type, at_time, at_time]
        body = f"FROM {t.entity_versions} e WHERE {' AND '.join(where)}"
        total = _count(sql, body, params)
        rows = sql.all(
            f"SELECT e.* {body} ORDER BY e.name LIMIT ? OFFSET ?", [*params, size, (page - 1) * size]
        )
        items = [_entry_as_of(r, effective_by_name(r["name"], r["status"], inactive)) for r in rows]
        return TrustListPage(items, total, page, size)

    def _subtree(self, sql: Sql, did: str, column: str) -> tuple[str, list[str]] | None:
        row = sql.one(f"SELECT name FROM {self._t.current_entities} WHERE did = ?", (did,))
        return subtree_condition(row["name"], column) if row else None

    def _accredited(self, alias: str) -> str:
        """Condition: row `alias` holds, in its version, an accreditation for a type valid at a time."""
        return (
            f"EXISTS (SELECT 1 FROM {self._t.accreditations} a WHERE a.did = {alias}.did "
            f"AND a.version = {alias}.version AND a.credential_type = ? AND a.valid_from <= ? "
            "AND (a.valid_until = 0 OR a.valid_until > ?))"
        )

    # ------------------------------------------------------------------ status lists

    def status_list(self, list_id: int, *, at_time: int | None = None) -> StatusListVersion | None:
        """The list's bitstring now, or as of `at_time` (None before it was created)."""
        query = f"SELECT * FROM {self._t.status_list_versions} WHERE list_id = ?"
        params: list[Any] = [list_id]
        if at_time is not None:
            query += " AND block_time <= ?"
            params.append(at_time)
        with self.recorder.reading() as sql:
            row = sql.one(query + " ORDER BY block_time DESC, version DESC LIMIT 1", params)
        return _status_list(row) if row else None

    def status_lists_of(self, owner_did: str) -> list[StatusListVersion]:
        """The current version of every status list of `owner_did`, by list id."""
        return self._current_status_lists("s.owner_did = ?", (owner_did,))

    def status_list_at(self, owner_did: str, uri: str) -> StatusListVersion | None:
        found = self._current_status_lists("s.owner_did = ? AND s.uri = ?", (owner_did, uri), limit=1)
        return found[0] if found else None

    def _current_status_lists(
        self, condition: str, params: tuple[Any, ...], *, limit: int | None = None
    ) -> list[StatusListVersion]:
        """The current version of each status list matching `condition` (on alias ``s``), by list id."""
        t = self._t.status_list_versions
        query = (
            f"SELECT s.* FROM {t} s WHERE {condition} "
            f"AND s.version = (SELECT MAX(v.version) FROM {t} v WHERE v.list_id = s.list_id) "
            "ORDER BY s.list_id"
        )
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        with self.recorder.reading() as sql:
            rows = sql.all(query, params)
        return [_status_list(row) for row in rows]


# ---------------------------------------------------------------------- rows to records


def _count(sql: Sql, body: str, params: list[Any]) -> int:
    row = sql.one(f"SELECT COUNT(*) AS n {body}", params)
    return int(row["n"]) if row else 0


def _effective_condition(
    status: str, inactive: dict[str, tuple[str, str]], column: str
) -> tuple[str, list[str]]:
    """Condition on `column` (a name) selecting entities whose effective status is `status`,
    given the inactive entities at the time (`name -> (did, status)`)."""

    def within(statuses: set[str]) -> tuple[str, list[str]]:
        parts = [subtree_condition(name, column) for name, (_, s) in inactive.items() if s in statuses]
        if not parts:
            return "1 = 0", []
        return "(" + " OR ".join(p[0] for p in parts) + ")", [v for p in parts for v in p[1]]

    if status == "revoked":
        return within({"revoked"})
    if status == "suspended":
        suspended, revoked = within({"suspended"}), within({"revoked"})
        return f"({suspended[0]} AND NOT {revoked[0]})", suspended[1] + revoked[1]
    inside = within({"suspended", "revoked"})
    return f"NOT {inside[0]}", inside[1]


def _provenance(row: dict[str, Any]) -> Provenance:
    return Provenance(
        chain_id=row["chain_id"],
        contract=row["contract"],
        block_number=row["block_number"],
        block_hash=row["block_hash"],
        block_time=row["block_time"],
        tx_hash=row["tx_hash"],
        log_index=row["log_index"],
    )


def _entity_version(row: dict[str, Any]) -> EntityVersion:
    return EntityVersion(
        did=row["did"],
        version=row["version"],
        event=row["event"],
        state=EntityState.from_state(json.loads(row["state"])),
        provenance=_provenance(row),
        by=row["by_address"],
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        next_version=row["next_version"],
        parent_did=row["parent_did"],
    )


def _current_entry(row: dict[str, Any]) -> TrustListEntry:
    return TrustListEntry(
        did=row["did"],
        name=row["name"],
        node=row["node"],
        parent_did=row["parent_did"],
        ancestry=json.loads(row["ancestry"]),
        status=row["status"],
        effective=EffectiveStatus(row["effective_status"], row["status"], row["because_of"]),
        accreditations=accreditations_from_state(json.loads(row["accreditations"])),
        controller=row["controller"],
        version=row["version"],
        updated_at=row["updated_at"],
    )


def _entry_as_of(row: dict[str, Any], effective: EffectiveStatus) -> TrustListEntry:
    return TrustListEntry.of(_entity_version(row), ancestry=json.loads(row["ancestry"]), effective=effective)


def _status_list(row: dict[str, Any]) -> StatusListVersion:
    return StatusListVersion(
        list_id=row["list_id"],
        owner_did=row["owner_did"],
        purpose=row["purpose"],
        size=row["size"],
        uri=row["uri"],
        bitstring=zlib.decompress(row["bitstring"]),
        block_number=row["block_number"],
        block_time=row["block_time"],
        tx_hash=row["tx_hash"],
    )

"""Turns view changes into row changes, inside the caller's transaction.

Reads made here see the transaction's own earlier writes, so a batch may register a parent
and its child, or suspend an entity and register under it, in any mix.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import Any

from projections.changes import CursorAdvanced, EntityChanged, StatusListChanged, ViewChange
from projections.schema import ViewTables
from projections.sql import Sql
from projections.status import effective_by_name, subtree_condition
from trust_ledger.domain.provenance import PROVENANCE_FIELDS

PROVENANCE_COLUMNS = PROVENANCE_FIELDS  # the view's columns are named as the ledger's fields


def released_id(node: str) -> str:
    """How the views name an entity whose DID an ancestor released (TrustRegistry.releaseDid): not a
    DID, so no registration can ever take it, and unique (its node)."""
    return f"released:{node}"


def to_json(value: Any) -> str:
    """Compact JSON, keys in their original order."""
    return json.dumps(value, separators=(",", ":"))


class ViewWriter:
    """Applies view changes with one SQL cursor; knows nothing of transactions or tracking."""

    def __init__(self, sql: Sql, tables: ViewTables) -> None:
        self._sql = sql
        self._t = tables
        self._cursor_seen: CursorAdvanced | None = None
        self._last_block: dict[str, Any] | None = None

    def apply(self, changes: Sequence[ViewChange]) -> None:
        """Apply `changes` in order."""
        for change in changes:
            if isinstance(change, EntityChanged):
                self._entity(change)
            elif isinstance(change, StatusListChanged):
                self._status_list(change)
            else:
                self._cursor(change)
        self._flush_meta()

    # ------------------------------------------------------------------ entities

    def _entity(self, change: EntityChanged) -> None:
        state, t, sql = change.state, self._t, self._sql
        if state.get("did_released"):  # the DID went back to the registry: the views name the node
            view_name = released_id(state["node"])
            if change.event == "DidReleased":
                self._rename(state["did"], view_name, state["name"])
            state = {**state, "did": view_name}
        did, block_time = state["did"], change.provenance["block_time"]
        parent_did, ancestry = self._lineage(did, state["parent"])
        sql.execute(
            f"UPDATE {t.entity_versions} SET valid_until = ?, next_version = ? WHERE did = ? AND version = ?",
            (block_time, change.version, did, change.version - 1),
        )
        columns = (
            "did, version, event, state, chain_id, contract, block_number, block_hash, block_time, tx_hash, "
            "log_index, by_address, valid_from, valid_until, next_version, parent_did, node, name, status, "
            "ancestry"
        )
        provenance = [change.provenance[c] for c in PROVENANCE_COLUMNS]
        sql.execute(
            f"INSERT INTO {t.entity_versions} ({columns}) VALUES ({_marks(20)})",
            (
                did,
                change.version,
                change.event,
                to_json(state),
                *provenance,
                change.by,
                block_time,
                None,
                None,
                parent_did,
                state["node"],
                state["name"],
                state["status"],
                to_json(ancestry),
            ),
        )
        for credential_type, accreditation in state["accreditations"].items():
            sql.execute(
                f"INSERT INTO {t.accreditations} (did, version, credential_type, valid_from, valid_until) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    did,
                    change.version,
                    credential_type,
                    accreditation["valid_from"],
                    accreditation["valid_until"],
                ),
            )
        self._upsert_current(change, state, parent_did, ancestry)
        if change.version == 1 or change.event == "StatusChanged":
            self._refresh_effective(state["name"], ancestry)
        self._saw_block(change.provenance)

    def _rename(self, did: str, new: str, name: str) -> None:
        """Move everything the views hold under `did` (the entity named `name`, whose DID an ancestor
        released) to `new`, its history and its descendants' lineage included: from now on the DID
        names only a later holder, at every time, and the released entity's subtree keeps its statuses
        (a descendant's effective status is never read from the DID's next holder)."""
        t, sql = self._t, self._sql
        where, params = subtree_condition(name)
        for table in (t.entity_versions, t.accreditations, t.current_entities):
            sql.execute(f"UPDATE {table} SET did = ? WHERE did = ?", (new, did))
        sql.execute(f"UPDATE {t.status_list_versions} SET owner_did = ? WHERE owner_did = ?", (new, did))
        for table in (t.entity_versions, t.current_entities):
            sql.execute(
                f"UPDATE {table} SET ancestry = REPLACE(ancestry, ?, ?), "
                f"parent_did = CASE WHEN parent_did = ? THEN ? ELSE parent_did END WHERE {where}",
                (to_json(did), to_json(new), did, new, *params),
            )
        sql.execute(f"UPDATE {t.current_entities} SET because_of = ? WHERE because_of = ?", (new, did))

    def _lineage(self, did: str, parent_node: str | None) -> tuple[str | None, list[str]]:
        """The parent's DID and the DIDs from the root down to the parent (they never change)."""
        t = self._t
        row = self._sql.one(f"SELECT parent_did, ancestry FROM {t.current_entities} WHERE did = ?", (did,))
        if row is not None:
            return row["parent_did"], json.loads(row["ancestry"])
        if parent_node is None:
            return None, []
        parent = self._sql.one(
            f"SELECT did, ancestry FROM {t.current_entities} WHERE node = ?", (parent_node,)
        )
        if parent is None:
            raise LookupError(f"the parent {parent_node} of {did} is not in the views")
        return parent["did"], [*json.loads(parent["ancestry"]), parent["did"]]

    def _upsert_current(
        self, change: EntityChanged, state: dict[str, Any], parent_did: str | None, ancestry: list[str]
    ) -> None:
        self._sql.execute(
            f"INSERT INTO {self._t.current_entities} (did, node, name, parent_did, ancestry, status, "
            "effective_status, because_of, accreditations, controller, version, updated_at) "
            f"VALUES ({_marks(12)}) ON CONFLICT (did) DO UPDATE SET status = excluded.status, "
            "accreditations = excluded.accreditations, controller = excluded.controller, "
            "version = excluded.version, updated_at = excluded.updated_at",
            (
                state["did"],
                state["node"],
                state["name"],
                parent_did,
                to_json(ancestry),
                state["status"],
                state["status"],
                None,
                to_json(state["accreditations"]),
                state["controller"],
                change.version,
                state["updated_at"],
            ),
        )

    def _refresh_effective(self, name: str, ancestry: list[str]) -> None:
        """Recompute the effective status of the entity named `name` and of all its descendants."""
        t, sql = self._t, self._sql
        inactive: dict[str, tuple[str, str]] = {}
        if ancestry:
            rows = sql.all(
                f"SELECT did, name, status FROM {t.current_entities} "
                f"WHERE did IN ({_marks(len(ancestry))}) AND status <> 'active'",
                ancestry,
            )
            inactive.update({r["name"]: (r["did"], r["status"]) for r in rows})
        where, params = subtree_condition(name)
        subtree = sql.all(
            f"SELECT did, name, status, effective_status, because_of FROM {t.current_entities} WHERE {where}",
            params,
        )
        inactive.update({r["name"]: (r["did"], r["status"]) for r in subtree if r["status"] != "active"})
        for row in subtree:
            effective = effective_by_name(row["name"], row["status"], inactive)
            if (effective.status, effective.because_of) != (row["effective_status"], row["because_of"]):
                sql.execute(
                    f"UPDATE {t.current_entities} SET effective_status = ?, because_of = ? WHERE did = ?",
                    (effective.status, effective.because_of, row["did"]),
                )

    # ------------------------------------------------------------------ status lists

    def _status_list(self, change: StatusListChanged) -> None:
        t = self._t
        owner = self._sql.one(f"SELECT did FROM {t.current_entities} WHERE node = ?", (change.owner_node,))
        if owner is None:
            raise LookupError(
                f"the owner {change.owner_node} of status list {change.list_id} is not in the views"
            )
        columns = (
            "list_id, version, owner_did, owner_node, purpose, size, uri, bitstring, chain_id, contract, "
            "block_number, block_hash, block_time, tx_hash, log_index, by_address"
        )
        self._sql.execute(
            f"INSERT INTO {t.status_list_versions} ({columns}) VALUES ({_marks(16)})",
            (
                change.list_id,
                change.version,
                owner["did"],
                change.owner_node,
                change.purpose,
                change.size,
                change.uri,
                zlib.compress(change.bitstring),
                *[change.provenance[c] for c in PROVENANCE_COLUMNS],
                change.by,
            ),
        )
        self._saw_block(change.provenance)

    # ------------------------------------------------------------------ chain position

    def _cursor(self, change: CursorAdvanced) -> None:
        self._cursor_seen = change

    def _saw_block(self, provenance: dict[str, Any]) -> None:
        self._last_block = provenance

    def _flush_meta(self) -> None:
        """Write the chain position seen in this batch once, at its end."""
        if self._cursor_seen is None and self._last_block is None:
            return
        meta = self._t.meta
        self._sql.execute(f"INSERT INTO {meta} (id) VALUES (1) ON CONFLICT (id) DO NOTHING")
        if self._cursor_seen is not None:
            self._sql.execute(
                f"UPDATE {meta} SET cursor_block_number = ?, cursor_block_hash = ? WHERE id = 1",
                (self._cursor_seen.block_number, self._cursor_seen.block_hash),
            )
        if self._last_block is not None:
            block = self._last_block
            self._sql.execute(
                f"UPDATE {meta} SET chain_id = ?, last_block_number = ?, last_block_time = ? WHERE id = 1",
                (block["chain_id"], block["block_number"], block["block_time"]),
            )


def _marks(count: int) -> str:
    return ", ".join("?" * count)

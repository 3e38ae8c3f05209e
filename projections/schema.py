"""The views' tables, in the two SQL dialects they live in (SQLite and PostgreSQL).

One set of tables holds all three views: entity versions (with their accreditations), the
current entities (the name tree with effective statuses) and status-list versions, plus one
row of chain metadata for freshness and one row the following process writes after each pass
(its status: see projections.api.FollowerStatus). Names are compared bytewise in both dialects (PostgreSQL
columns use the "C" collation), so `ORDER BY name` and subtree ranges agree everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """What differs between the SQL dialects: column types and the parameter placeholder."""

    name: str
    integer: str
    real: str
    blob: str
    name_text: str  # a text column compared bytewise
    placeholder: str

    def sql(self, query: str) -> str:
        """`query` written with `?` placeholders, in this dialect."""
        return query if self.placeholder == "?" else query.replace("?", self.placeholder)


SQLITE = Dialect(
    name="sqlite", integer="INTEGER", real="REAL", blob="BLOB", name_text="TEXT", placeholder="?"
)
POSTGRES = Dialect(
    name="postgres",
    integer="BIGINT",
    real="DOUBLE PRECISION",
    blob="BYTEA",
    name_text='TEXT COLLATE "C"',
    placeholder="%s",
)


def quote(identifier: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


@dataclass(frozen=True)
class ViewTables:
    """Qualified names and DDL of the view tables in one database (and schema)."""

    dialect: Dialect
    schema: str | None = None

    def _name(self, table: str) -> str:
        return f"{quote(self.schema)}.{table}" if self.schema else table

    @property
    def entity_versions(self) -> str:
        return self._name("entity_versions")

    @property
    def accreditations(self) -> str:
        return self._name("entity_accreditations")

    @property
    def current_entities(self) -> str:
        return self._name("current_entities")

    @property
    def status_list_versions(self) -> str:
        return self._name("status_list_versions")

    @property
    def meta(self) -> str:
        return self._name("view_meta")

    @property
    def follower_status(self) -> str:
        """One row written by the following process (not derived from the ledger: kept on rebuild)."""
        return self._name("follower_status")

    def all(self) -> list[str]:
        """Every view table (not the tracking table)."""
        return [
            self.entity_versions,
            self.accreditations,
            self.current_entities,
            self.status_list_versions,
            self.meta,
        ]

    def create_statements(self) -> list[str]:
        """CREATE TABLE / INDEX statements, each safe to run again."""
        i, blob, name = self.dialect.integer, self.dialect.blob, self.dialect.name_text
        provenance = (
            f"chain_id {i} NOT NULL, contract TEXT NOT NULL, block_number {i} NOT NULL, "
            f"block_hash TEXT NOT NULL, block_time {i} NOT NULL, tx_hash TEXT NOT NULL, "
            f"log_index {i} NOT NULL, by_address TEXT NOT NULL"
        )
        return [
            f"CREATE TABLE IF NOT EXISTS {self.entity_versions} ("
            f"did TEXT NOT NULL, version {i} NOT NULL, event TEXT NOT NULL, state TEXT NOT NULL, "
            f"{provenance}, valid_from {i} NOT NULL, valid_until {i}, next_version {i}, "
            f"parent_did TEXT, node TEXT NOT NULL, name {name} NOT NULL, status TEXT NOT NULL, "
            "ancestry TEXT NOT NULL, PRIMARY KEY (did, version))",
            f"CREATE INDEX IF NOT EXISTS entity_versions_did_time "
            f"ON {self.entity_versions} (did, valid_from)",
            f"CREATE INDEX IF NOT EXISTS entity_versions_node ON {self.entity_versions} (node)",
            f"CREATE INDEX IF NOT EXISTS entity_versions_name ON {self.entity_versions} (name)",
            f"CREATE TABLE IF NOT EXISTS {self.accreditations} ("
            f"did TEXT NOT NULL, version {i} NOT NULL, credential_type TEXT NOT NULL, "
            f"valid_from {i} NOT NULL, valid_until {i} NOT NULL, "
            "PRIMARY KEY (did, version, credential_type))",
            f"CREATE INDEX IF NOT EXISTS entity_accreditations_type "
            f"ON {self.accreditations} (credential_type, did, version)",
            f"CREATE TABLE IF NOT EXISTS {self.current_entities} ("
            f"did TEXT PRIMARY KEY, node TEXT NOT NULL UNIQUE, name {name} NOT NULL, parent_did TEXT, "
            "ancestry TEXT NOT NULL, status TEXT NOT NULL, effective_status TEXT NOT NULL, because_of TEXT, "
            f"accreditations TEXT NOT NULL, controller TEXT NOT NULL, version {i} NOT NULL, "
            f"updated_at {i} NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS current_entities_name ON {self.current_entities} (name)",
            f"CREATE INDEX IF NOT EXISTS current_entities_effective "
            f"ON {self.current_entities} (effective_status, name)",
            f"CREATE TABLE IF NOT EXISTS {self.status_list_versions} ("
            f"list_id {i} NOT NULL, version {i} NOT NULL, owner_did TEXT NOT NULL, owner_node TEXT NOT NULL, "
            f"purpose TEXT NOT NULL, size {i} NOT NULL, uri TEXT NOT NULL, bitstring {blob} NOT NULL, "
            f"{provenance}, PRIMARY KEY (list_id, version))",
            f"CREATE INDEX IF NOT EXISTS status_list_versions_time "
            f"ON {self.status_list_versions} (list_id, block_time, version)",
            f"CREATE INDEX IF NOT EXISTS status_list_versions_owner "
            f"ON {self.status_list_versions} (owner_did, list_id)",
            f"CREATE TABLE IF NOT EXISTS {self.meta} ("
            f"id {i} PRIMARY KEY, chain_id {i}, cursor_block_number {i}, cursor_block_hash TEXT, "
            f"last_block_number {i}, last_block_time {i})",
            f"CREATE TABLE IF NOT EXISTS {self.follower_status} ("
            f"id {i} PRIMARY KEY, reported_at {self.dialect.real} NOT NULL, checked_at {self.dialect.real}, "
            f"horizon_block {i}, head_block {i}, synced_block {i}, chain_reachable {i}, "
            f"halted_reason TEXT, halted_block {i})",
        ]

    def drop_statements(self) -> list[str]:
        """DROP TABLE statements for every view table (their indexes go with them)."""
        return [f"DROP TABLE IF EXISTS {table}" for table in self.all()]

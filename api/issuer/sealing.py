"""Per-offer keys that seal personal data in events, and shred it afterwards.

The Offered event carries the holder's fields and CredentialIssued the credential, both
AES-GCM-sealed with a key that lives only here, apart from the records: a SQLite file (0600) in its
own 0700 directory, never the records' (`keys_path`); or, when the ledger is on PostgreSQL, a schema
of its own (`keys_schema`: TRUST_LEDGER_KEYS_SCHEMA, else `<schema>_keys`) that the operator can
grant, back up and restore apart from the records' schema. A copy of the var directory or of the
event store alone reveals nothing. Deleting the key (after the credential is collected and its
retention time has passed, or when an offer expires uncollected) makes that data unreadable
everywhere, the immutable event store included. Replicas of the issuer share the keys.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from trust_ledger.codecs import b64url_decode, b64url_encode
from trust_ledger.paths import private_dir
from trust_ledger.settings import read_settings
from trust_ledger.state_db import PostgresState, SQLiteState, StateDatabase, on_postgres, postgres_schema

KEYS_FILE = "issuer-keys.sqlite"
TABLE = "offer_keys"


def keys_path(var: Path, configured: Path | None = None) -> Path:
    """Where the sealing keys live: `configured` (the issuer's `keys_dir`), else $TRUST_LEDGER_KEYS_DIR,
    else the sibling directory `<var>-keys` (never `var` itself). A key file an older version left
    in `var` is moved there once, so the sealed data it opens stays readable."""
    directory = configured or read_settings().keys_dir or var.parent / f"{var.name}-keys"
    if directory.resolve() == var.resolve():
        raise ValueError(f"keys_dir must not be the var directory {var} (keys beside the data they seal)")
    path = private_dir(directory) / KEYS_FILE
    legacy = var / KEYS_FILE
    if legacy.exists() and not path.exists():
        for suffix in ("", "-wal", "-shm", "-journal"):
            if Path(f"{legacy}{suffix}").exists():
                os.replace(f"{legacy}{suffix}", f"{path}{suffix}")
    return path


def keys_schema() -> str:
    """The PostgreSQL schema of the sealing keys: TRUST_LEDGER_KEYS_SCHEMA, else `<schema>_keys`
    beside the ledger's schema; never the ledger's schema itself."""
    data = postgres_schema()
    schema = read_settings().keys_schema or f"{data}_keys"
    if schema == data:
        raise ValueError(f"the sealing keys' schema must not be the records' schema {data!r}")
    return schema


def open_keys(var: Path, configured: Path | None = None) -> StateDatabase:
    """The sealing keys' database: the keys schema on the ledger's PostgreSQL, else the SQLite file
    `keys_path(var, configured)`."""
    if on_postgres():
        return PostgresState(keys_schema())
    return SQLiteState(keys_path(var, configured))


class Shredded(Exception):
    """The key is gone: the sealed data no longer exists."""


class KeyShredder:
    """Offer id -> AES-256-GCM key, with a deadline after which ``purge`` deletes it."""

    def __init__(self, database: StateDatabase | str | Path):
        self.db = SQLiteState(Path(database)) if not isinstance(database, StateDatabase) else database
        self.path = getattr(self.db, "path", None)
        self._table = self.db.table(TABLE)
        self.db.create(
            [
                f"CREATE TABLE IF NOT EXISTS {self._table} "
                "(offer TEXT PRIMARY KEY, key BLOB NOT NULL, until INTEGER)"
            ]
        )

    def create(self, offer: str, until: int) -> None:
        self.db.run(
            f"INSERT INTO {self._table} (offer, key, until) VALUES (?, ?, ?)",
            (offer, AESGCM.generate_key(256), until),
        )

    def keep_until(self, offer: str, until: int) -> None:
        self.db.run(f"UPDATE {self._table} SET until = ? WHERE offer = ?", (until, offer))

    def purge(self, now: int) -> int:
        """Delete every key past its deadline; returns how many."""
        return self.db.run(f"DELETE FROM {self._table} WHERE until <= ?", (now,))

    def close(self) -> None:
        self.db.close()

    def seal(self, offer: str, value: Any) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self._key(offer)).encrypt(nonce, json.dumps(value).encode(), offer.encode())
        return b64url_encode(nonce + sealed)

    def open(self, offer: str, sealed: str) -> Any:
        data = b64url_decode(sealed)
        plain = AESGCM(self._key(offer)).decrypt(data[:12], data[12:], offer.encode())
        return json.loads(plain)

    def _key(self, offer: str) -> bytes:
        row = self.db.one(f"SELECT key FROM {self._table} WHERE offer = ?", (offer,))
        if row is None:
            raise Shredded(f"the data of offer {offer} has been deleted")
        return bytes(row["key"])

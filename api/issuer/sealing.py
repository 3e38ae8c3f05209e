"""Per-offer keys that seal personal data in events, and shred it afterwards.

The Offered event carries the holder's fields and CredentialIssued the credential, both
AES-GCM-sealed with a key that lives only here: a SQLite file (0600) in its own 0700 directory,
never the records' (`keys_path`), so a copy of the var directory or of the event store alone
reveals nothing. Deleting
the key (after the credential is collected and its retention time has passed, or when an offer
expires uncollected) makes that data unreadable everywhere, the immutable event store included.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from trust_ledger.codecs import b64url_decode, b64url_encode
from trust_ledger.paths import private_dir, private_file
from trust_ledger.settings import read_settings

KEYS_FILE = "issuer-keys.sqlite"


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


class Shredded(Exception):
    """The key is gone: the sealed data no longer exists."""


class KeyShredder:
    """Offer id -> AES-256-GCM key, with a deadline after which ``purge`` deletes it."""

    def __init__(self, path: str | Path):
        self.path = private_file(Path(path))
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS offer_keys (offer TEXT PRIMARY KEY, key BLOB NOT NULL, until INTEGER)"
        )
        self._lock = threading.Lock()

    def create(self, offer: str, until: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO offer_keys VALUES (?, ?, ?)", (offer, AESGCM.generate_key(256), until)
            )

    def keep_until(self, offer: str, until: int) -> None:
        with self._lock:
            self._db.execute("UPDATE offer_keys SET until = ? WHERE offer = ?", (until, offer))

    def purge(self, now: int) -> int:
        """Delete every key past its deadline; returns how many."""
        with self._lock:
            return self._db.execute("DELETE FROM offer_keys WHERE until <= ?", (now,)).rowcount

    def seal(self, offer: str, value: Any) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self._key(offer)).encrypt(nonce, json.dumps(value).encode(), offer.encode())
        return b64url_encode(nonce + sealed)

    def open(self, offer: str, sealed: str) -> Any:
        data = b64url_decode(sealed)
        plain = AESGCM(self._key(offer)).decrypt(data[:12], data[12:], offer.encode())
        return json.loads(plain)

    def _key(self, offer: str) -> bytes:
        with self._lock:
            row = self._db.execute("SELECT key FROM offer_keys WHERE offer = ?", (offer,)).fetchone()
        if row is None:
            raise Shredded(f"the data of offer {offer} has been deleted")
        return row[0]

"""Received credentials on disk: one JSON file per credential in ``<store_dir>/credentials/``.

Each file is written atomically (temp file + rename) as soon as the credential arrives, so a
crash never loses or truncates one. The id is derived from the credential itself, so storing
the same credential twice keeps one file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from api.wallet.errors import WalletError
from api.wallet.files import atomic_write

CREDENTIALS_DIR = "credentials"


@dataclass(frozen=True)
class StoredCredential:
    """A credential the wallet holds.

    ``format``: dc+sd-jwt, vc+sd-jwt or jwt_vc_json; ``raw``: the credential string as issued;
    ``issuer``: the Credential Issuer Identifier it came from; ``received_at``: ISO 8601 UTC;
    ``claims``: what it says about the holder (SD-JWT: all disclosures applied, without the
    registered claims; TW DIW vc+sd-jwt and jwt_vc_json: the credentialSubject).
    """

    id: str
    format: str
    raw: str = field(repr=False)
    configuration_id: str
    issuer: str
    received_at: str
    claims: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredCredential:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def credential_id(raw: str) -> str:
    """A stable id for a credential: 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


class CredentialStore:
    """The credentials directory of a wallet."""

    def __init__(self, store_dir: Path) -> None:
        self.directory = store_dir / CREDENTIALS_DIR

    def save(self, credential: StoredCredential) -> None:
        """Persist ``credential`` (atomically)."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        text = json.dumps(credential.to_json(), indent=2, ensure_ascii=False)
        atomic_write(self.directory / f"{credential.id}.json", text, mode=0o600)

    def all(self) -> list[StoredCredential]:
        """Every stored credential, oldest first (temp files of interrupted writes are ignored)."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.glob("*.json"):
            if path.name.startswith("."):
                continue
            try:
                found.append(StoredCredential.from_json(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise WalletError("credential store", f"cannot read {path}: {exc}") from None
        return sorted(found, key=lambda c: (c.received_at, c.id))

    def get(self, prefix: str) -> StoredCredential:
        """The credential whose id is or starts with ``prefix`` (it must be unambiguous)."""
        matches = [c for c in self.all() if c.id.startswith(prefix)] if prefix else []
        if not matches:
            raise WalletError("credential store", f"no credential {prefix!r}")
        if len(matches) > 1:
            raise WalletError("credential store", f"{prefix!r} matches {len(matches)} credentials")
        return matches[0]

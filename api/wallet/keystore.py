"""The wallet's holder key and DID on disk: ``holder_key.jwk`` (private JWK, 0600) and ``holder.json``.

The key is created once (the first writer wins, also across processes) and never rewritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from api.credentials.dids import holder_did
from api.credentials.errors import CredentialError
from api.credentials.keys import SigningKey
from api.wallet.errors import WalletError
from api.wallet.files import atomic_write

Binding = Literal["did:jwk", "did:key"]
BINDINGS: tuple[str, ...] = ("did:jwk", "did:key")
CURVES: tuple[str, ...] = ("P-256", "secp256k1", "Ed25519")
KEY_FILE = "holder_key.jwk"
HOLDER_FILE = "holder.json"
STEP = "wallet key"


@dataclass(frozen=True)
class Holder:
    """The holder's signing key (its ``kid`` is the DID URL), DID and binding method."""

    key: SigningKey
    did: str
    binding: Binding

    @property
    def kid(self) -> str:
        return self.key.kid


def _with_did(jwk: dict[str, Any], binding: str) -> Holder:
    try:
        did, kid = holder_did(jwk, binding.removeprefix("did:"))
        key = SigningKey.from_jwk(jwk, did=did, key_id=kid.partition("#")[2])
    except CredentialError as exc:
        raise WalletError(STEP, f"cannot use the key with {binding}: {exc}") from None
    return Holder(key=key, did=did, binding=binding)  # type: ignore[arg-type]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WalletError(STEP, f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise WalletError(STEP, f"{path} is not a JSON object")
    return data


def load_holder(store_dir: Path, default_binding: str = "did:jwk") -> Holder | None:
    """The wallet's holder, or None when ``store_dir`` has no key yet (``default_binding`` applies
    when a crash left the key without its ``holder.json``)."""
    key_path = store_dir / KEY_FILE
    if not key_path.exists():
        return None
    jwk = _read_json(key_path)
    holder_path = store_dir / HOLDER_FILE
    saved = _read_json(holder_path) if holder_path.exists() else {}
    binding = saved.get("binding", default_binding)
    if binding not in BINDINGS:
        raise WalletError(STEP, f"{holder_path} names an unknown binding {binding!r}")
    holder = _with_did(jwk, binding)
    if saved.get("holder_did") != holder.did:
        atomic_write(holder_path, _holder_json(holder), mode=0o600)
    return holder


def create_holder(store_dir: Path, curve: str, binding: str) -> Holder:
    """Generate and persist a key on ``curve`` bound with ``binding``; an existing key is kept."""
    if curve not in CURVES:
        raise WalletError(STEP, f"unsupported curve {curve!r} (one of {', '.join(CURVES)})")
    if binding not in BINDINGS:
        raise WalletError(STEP, f"unsupported binding {binding!r} (one of {', '.join(BINDINGS)})")
    store_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    candidate = _with_did(SigningKey.generate(curve).private_jwk(), binding)  # type: ignore[arg-type]
    if atomic_write(
        store_dir / KEY_FILE, json.dumps(candidate.key.private_jwk()), mode=0o600, exclusive=True
    ):
        atomic_write(store_dir / HOLDER_FILE, _holder_json(candidate), mode=0o600, exclusive=True)
    holder = load_holder(store_dir, binding)
    assert holder is not None
    return holder


def _holder_json(holder: Holder) -> str:
    return json.dumps(
        {"holder_did": holder.did, "kid": holder.kid, "binding": holder.binding, "curve": holder.key.curve},
        indent=2,
    )

"""The dev system's demo issuer: an accredited organisation with a key on chain and its config."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from anvil.accounts import dev_account
from api.credentials.keys import SigningKey
from trust_ledger.chain.gateway import TrustGateway, UnknownDid

DEMO_ISSUER_DID = "did:web:issuer.dev.example"
DEMO_ISSUER_LABEL = "demo-issuer"
DEMO_ISSUER_ACCOUNT = "dev1"
DEMO_CREDENTIAL_TYPE = "EmployeeCredential"


def seed_demo_issuer(anchor: TrustGateway, directory: Path, base_url: str) -> Path:
    """Register, accredit and key the demo issuer unless the chain already has it; write its
    configuration (signing key, templates, an access token) under `directory`; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    config_path = directory / "issuer.json"
    key_path = directory / "signing-key.jwk.json"
    try:
        anchor.node_of(DEMO_ISSUER_DID)
        on_chain = True
    except UnknownDid:
        on_chain = False
    if not on_chain or not config_path.exists():
        key = SigningKey.generate("P-256", did=DEMO_ISSUER_DID, key_id="key-1")
        controller = dev_account(DEMO_ISSUER_ACCOUNT)
        if not on_chain:
            anchor.register("root", DEMO_ISSUER_LABEL, DEMO_ISSUER_DID, controller.address)
            anchor.accredit(DEMO_ISSUER_DID, DEMO_CREDENTIAL_TYPE)
        issuer = TrustGateway(anchor.w3, anchor.deployment, controller)
        key_id = "key-1" if not on_chain else f"key-{secrets.token_hex(4)}"
        issuer.add_key(
            DEMO_ISSUER_DID,
            key_id,
            "JsonWebKey2020",
            json.dumps(key.public_jwk, sort_keys=True).encode(),
            ["assertionMethod"],
        )
        key_path.write_text(json.dumps(key.private_jwk()))
        key_path.chmod(0o600)
        config = {
            "did": DEMO_ISSUER_DID,
            "base_url": base_url,
            "access_tokens": [secrets.token_urlsafe(24)],
            "controller_key": DEMO_ISSUER_ACCOUNT,
            "signing_key": {"key_id": key_id, "jwk_file": key_path.name},
            "templates": {
                "employee": {"type": DEMO_CREDENTIAL_TYPE, "fields": ["name", "employee_no"]},
                "employee_tw": {
                    "type": DEMO_CREDENTIAL_TYPE,
                    "fields": ["name", "employee_no"],
                    "profile": "twdiw",
                },
            },
        }
    else:
        config = json.loads(config_path.read_text())
        config["base_url"] = base_url  # the port may differ from the last run
    config_path.write_text(json.dumps(config, indent=2) + "\n")
    config_path.chmod(0o600)
    return config_path

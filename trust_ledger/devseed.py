"""The dev system's demo organisations: an accredited issuer and a verifier, each with a key on
chain and a configuration file under var/ (idempotent: a resumed chain keeps them)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from anvil.accounts import dev_account
from api.credentials.keys import SigningKey
from trust_ledger.chain.gateway import TrustGateway, UnknownDid

DEMO_ISSUER_DID = "did:web:issuer.dev.example"
DEMO_ISSUER_ACCOUNT = "dev1"
DEMO_VERIFIER_DID = "did:web:verifier.dev.example"
DEMO_VERIFIER_ACCOUNT = "dev2"
DEMO_CREDENTIAL_TYPE = "EmployeeCredential"


def seed_demo_issuer(anchor: TrustGateway, directory: Path, base_url: str) -> Path:
    """The demo issuer, accredited for EmployeeCredential; returns its configuration's path."""
    return _seed(
        anchor,
        directory / "issuer.json",
        base_url,
        did=DEMO_ISSUER_DID,
        label="demo-issuer",
        account=DEMO_ISSUER_ACCOUNT,
        purposes=["assertionMethod"],
        accreditation=DEMO_CREDENTIAL_TYPE,
        settings={
            "controller_key": DEMO_ISSUER_ACCOUNT,
            "templates": {
                "employee": {"type": DEMO_CREDENTIAL_TYPE, "fields": ["name", "employee_no"]},
                "employee_tw": {
                    "type": DEMO_CREDENTIAL_TYPE,
                    "fields": ["name", "employee_no"],
                    "profile": "twdiw",
                },
            },
        },
    )


def seed_demo_verifier(anchor: TrustGateway, directory: Path, base_url: str) -> Path:
    """The demo verifier (a relying party on the trust list) checking employee cards."""
    claims = [{"ename": "name", "cname": "姓名"}, {"ename": "employee_no", "cname": "員工編號"}]
    return _seed(
        anchor,
        directory / "verifier.json",
        base_url,
        did=DEMO_VERIFIER_DID,
        label="demo-verifier",
        account=DEMO_VERIFIER_ACCOUNT,
        purposes=["authentication", "assertionMethod"],
        accreditation=None,
        settings={
            "templates": {
                "employee": {
                    "name": "Employee check",
                    "credentials": [{"id": "employee", "type": DEMO_CREDENTIAL_TYPE, "claims": claims}],
                },
                "employee_tw": {
                    "name": "Employee check (TW DIW wallet)",
                    "profile": "twdiw",
                    "credentials": [
                        {
                            "id": "employee",
                            "type": DEMO_CREDENTIAL_TYPE,
                            "format": "vc+sd-jwt",
                            "claims": claims,
                        }
                    ],
                },
            },
        },
    )


def _seed(
    anchor: TrustGateway,
    config_path: Path,
    base_url: str,
    *,
    did: str,
    label: str,
    account: str,
    purposes: list[str],
    accreditation: str | None,
    settings: dict[str, Any],
) -> Path:
    """Register (and accredit) `did` under the root and add a fresh P-256 key unless the chain
    and the configuration already have them; write the configuration with its access token."""
    config_path.parent.mkdir(parents=True, exist_ok=True)
    key_path = config_path.with_name("signing-key.jwk.json")
    try:
        anchor.node_of(did)
        on_chain = True
    except UnknownDid:
        on_chain = False
    if not on_chain or not config_path.exists():
        controller = dev_account(account)
        if not on_chain:
            anchor.register("root", label, did, controller.address)
            if accreditation is not None:
                anchor.accredit(did, accreditation)
        key_id = "key-1" if not on_chain else f"key-{secrets.token_hex(4)}"
        key = SigningKey.generate("P-256", did=did, key_id=key_id)
        TrustGateway(anchor.w3, anchor.deployment, controller).add_key(
            did, key_id, "JsonWebKey2020", json.dumps(key.public_jwk, sort_keys=True).encode(), purposes
        )
        key_path.write_text(json.dumps(key.private_jwk()))
        key_path.chmod(0o600)
        config = {
            "did": did,
            "base_url": base_url,
            "access_tokens": [secrets.token_urlsafe(24)],
            "signing_key": {"key_id": key_id, "jwk_file": key_path.name},
            **settings,
        }
    else:
        config = json.loads(config_path.read_text())
        config["base_url"] = base_url  # the port may differ from the last run
    config_path.write_text(json.dumps(config, indent=2) + "\n")
    config_path.chmod(0o600)
    return config_path

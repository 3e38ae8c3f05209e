"""The dev system's demo world: an accredited issuer and a verifier, each with a key on chain and a
configuration file under var/, a national domain with agencies, the packet-delivery data space, and
a few credentials (one revoked). Idempotent: a resumed chain keeps what it has."""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from anvil.accounts import dev_signer
from api.credentials.keys import SigningKey
from api.dataspace.hierarchy import register_data_space
from api.wallet import Wallet
from trust_ledger.chain.gateway import TrustGateway, UnknownDid

log = logging.getLogger(__name__)

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


def demo_verifier_templates(issuer_url: str) -> dict[str, Any]:
    """The demo verifier's templates: employee cards of the demo issuer at `issuer_url`, an SD-JWT
    VC asked for by the issuer's `vct` URI (`<issuer_url>/vct/employee`, issue 16 item 9)."""
    claims = [{"ename": "name", "cname": "姓名"}, {"ename": "employee_no", "cname": "員工編號"}]
    return {
        "employee": {
            "name": "Employee check",
            "credentials": [
                {
                    "id": "employee",
                    "type": DEMO_CREDENTIAL_TYPE,
                    "vct_values": [f"{issuer_url}/vct/employee"],
                    "claims": claims,
                }
            ],
        },
        "employee_tw": {
            "name": "Employee check (TW DIW wallet)",
            "profile": "twdiw",
            "credentials": [
                {"id": "employee", "type": DEMO_CREDENTIAL_TYPE, "format": "vc+sd-jwt", "claims": claims}
            ],
        },
    }


def seed_demo_verifier(anchor: TrustGateway, directory: Path, base_url: str, issuer_url: str) -> Path:
    """The demo verifier (a relying party on the trust list) checking the demo issuer's employee cards."""
    return _seed(
        anchor,
        directory / "verifier.json",
        base_url,
        did=DEMO_VERIFIER_DID,
        label="demo-verifier",
        account=DEMO_VERIFIER_ACCOUNT,
        purposes=["authentication", "assertionMethod"],
        accreditation=None,
        settings={"templates": demo_verifier_templates(issuer_url)},
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
    on_chain = _on_chain(anchor, did)
    if not on_chain or not config_path.exists():
        controller = dev_signer(account)
        if not on_chain:
            anchor.register("root", label, did, controller.address)
            if accreditation is not None:
                anchor.accredit(did, accreditation)
        key_id = "key-1" if not on_chain else f"key-{secrets.token_hex(4)}"
        key = SigningKey.generate("P-256", did=did, key_id=key_id)
        anchor.with_signer(controller).add_key(
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
        config["templates"] = settings["templates"]  # and the templates name URLs under it
    config_path.write_text(json.dumps(config, indent=2) + "\n")
    config_path.chmod(0o600)
    return config_path


@dataclass(frozen=True)
class DemoEntity:
    """One organisation of the demo hierarchy, below the root or another demo entity."""

    did: str
    label: str
    parent: str  # "root" or a DID above it in DEMO_HIERARCHY
    account: str
    accreditations: tuple[str, ...] = ()
    suspended: bool = False


DEMO_HIERARCHY = (
    DemoEntity("did:web:gov.example", "gov", "root", "dev3", ("EmployeeCredential", "VaccinationCredential")),
    DemoEntity("did:web:moda.gov.example", "moda", "did:web:gov.example", "dev8", ("EmployeeCredential",)),
    DemoEntity(
        "did:web:health.gov.example",
        "health",
        "did:web:gov.example",
        "dev8",
        ("VaccinationCredential",),
        True,
    ),
    DemoEntity(
        "did:web:clinic.health.gov.example",
        "clinic",
        "did:web:health.gov.example",
        "dev9",
        ("VaccinationCredential",),
    ),
)
"""A national domain with agencies; `health` is suspended once its child is registered, so `clinic`
is effectively suspended."""


def seed_demo_hierarchy(anchor: TrustGateway, directory: Path) -> None:
    """The demo domains, agencies and the packet-delivery data space, registered once."""
    registered = []
    for entity in DEMO_HIERARCHY:
        if _on_chain(anchor, entity.did):
            continue
        parent = _parent_gateway(anchor, entity)
        parent.register(entity.parent, entity.label, entity.did, dev_signer(entity.account).address)
        for credential_type in entity.accreditations:
            parent.accredit(entity.did, credential_type)
        registered.append(entity)
    for entity in registered:
        if entity.suspended:
            _parent_gateway(anchor, entity).set_status(entity.did, "suspended")
    register_data_space(anchor, directory / "dataspace-keys")


def seed_demo_credentials(base_url: str, issuer_token: str, wallet_dir: Path, timeout: float = 60.0) -> None:
    """Once the one port answers: three employee cards from the demo issuer into the demo wallet,
    the first of them revoked, so the status list and the verifier have something to show."""
    deadline = time.monotonic() + timeout
    while not _answers(f"{base_url}/health"):
        if time.monotonic() > deadline:
            log.warning("the demo credentials were not issued: %s did not answer", base_url)
            return
        time.sleep(0.2)  # the port comes up once uvicorn has started in the main thread
    headers = {"Access-Token": issuer_token}
    wallet = Wallet(wallet_dir)
    for name, number in (("Mei Lin", "E-001"), ("Chen Wei", "E-002"), ("Ana Silva", "E-003")):
        fields = [{"ename": "name", "content": name}, {"ename": "employee_no", "content": number}]
        offer = httpx.post(
            f"{base_url}/api/qrcode/data",
            headers=headers,
            json={"vcUid": "employee", "dataTag": "demo", "fields": fields},
            timeout=60,
        )
        offer.raise_for_status()
        wallet.accept_offer(offer.json()["deepLink"])
    cards = httpx.get(f"{base_url}/api/credential/datatag/demo", headers=headers, timeout=60).json()["vcList"]
    httpx.put(f"{base_url}/api/credential/{cards[0]['cid']}/revocation", headers=headers, timeout=120)
    log.info("demo credentials: 3 issued into %s, %s revoked", wallet_dir, cards[0]["cid"])


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _parent_gateway(anchor: TrustGateway, entity: DemoEntity) -> TrustGateway:
    if entity.parent == "root":
        return anchor
    return _as(anchor, next(e.account for e in DEMO_HIERARCHY if e.did == entity.parent))


def _as(anchor: TrustGateway, account: str) -> TrustGateway:
    return anchor.with_signer(dev_signer(account))


def _on_chain(gateway: TrustGateway, did: str) -> bool:
    try:
        gateway.node_of(did)
    except UnknownDid:
        return False
    return True

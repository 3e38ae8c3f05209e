"""The DSBA packet-delivery data space on chain: who is registered under whom, and the offerings
recorded as accreditations.

    root (trust anchor)
    ├── marketplace   did:elsi:EU.EORI.NLMARKETPLACE  sells PacketDelivery's offerings
    │   ├── happypets did:elsi:EU.EORI.NLHAPPYPETS    premium: P.Info.standard + P.Info.gold, P.Create
    │   └── nocheaper did:elsi:EU.EORI.NLNOCHEAPER    basic: P.Info.standard only
    └── packetdelivery did:elsi:EU.EORI.NLPACKETDEL   the service provider and its verifier

Only a parent accredits its children and never beyond its own accreditation, so NoCheaper cannot
be given, nor give its customers, P.Info.gold.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from anvil.accounts import dev_account
from api.credentials.keys import SigningKey
from api.dataspace.policy import P_CREATE, P_INFO_GOLD, P_INFO_STANDARD, PACKET_DELIVERY
from trust_ledger.chain.gateway import TrustGateway, UnknownDid

MARKETPLACE = "did:elsi:EU.EORI.NLMARKETPLACE"
HAPPY_PETS = "did:elsi:EU.EORI.NLHAPPYPETS"
NO_CHEAPER = "did:elsi:EU.EORI.NLNOCHEAPER"
CUSTOMER = "CustomerCredential"
EMPLOYEE = "EmployeeCredential"
DATA_SPACE_VCT = {t: f"https://packetdelivery.example/vct/{t}" for t in (CUSTOMER, EMPLOYEE)}
"""The SD-JWT VC `vct` of the data space's types, one per type shared by every issuer accredited
for it (SD-JWT VC: a collision-resistant name, here under the data space's domain), so a verifier
takes a type from any accredited issuer by one name; the issuers' templates set it (their default,
`<base_url>/vct/<vcUid>`, is each issuer's own)."""

BASIC = {CUSTOMER: [(PACKET_DELIVERY, [P_INFO_STANDARD])]}
PREMIUM = {
    CUSTOMER: [(PACKET_DELIVERY, [P_INFO_STANDARD, P_INFO_GOLD])],
    EMPLOYEE: [(PACKET_DELIVERY, [P_CREATE])],
}
"""PacketDelivery's offerings, as accreditations: credential type -> roles per target."""


@dataclass(frozen=True)
class Party:
    """One organisation of the data space: where it sits, who controls it, what it may grant."""

    did: str
    label: str
    parent: str  # "root" or the parent's DID
    account: str  # dev account controlling the entity
    offering: dict[str, list[tuple[str, list[str]]]]
    key_purposes: tuple[str, ...]


PARTIES = (
    Party(MARKETPLACE, "marketplace", "root", "dev4", PREMIUM, ()),
    Party(PACKET_DELIVERY, "packetdelivery", "root", "dev5", {}, ("authentication", "assertionMethod")),
    Party(HAPPY_PETS, "happypets", MARKETPLACE, "dev6", PREMIUM, ("assertionMethod",)),
    Party(NO_CHEAPER, "nocheaper", MARKETPLACE, "dev7", BASIC, ("assertionMethod",)),
)
"""Parents before children."""


def register_data_space(anchor: TrustGateway, key_dir: Path) -> dict[str, SigningKey]:
    """Register, accredit and key every party that the chain does not hold yet (idempotent);
    return each keyed party's signing key (kept as private JWKs under ``key_dir``)."""
    key_dir.mkdir(parents=True, exist_ok=True)
    keys: dict[str, SigningKey] = {}
    for party in PARTIES:
        parent_gateway = anchor if party.parent == "root" else _as(anchor, _party(party.parent).account)
        fresh = not _registered(anchor, party.did)
        if fresh:
            parent_gateway.register(party.parent, party.label, party.did, dev_account(party.account).address)
            for credential_type, roles in party.offering.items():
                parent_gateway.accredit(party.did, credential_type, roles)
        if party.key_purposes:
            keys[party.did] = _key(anchor, party, key_dir / f"{party.label}.key.json", fresh)
    return keys


def _key(anchor: TrustGateway, party: Party, path: Path, fresh: bool) -> SigningKey:
    """The party's key from ``path``; a new one on chain when the entity is new or the file lost."""
    if path.exists() and not fresh:
        saved = json.loads(path.read_text())
        return SigningKey.from_jwk(saved["jwk"], did=party.did, key_id=saved["key_id"])
    key_id = "key-1" if fresh else f"key-{secrets.token_hex(4)}"
    key = SigningKey.generate("P-256", did=party.did, key_id=key_id)
    public = json.dumps(key.public_jwk, sort_keys=True).encode()
    _as(anchor, party.account).add_key(party.did, key_id, "JsonWebKey2020", public, party.key_purposes)
    path.write_text(json.dumps({"key_id": key_id, "jwk": key.private_jwk()}))
    path.chmod(0o600)
    return key


def _party(did: str) -> Party:
    return next(party for party in PARTIES if party.did == did)


def _as(anchor: TrustGateway, account: str) -> TrustGateway:
    return anchor.with_signer(dev_account(account))


def _registered(gateway: TrustGateway, did: str) -> bool:
    try:
        gateway.node_of(did)
    except UnknownDid:
        return False
    return True

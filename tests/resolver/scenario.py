"""A realistic registry history (DSBA packet-delivery names, Anvil accounts, ENS-style nodes).

tests.chainlogs.Chain gives the hierarchy root → domaina → registera2 → subregistera2_1 →
issuera1 (HappyPets) and issuera1's keys, service and status list; on top of it:
- issuera1 adds a short-lived key (`key-exp`), then rotates: adds `key-3`, revokes `key-1`;
- registera2 publishes a JWK that wrongly includes its private `d`, and a Multikey whose
  multicodec header is a secret key's;
- registera2 registers NoCheaper, accredits it for the basic offering only, then revokes it;
- domaina registers registera3 and registera3 registers issuera3, each accredited for the basic
  offering; then domaina suspends registera3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.support.chainlogs import ACCOUNTS, DIDS, NODES, TRUST_REGISTRY, Chain
from trust_ledger.domain import ChainLog

NOCHEAPER = "did:elsi:EU.EORI.NOCHEAPER"
REGISTERA3 = "did:web:registera3.domaina.example"
ISSUERA3 = "did:web:issuera3.domaina.example"
ROOT, DOMAINA, REGISTERA2 = DIDS["root"], DIDS["domaina"], DIDS["registera2"]
SUBREGISTER, HAPPYPETS = DIDS["subregistera2_1"], DIDS["issuera1"]

EXTRA_NODES = {
    "nocheaper": "0x8e3ae5c2bf2bdcca9414dd469dd54daf7f51bed6f501a7f513d0e6ede1a893c0",
    "registera3": "0x521d5749fe827f48e9ef117c54e117d459fcc5ff74a5479700b8df3514c662f0",
    "issuera3": "0x00c6d03f38c4521e6a123fb07fb574dc3baba59879ace21c3c340a1738d901c0",
}
EXTRA_ACCOUNTS = {
    "nocheaper": "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
    "registera3": "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
    "issuera3": "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
}

KEY_3_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "_aB2j4byieMvSWHLrk47MytFBFuYbfFyJVdvuv2hLeE",
    "y": "a5R4CbDWx1CnxC74lZFW4wsRHkeK-HTjl_o_1_g81mI",
}
LEAKY_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "LXRTEwUlyAFXhTtaTD-tpj_PiXlIdBm4la0r-yoohME",
    "y": "VbICRmDUc1VtkVVfGpDdbTzWd2MrF7g9OmM8SzD-pF0",
    "d": "vP4xWCWeh4sslmIvnUuUXfczSrc1TbIForJOg9ZcIfE",
}
SECRET_MULTIKEY_HEX = "0x8026" + "4c6fb685c0db2a62369bf589aaa69c4aa6bdc21864690eba8f401023d79fe0e8"
BASIC_ROLES = [{"target": "did:elsi:EU.EORI.PACKETDELIVERY", "names": ["P.Info.standard"]}]
KEYS_VALID_FROM = 1_735_689_600
"""Every key of the scenario is valid from 2025-01-01T00:00:00Z."""
KEY_EXP_UNTIL = 1_735_692_000
"""key-exp is valid from 2025-01-01T00:00:00Z until 2025-01-01T00:40:00Z."""


def jwk_hex(jwk: dict[str, Any]) -> str:
    import json

    return "0x" + json.dumps(jwk, separators=(",", ":")).encode().hex()


@dataclass
class Scenario:
    logs: list[ChainLog] = field(default_factory=list)
    times: dict[str, int] = field(default_factory=dict)
    blocks: dict[str, int] = field(default_factory=dict)


def _key(
    chain: Chain, name: str, key_id: str, key_type: str, material: str, purposes: int, until: int
) -> ChainLog:
    return chain.log(
        "KeyAdded",
        TRUST_REGISTRY,
        node=NODES.get(name) or EXTRA_NODES[name],
        keyId=key_id,
        keyType=key_type,
        publicKey=material,
        purposes=purposes,
        validFrom=KEYS_VALID_FROM,
        validUntil=until,
        by=ACCOUNTS.get(name) or EXTRA_ACCOUNTS[name],
    )


def _register(chain: Chain, name: str, did: str, parent: str, label: str) -> ChainLog:
    return chain.log(
        "EntityRegistered",
        TRUST_REGISTRY,
        node=EXTRA_NODES[name],
        parent=NODES.get(parent) or EXTRA_NODES[parent],
        label=label,
        did=did,
        controller=EXTRA_ACCOUNTS[name],
        proofKind=0,
        proofExpiry=0,
        proof="0x",
        by=ACCOUNTS.get(parent) or EXTRA_ACCOUNTS[parent],
    )


def _accredit(chain: Chain, name: str, parent: str, roles: list[dict[str, Any]]) -> ChainLog:
    return chain.log(
        "EntityAccredited",
        TRUST_REGISTRY,
        node=EXTRA_NODES[name],
        credentialTypeHash="0x" + "11" * 32,
        credentialType="CustomerCredential",
        roles=roles,
        validFrom=KEYS_VALID_FROM,
        validUntil=1_893_456_000,
        by=ACCOUNTS.get(parent) or EXTRA_ACCOUNTS[parent],
    )


def _status(chain: Chain, name: str, parent: str, previous: int, new: int) -> ChainLog:
    return chain.log(
        "EntityStatusChanged",
        TRUST_REGISTRY,
        node=EXTRA_NODES[name],
        previousStatus=previous,
        newStatus=new,
        by=ACCOUNTS.get(parent) or EXTRA_ACCOUNTS[parent],
    )


def build() -> Scenario:
    chain = Chain()
    s = Scenario()

    def mark(label: str) -> None:
        s.times[label] = chain.block_time
        s.blocks[label] = chain.block_number

    s.logs += chain.hierarchy()
    mark("hierarchy")
    s.logs += chain.issuer_setup()
    mark("issuer_setup")
    chain.mine()
    s.logs.append(_key(chain, "issuera1", "key-exp", "JsonWebKey2020", jwk_hex(KEY_3_JWK), 2, KEY_EXP_UNTIL))
    mark("key_exp_added")
    chain.mine()
    s.logs.append(_key(chain, "issuera1", "key-3", "JsonWebKey2020", jwk_hex(KEY_3_JWK), 3, 0))
    mark("key_3_added")
    chain.mine()
    s.logs.append(chain.key_revoked("issuera1", "key-1", "issuera1"))
    mark("key_1_revoked")
    chain.mine()
    s.logs.append(_key(chain, "registera2", "ops", "JsonWebKey2020", jwk_hex(LEAKY_JWK), 1, 0))
    s.logs.append(_key(chain, "registera2", "bad", "Multikey", SECRET_MULTIKEY_HEX, 1, 0))
    chain.mine()
    s.logs.append(_register(chain, "nocheaper", NOCHEAPER, "registera2", "nocheaper"))
    s.logs.append(_accredit(chain, "nocheaper", "registera2", BASIC_ROLES))
    mark("nocheaper_registered")
    chain.mine()
    s.logs.append(_status(chain, "nocheaper", "registera2", 1, 3))
    mark("nocheaper_revoked")
    chain.mine()
    s.logs.append(_register(chain, "registera3", REGISTERA3, "domaina", "registera3"))
    s.logs.append(_accredit(chain, "registera3", "domaina", BASIC_ROLES))
    chain.mine()
    s.logs.append(_register(chain, "issuera3", ISSUERA3, "registera3", "issuera3"))
    s.logs.append(_accredit(chain, "issuera3", "registera3", BASIC_ROLES))
    mark("issuera3_registered")
    chain.mine()
    s.logs.append(_status(chain, "registera3", "domaina", 1, 2))
    mark("registera3_suspended")
    return s

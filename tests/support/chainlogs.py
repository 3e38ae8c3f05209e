"""Hand-built ChainLogs, shaped exactly as the follower delivers them (Anvil chain id,
Anvil's first deployment addresses and accounts, real ENS-style node ids)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, ClassVar

from trust_ledger.domain import ROOT_NODE, ChainLog

CHAIN_ID = 31337
TRUST_REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
STATUS_REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"

ACCOUNTS = {
    "deployer": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "domaina": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "registera2": "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "subregistera2_1": "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "issuera1": "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
    "issuera1_new": "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    "delegate": "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
}

# node = keccak256(parentNode, keccak256(label)), as the TrustRegistry derives them.
NODES = {
    "root": ROOT_NODE,
    "domaina": "0x37d9673e03f44421a761d1d787ac2c1f9a365648d31500c97f26a92e67ccc61c",
    "registera2": "0x6ee4e98555215e48b42fb3bf09d5a648660c1f10c939e3675506553a5a74e0c2",
    "subregistera2_1": "0x63072ab9fbf30989c007321e5abff4178cb09ce6e9ae3dcd056d96fb1b71fa79",
    "issuera1": "0x86595d4040705d97af62e5d9e8095a06a36dc20de62e646d5a5bdbda3fa13f66",
}

DIDS = {
    "root": "did:elsi:EU.EORI.EUDATASPACE",
    "domaina": "did:elsi:EU.EORI.DOMAINA",
    "registera2": "did:elsi:EU.EORI.REGISTERA2",
    "subregistera2_1": "did:elsi:EU.EORI.SUBREGISTERA2_1",
    "issuera1": "did:elsi:EU.EORI.HAPPYPETS",
}

CUSTOMER_ROLES = [{"target": "did:elsi:EU.EORI.PACKETDELIVERY", "names": ["P.Info.gold", "P.Info.standard"]}]
# A P-256 JWK as UTF-8 bytes, hex encoded as the follower normalises `bytes`.
JWK_HEX = (
    "0x"
    + b'{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",'
    b'"y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}'.hex()
)
ED25519_MULTIKEY_HEX = "0xed01" + "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"


def _hash(*parts: object) -> str:
    return "0x" + hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()


@dataclass
class Chain:
    """Builds ChainLogs in chain order: one transaction per log, blocks 12 s apart."""

    NODES: ClassVar[dict[str, str]] = NODES
    DIDS: ClassVar[dict[str, str]] = DIDS
    ACCOUNTS: ClassVar[dict[str, str]] = ACCOUNTS
    TRUST_REGISTRY: ClassVar[str] = TRUST_REGISTRY
    STATUS_REGISTRY: ClassVar[str] = STATUS_REGISTRY
    CUSTOMER_ROLES: ClassVar[list[dict[str, Any]]] = CUSTOMER_ROLES
    JWK_HEX: ClassVar[str] = JWK_HEX

    chain_id: int = CHAIN_ID
    block_number: int = 100
    block_time: int = 1_735_689_600
    log_index: int = 0
    fork: str = "canonical"

    def mine(self) -> None:
        """Start the next block."""
        self.block_number += 1
        self.block_time += 12
        self.log_index = 0

    def block_hash(self, number: int | None = None) -> str:
        return _hash(self.chain_id, self.fork, "block", self.block_number if number is None else number)

    def log(self, event: str, contract: str, **args: Any) -> ChainLog:
        log = ChainLog(
            chain_id=self.chain_id,
            contract=contract,
            block_number=self.block_number,
            block_hash=self.block_hash(),
            block_time=self.block_time,
            tx_hash=_hash(self.chain_id, self.fork, "tx", self.block_number, self.log_index),
            log_index=self.log_index,
            event=event,
            args=args,
        )
        self.log_index += 1
        return log

    # TrustRegistry events --------------------------------------------------------------

    def registered(self, name: str, parent: str, label: str, by: str) -> ChainLog:
        return self.log(
            "EntityRegistered",
            TRUST_REGISTRY,
            node=NODES[name],
            parent=NODES[parent],
            label=label,
            did=DIDS[name],
            controller=ACCOUNTS[name] if name != "root" else ACCOUNTS["deployer"],
            proofKind=0,
            proofExpiry=0,
            proof="0x",
            by=ACCOUNTS[by],
        )

    def controller_changed(self, name: str, previous: str, new: str) -> ChainLog:
        return self.log(
            "EntityControllerChanged",
            TRUST_REGISTRY,
            node=NODES[name],
            previousController=ACCOUNTS[previous],
            newController=ACCOUNTS[new],
            by=ACCOUNTS[previous],
        )

    def status_changed(self, name: str, previous: int, new: int, by: str) -> ChainLog:
        return self.log(
            "EntityStatusChanged",
            TRUST_REGISTRY,
            node=NODES[name],
            previousStatus=previous,
            newStatus=new,
            by=ACCOUNTS[by],
        )

    def accredited(self, name: str, credential_type: str, roles: list[dict[str, Any]], by: str) -> ChainLog:
        return self.log(
            "EntityAccredited",
            TRUST_REGISTRY,
            node=NODES[name],
            credentialTypeHash=_hash("type", credential_type),
            credentialType=credential_type,
            roles=roles,
            validFrom=1_735_689_600,
            validUntil=1_893_456_000,
            by=ACCOUNTS[by],
        )

    def withdrawn(self, name: str, credential_type: str, by: str) -> ChainLog:
        return self.log(
            "AccreditationWithdrawn",
            TRUST_REGISTRY,
            node=NODES[name],
            credentialTypeHash=_hash("type", credential_type),
            credentialType=credential_type,
            by=ACCOUNTS[by],
        )

    def key_added(
        self, name: str, key_id: str, key_type: str, public_key: str, purposes: int, by: str
    ) -> ChainLog:
        return self.log(
            "KeyAdded",
            TRUST_REGISTRY,
            node=NODES[name],
            keyId=key_id,
            keyType=key_type,
            publicKey=public_key,
            purposes=purposes,
            validFrom=1_735_689_600,
            validUntil=0,
            by=ACCOUNTS[by],
        )

    def key_revoked(
        self, name: str, key_id: str, by: str, reason: int = 1, compromised_since: int = 0
    ) -> ChainLog:
        """KeyRevoked: `reason` 0 unspecified, 1 superseded, 2 keyCompromise (with `compromised_since`)."""
        return self.log(
            "KeyRevoked",
            TRUST_REGISTRY,
            node=NODES[name],
            keyId=key_id,
            reason=reason,
            compromisedSince=compromised_since,
            by=ACCOUNTS[by],
        )

    def service_added(
        self, name: str, service_id: str, service_type: str, endpoint: str, by: str
    ) -> ChainLog:
        return self.log(
            "ServiceAdded",
            TRUST_REGISTRY,
            node=NODES[name],
            serviceId=service_id,
            serviceType=service_type,
            endpoint=endpoint,
            by=ACCOUNTS[by],
        )

    def service_removed(self, name: str, service_id: str, by: str) -> ChainLog:
        return self.log(
            "ServiceRemoved", TRUST_REGISTRY, node=NODES[name], serviceId=service_id, by=ACCOUNTS[by]
        )

    # StatusRegistry events -------------------------------------------------------------

    def list_created(
        self, list_id: int, owner: str, by: str, purpose: int = 0, size: int = 131_072
    ) -> ChainLog:
        return self.log(
            "StatusListCreated",
            STATUS_REGISTRY,
            listId=list_id,
            owner=NODES[owner],
            purpose=purpose,
            size=size,
            uri=f"https://issuer.happypets.example/status/{list_id}",
            by=ACCOUNTS[by],
        )

    def words_changed(self, list_id: int, words: dict[int, int], by: str) -> ChainLog:
        return self.log(
            "StatusWordsChanged",
            STATUS_REGISTRY,
            listId=list_id,
            wordIndices=list(words),
            words=list(words.values()),
            by=ACCOUNTS[by],
        )

    def delegate_changed(self, owner: str, delegate: str, authorised: bool, by: str) -> ChainLog:
        return self.log(
            "StatusDelegateChanged",
            STATUS_REGISTRY,
            owner=NODES[owner],
            delegate=ACCOUNTS[delegate],
            authorised=authorised,
            by=ACCOUNTS[by],
        )

    # A standard history ----------------------------------------------------------------

    def hierarchy(self) -> list[ChainLog]:
        """Root, domaina, registera2, subregistera2_1 and issuera1, each accredited by its parent."""
        logs = []
        self.mine()
        logs.append(self.registered("root", "root", "", "deployer"))
        chain = [("domaina", "root", "deployer"), ("registera2", "domaina", "domaina")]
        chain += [
            ("subregistera2_1", "registera2", "registera2"),
            ("issuera1", "subregistera2_1", "subregistera2_1"),
        ]
        for name, parent, by in chain:
            self.mine()
            logs.append(self.registered(name, parent, name, by))
            logs.append(self.accredited(name, "CustomerCredential", CUSTOMER_ROLES, by))
        return logs

    def issuer_setup(self) -> list[ChainLog]:
        """issuera1 adds two keys and a service, creates a status list and revokes entry 0."""
        self.mine()
        logs = [
            self.key_added("issuera1", "key-1", "JsonWebKey2020", JWK_HEX, 3, "issuera1"),
            self.key_added("issuera1", "key-2", "Multikey", ED25519_MULTIKEY_HEX, 2, "issuera1"),
            self.service_added(
                "issuera1", "issuer", "OID4VCI", "https://issuer.happypets.example", "issuera1"
            ),
        ]
        self.mine()
        logs.append(self.list_created(1, "issuera1", "issuera1"))
        logs.append(self.words_changed(1, {0: 1 << 255}, "issuera1"))
        return logs

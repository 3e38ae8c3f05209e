"""The PEP tests' trust registry: a small hierarchy on the real chain, followed into trust views,
whose accreditations cover every role the policy-table tests grant (so there the policy decides),
with a branch of its own for the test that withdraws an accreditation.

    root
    ├── marketplace  CustomerCredential: everything the tests grant
    │   ├── happypets  the same
    │   └── nocheaper  CustomerCredential: P.Info.standard and P.Create for PacketDelivery
    └── broker       CustomerCredential: P.Info.standard and P.Info.gold for PacketDelivery
        └── shop       the same
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from anvil.accounts import dev_account
from api.dataspace.policy import P_CREATE, P_INFO_GOLD, P_INFO_STANDARD, PACKET_DELIVERY
from projections.service import LedgerService
from trust_ledger.chain.follower import default_horizon

CUSTOMER = "CustomerCredential"
MARKETPLACE = "did:elsi:EU.EORI.NLMARKETPLACE"
HAPPYPETS = "did:elsi:EU.EORI.NLHAPPYPETS"
NOCHEAPER = "did:elsi:EU.EORI.NLNOCHEAPER"
BROKER = "did:elsi:EU.EORI.NLBROKER"
SHOP = "did:elsi:EU.EORI.NLSHOP"

EVERYTHING = [
    (PACKET_DELIVERY, [P_INFO_STANDARD, P_INFO_GOLD, P_CREATE]),
    (HAPPYPETS, [P_INFO_GOLD, P_CREATE]),
    (NOCHEAPER, [P_INFO_GOLD]),
]
REGISTRY: tuple[tuple[str, str, str, str, list[tuple[str, list[str]]]], ...] = (
    # did, parent, label, controlling dev account, CustomerCredential roles
    (MARKETPLACE, "root", "marketplace", "dev4", EVERYTHING),
    (HAPPYPETS, MARKETPLACE, "happypets", "dev6", EVERYTHING),
    (NOCHEAPER, MARKETPLACE, "nocheaper", "dev7", [(PACKET_DELIVERY, [P_INFO_STANDARD, P_CREATE])]),
    (BROKER, "root", "broker", "dev8", [(PACKET_DELIVERY, [P_INFO_STANDARD, P_INFO_GOLD])]),
    (SHOP, BROKER, "shop", "dev9", [(PACKET_DELIVERY, [P_INFO_STANDARD, P_INFO_GOLD])]),
)
"""Parents before children."""


def controller_of(did: str) -> str:
    return next(account for entry, _, _, account, _ in REGISTRY if entry == did)


@contextmanager
def followed_registry(chain: Any) -> Iterator[LedgerService]:
    """Register REGISTRY on `chain` and follow it; the service's views hold it when this yields."""
    block = 0
    for did, parent, label, account, roles in REGISTRY:
        signer = "anchor" if parent == "root" else controller_of(parent)
        gateway = chain.gateway(signer)
        gateway.register(parent, label, did, dev_account(account).address)
        block = gateway.accredit(did, CUSTOMER, roles).block_number
    service = LedgerService.open(
        chain.gateway(None), default_horizon(chain.deployment.chain_id), poll_interval=0.05
    )
    service.start()
    try:
        service.wait_for_block(block)
        yield service
    finally:
        service.stop()

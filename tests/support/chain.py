"""A real Anvil chain with our contracts deployed (the `chain` fixture of tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from web3 import Web3

from anvil.accounts import dev_account
from trust_ledger.chain.deployment import Deployment
from trust_ledger.chain.gateway import TrustGateway

ROOT_DID = "did:web:anchor.test"


@dataclass
class DevChain:
    """A running Anvil with our contracts deployed by the `anchor` dev account."""

    w3: Web3
    deployment: Deployment
    manifest: Path

    def gateway(self, signer: str | None = "anchor") -> TrustGateway:
        """A gateway signing as the named dev account (None for read-only)."""
        return TrustGateway(self.w3, self.deployment, dev_account(signer) if signer else None)

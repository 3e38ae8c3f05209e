"""A real Anvil chain with our contracts deployed (the `chain` fixture of tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from web3 import Web3

from anvil.accounts import dev_signer
from trust_ledger.chain.deployment import Deployment
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.chain.rpc import JsonRpc

ROOT_DID = "did:web:anchor.test"


@dataclass
class DevChain:
    """A running Anvil with our contracts deployed by the `anchor` dev account."""

    w3: Web3
    deployment: Deployment
    manifest: Path

    @cached_property
    def rpc(self) -> JsonRpc:
        """The lean JSON-RPC client of the chain (the gateway's; `w3` is web3's, for tests' raw calls)."""
        return JsonRpc(self.deployment.rpc_url)

    def gateway(self, signer: str | None = "anchor") -> TrustGateway:
        """A gateway signing as the named dev account (None for read-only)."""
        return TrustGateway(self.rpc, self.deployment, dev_signer(signer) if signer else None)

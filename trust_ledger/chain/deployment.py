"""Deploy the contracts and read or write the deployment manifest.

Deploying (rare: `chain up`, `chain deploy`) goes through web3; reading the manifest (every command)
does not load it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trust_ledger.chain.compiler import CompiledContract, compile_contracts

if TYPE_CHECKING:
    from web3 import Web3

    from trust_ledger.chain.signing import Signer


@dataclass(frozen=True)
class Deployment:
    """Where our contracts live on one chain (var/deployment.json)."""

    chain_id: int
    trust_registry: str
    status_registry: str
    deployment_block: int
    trust_anchor: str
    root_did: str
    rpc_url: str

    def save(self, path: Path) -> None:
        """Write the manifest atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=2) + "\n")
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> Deployment:
        """Read a manifest written by `save`."""
        try:
            return cls(**json.loads(path.read_text()))
        except FileNotFoundError:
            raise FileNotFoundError(
                f"no deployment manifest at {path}: run `trust-ledger chain up` (dev) "
                "or `trust-ledger chain deploy` first"
            ) from None

    def is_live(self, w3: Web3) -> bool:
        """Whether this manifest matches the chain behind `w3` (same chain id, code present)."""
        if w3.eth.chain_id != self.chain_id:
            return False
        return all(
            len(w3.eth.get_code(w3.to_checksum_address(a))) > 0
            for a in (self.trust_registry, self.status_registry)
        )


def _deploy(w3: Web3, signer: Signer, contract: CompiledContract, *args) -> tuple[str, int]:
    from eth_account import Account

    factory = w3.eth.contract(abi=contract.abi, bytecode=contract.bytecode)
    sender = w3.to_checksum_address(signer.address)
    tx = factory.constructor(*args).build_transaction(
        {"from": sender, "nonce": w3.eth.get_transaction_count(sender, "pending")}
    )
    tx_hash = w3.eth.send_raw_transaction(Account.sign_transaction(tx, signer.key).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
    address = receipt["contractAddress"]
    if receipt["status"] != 1 or address is None:
        raise RuntimeError(f"deploying {contract.name} failed in tx {tx_hash.hex()}")
    return str(address), int(receipt["blockNumber"])


def deploy(w3: Web3, trust_anchor: Signer, root_did: str, rpc_url: str) -> Deployment:
    """Deploy TrustRegistry (the signer becomes the trust anchor) and StatusRegistry."""
    compiled = compile_contracts()
    registry, first_block = _deploy(w3, trust_anchor, compiled["TrustRegistry"], root_did)
    status, _ = _deploy(w3, trust_anchor, compiled["StatusRegistry"], registry)
    return Deployment(
        chain_id=w3.eth.chain_id,
        trust_registry=registry,
        status_registry=status,
        deployment_block=first_block,
        trust_anchor=trust_anchor.address,
        root_did=root_did,
        rpc_url=rpc_url,
    )

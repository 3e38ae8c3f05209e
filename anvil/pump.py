"""Real contract events in bulk, for tests and benchmarks: an EventPump controls one entity
and emits many ServiceAdded events per transaction."""

from __future__ import annotations

from functools import cache

import solcx
from web3 import Web3

from anvil.accounts import dev_account
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.paths import CONTRACTS_DIR, solc_shim

PUMP_SOURCE = CONTRACTS_DIR / "test" / "utils" / "EventPump.sol"


@cache
def pump_artifact() -> tuple[list[dict], str]:
    """ABI and bytecode of EventPump, compiled offline."""
    standard = {
        "language": "Solidity",
        "sources": {"EventPump.sol": {"content": PUMP_SOURCE.read_text()}},
        "settings": {
            "optimizer": {"enabled": True, "runs": 200},
            "evmVersion": "cancun",
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }
    output = solcx.compile_standard(standard, solc_binary=solc_shim())
    contract = output["contracts"]["EventPump.sol"]["EventPump"]
    return contract["abi"], "0x" + contract["evm"]["bytecode"]["object"]


class EventPump:
    """An entity `did` under the root whose controller is a deployed EventPump."""

    def __init__(self, w3: Web3, gateway: TrustGateway, did: str, label: str = "pump"):
        self.w3 = w3
        self.signer = dev_account("anchor")
        abi, bytecode = pump_artifact()
        factory = w3.eth.contract(abi=abi, bytecode=bytecode)
        tx = factory.constructor(gateway.registry.address).build_transaction(
            {"from": self.signer.address, "nonce": w3.eth.get_transaction_count(self.signer.address)}
        )
        receipt = w3.eth.wait_for_transaction_receipt(
            w3.eth.send_raw_transaction(self.signer.sign_transaction(tx).raw_transaction)
        )
        self.contract = w3.eth.contract(address=receipt["contractAddress"], abi=abi)
        gateway.register("root", label, did, self.contract.address)
        self.node = gateway.node_of(did)
        self.emitted = 0

    def pump(self, total: int, per_tx: int = 200) -> int:
        """Emit `total` more ServiceAdded events; returns the block of the last one."""
        nonce = self.w3.eth.get_transaction_count(self.signer.address)
        hashes = []
        for first in range(self.emitted, self.emitted + total, per_tx):
            count = min(per_tx, self.emitted + total - first)
            tx = self.contract.functions.pump(self.node, first, count).build_transaction(
                {"from": self.signer.address, "nonce": nonce, "gas": 29_000_000}
            )
            hashes.append(self.w3.eth.send_raw_transaction(self.signer.sign_transaction(tx).raw_transaction))
            nonce += 1
        receipts = [self.w3.eth.wait_for_transaction_receipt(h, timeout=300) for h in hashes]
        if any(r["status"] != 1 for r in receipts):
            raise RuntimeError("a pump transaction reverted")
        self.emitted += total
        return receipts[-1]["blockNumber"]

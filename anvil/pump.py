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

    def pump(self, total: int, per_tx: int = 200, node: str | None = None, first: int | None = None) -> int:
        """Emit `total` more ServiceAdded events (on `node`, by default the pump's own entity, whose
        service ids continue from the last call); returns the block of the last one."""
        start = self.emitted if first is None else first
        calls = [
            self.contract.functions.pump(node or self.node, offset, min(per_tx, start + total - offset))
            for offset in range(start, start + total, per_tx)
        ]
        block = self._send_all(calls)
        if node is None:
            self.emitted += total
        return block

    def register_children_range(self, did_prefix: str, first: int, total: int, per_tx: int = 100) -> int:
        """Register children e<first>..e<first+total-1> (DID <did_prefix><i>) under the pump's entity,
        controlled by the pump; returns the block of the last one."""
        end = first + total
        calls = [
            self.contract.functions.registerChildren(self.node, did_prefix, start, min(per_tx, end - start))
            for start in range(first, end, per_tx)
        ]
        return self._send_all(calls)

    def _send_all(self, calls: list) -> int:
        nonce = int(self.w3.eth.get_transaction_count(self.signer.address))
        hashes = []
        for call in calls:
            tx = call.build_transaction({"from": self.signer.address, "nonce": nonce, "gas": 29_000_000})
            hashes.append(self.w3.eth.send_raw_transaction(self.signer.sign_transaction(tx).raw_transaction))
            nonce += 1
        receipts = [self.w3.eth.wait_for_transaction_receipt(h, timeout=600) for h in hashes]
        if any(r["status"] != 1 for r in receipts):
            raise RuntimeError("a pump transaction reverted")
        return receipts[-1]["blockNumber"]

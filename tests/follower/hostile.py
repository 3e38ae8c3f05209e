"""The HostileEmitter (contracts/test/utils/HostileEmitter.sol) deployed on Anvil as both registries:
it emits the registries' events with any bytes in their string fields, whatever the real contracts
accept, and a follower reads it exactly as it reads the real ones."""

from __future__ import annotations

from functools import cache
from typing import Any

import solcx
from eth_account.signers.local import LocalAccount
from web3 import Web3

from anvil.accounts import dev_account
from trust_ledger.chain.deployment import Deployment
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.chain.rpc import JsonRpc
from trust_ledger.domain import ROOT_NODE
from trust_ledger.paths import CONTRACTS_DIR, solc_shim

EMITTER_SOURCE = CONTRACTS_DIR / "test" / "utils" / "HostileEmitter.sol"
ROOT_DID = b"did:web:hostile-anchor.test"


@cache
def emitter_artifact() -> tuple[list[dict], str]:
    """ABI and bytecode of HostileEmitter, compiled offline."""
    standard = {
        "language": "Solidity",
        "sources": {"HostileEmitter.sol": {"content": EMITTER_SOURCE.read_text()}},
        "settings": {
            "optimizer": {"enabled": True, "runs": 200},
            "evmVersion": "cancun",
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }
    output = solcx.compile_standard(standard, solc_binary=solc_shim())
    contract = output["contracts"]["HostileEmitter.sol"]["HostileEmitter"]
    return contract["abi"], "0x" + contract["evm"]["bytecode"]["object"]


def node_of(parent: str, label: bytes) -> str:
    """ENS-style node id, as the TrustRegistry derives it."""
    return "0x" + Web3.keccak(bytes.fromhex(parent[2:]) + Web3.keccak(label)).hex()


class HostileRegistry:
    """Two HostileEmitters standing in for the TrustRegistry and the StatusRegistry; `gateway` is a
    read-only gateway whose deployment points at them (the follower's decoder is keyed by address)."""

    def __init__(self, w3: Web3):
        self.w3 = w3
        anchor = dev_account("anchor")
        abi, bytecode = emitter_artifact()
        trust, first_block = self._deploy(anchor, abi, bytecode)
        status, _ = self._deploy(anchor, abi, bytecode)
        self.trust = w3.eth.contract(address=trust, abi=abi)
        self.status = w3.eth.contract(address=status, abi=abi)
        deployment = Deployment(
            chain_id=w3.eth.chain_id,
            trust_registry=trust,
            status_registry=status,
            deployment_block=first_block,
            trust_anchor=anchor.address,
            root_did=ROOT_DID.decode(),
            rpc_url="",
        )
        self.gateway = TrustGateway(JsonRpc(w3.provider.endpoint_uri), deployment)

    def _deploy(self, signer: LocalAccount, abi: list[dict], bytecode: str) -> tuple[str, int]:
        factory = self.w3.eth.contract(abi=abi, bytecode=bytecode)
        receipt = self._send(signer, factory.constructor())
        return receipt["contractAddress"], receipt["blockNumber"]

    def _send(self, signer: LocalAccount, call: Any) -> Any:
        tx = call.build_transaction(
            {"from": signer.address, "nonce": self.w3.eth.get_transaction_count(signer.address)}
        )
        receipt = self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_raw_transaction(signer.sign_transaction(tx).raw_transaction)
        )
        assert receipt["status"] == 1
        return receipt

    def emit(self, signer: str, function: str, *args: Any, status: bool = False) -> int:
        """Call `function` of the emitter as dev account `signer`; returns the block it was mined in."""
        contract = self.status if status else self.trust
        return self._send(dev_account(signer), contract.functions[function](*args))["blockNumber"]

    def register_root(self) -> int:
        anchor = dev_account("anchor").address
        return self.emit("anchor", "registered", ROOT_NODE, ROOT_NODE, b"", ROOT_DID, anchor)

    def register(self, label: bytes, did: bytes, controller: str) -> str:
        """A child of the root (registered by the anchor), controlled by dev account `controller`."""
        node = node_of(ROOT_NODE, label)
        self.emit("anchor", "registered", node, ROOT_NODE, label, did, dev_account(controller).address)
        return node

"""The resolver benchmark's peer: ERC-1056 (EthereumDIDRegistry, npm `ethr-did-registry`, its
compiled artifact) deployed on the benchmark's Anvil, did:ethr identities with a given number of
changes, and ethr-did-resolver serving them over HTTP (bench/ethr_peer.cjs, one Node process).

A did:ethr DID needs no registration: an identity with N changes has N `setAttribute` calls, each
in its own block (Anvil mines every transaction at once), so the resolver walks N blocks back
(`changed` then one `eth_getLogs` per change, as it does on any chain). The changes are services
(`did/svc/<Type>`, the endpoint as value), as our DIDs' are.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eth_account import Account
from web3 import Web3

from anvil.devchain import free_port
from bench.httpbench import wait_for_port
from trust_ledger.paths import PROJECT_ROOT

ARTIFACT = (
    PROJECT_ROOT
    / "node_modules"
    / "ethr-did-registry"
    / "artifacts"
    / "contracts"
    / "EthereumDIDRegistry.sol"
    / "EthereumDIDRegistry.json"
)
SERVER = Path(__file__).with_name("ethr_peer.cjs")
VALIDITY = 10 * 365 * 24 * 3600


def attribute_name(text: str) -> bytes:
    """An ERC-1056 attribute name: the UTF-8 text right-padded to bytes32."""
    raw = text.encode()
    if len(raw) > 32:
        raise ValueError(f"attribute name longer than 32 bytes: {text}")
    return raw.ljust(32, b"\0")


class EthrRegistry:
    """EthereumDIDRegistry deployed by `deployer` (a LocalAccount) on `w3`'s chain."""

    def __init__(self, w3: Web3, deployer: Any):
        artifact = json.loads(ARTIFACT.read_text())
        self.w3 = w3
        self.abi = artifact["abi"]
        factory = w3.eth.contract(abi=self.abi, bytecode=artifact["bytecode"])
        receipt = self._send(deployer, factory.constructor())
        self.address = receipt["contractAddress"]
        self.contract = w3.eth.contract(address=self.address, abi=self.abi)
        self.chain_id = w3.eth.chain_id

    def did(self, identity: str) -> str:
        return f"did:ethr:{hex(self.chain_id)}:{identity.lower()}"

    def identities_with_changes(self, count: int, changes: int) -> list[str]:
        """`count` new identities, each with `changes` service attributes set by itself; their DIDs."""
        accounts = [Account.create() for _ in range(count)]
        for account in accounts:  # funds for their own transactions
            self.w3.provider.make_request("anvil_setBalance", [account.address, hex(10**20)])
        gas_price = self.w3.eth.gas_price * 2
        hashes = []
        for account in accounts:
            for change in range(changes):
                call = self.contract.functions.setAttribute(
                    account.address,
                    attribute_name(f"did/svc/BenchService{change}"),
                    f"https://svc{change}.example/{account.address.lower()}".encode(),
                    VALIDITY,
                )
                tx = {
                    "to": self.address,
                    "data": call._encode_transaction_data(),
                    "gas": 200_000,
                    "gasPrice": gas_price,
                    "nonce": change,
                    "chainId": self.chain_id,
                    "value": 0,
                }
                hashes.append(self.w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction))
        for tx_hash in hashes:
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
            if receipt["status"] != 1:
                raise SystemExit(f"setAttribute {tx_hash.hex()} reverted")
        return [self.did(account.address) for account in accounts]

    def _send(self, account: Any, call: Any) -> Any:
        tx = call.build_transaction(
            {
                "from": account.address,
                "nonce": self.w3.eth.get_transaction_count(account.address),
                "gas": 3_000_000,
                "chainId": self.w3.eth.chain_id,
            }
        )
        tx_hash = self.w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
        if receipt["status"] != 1:
            raise SystemExit(f"transaction {tx_hash.hex()} reverted")
        return receipt


@contextmanager
def ethr_resolver_serving(rpc_url: str, registry: EthrRegistry) -> Iterator[str]:
    """bench/ethr_peer.cjs on a free port: its base URL (GET /1.0/identifiers/<did>)."""
    port = free_port()
    process = subprocess.Popen(
        ["node", str(SERVER), str(port), rpc_url, registry.address, str(registry.chain_id)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, "the ethr-did-resolver server")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)

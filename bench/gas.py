"""Gas per status operation: our StatusRegistry against a naive one-slot-per-credential registry.

One fresh Anvil; the baseline, bench/contracts/NaiveStatusRegistry.sol (a bool slot, an owner
check and an event per revoked credential), is compiled with the same solc shim and settings
as our contracts and deployed in the same run. Every gas figure is the gasUsed of real
transaction receipts; the storage written is counted from debug_traceTransaction
(prestateTracer, diffMode). Each operation starts from an empty list (a new list of ours, a new
naive contract):
- one revocation, into an empty word (ours) or slot (naive);
- one more revocation whose word already holds a set bit (naive: just another empty slot);
- 100 revocations in one transaction, indices random out of 131,072 (seeded, same for both);
- a full 131,072-entry list, every entry revoked, summed over batched transactions.

    python -m bench.gas [--seed 8] [--batch 2048] [--naive-batch 1000] [--naive-entries 131072]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import solcx
from eth_account.signers.local import LocalAccount
from rich.console import Console
from rich.table import Table
from web3 import Web3

from anvil.accounts import dev_account
from anvil.devchain import ephemeral_chain
from trust_ledger.chain.compiler import SETTINGS, CompiledContract
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.chain.rpc import JsonRpc
from trust_ledger.paths import solc_shim

RESULTS = Path(__file__).with_name("results")
NAIVE_SOURCE = Path(__file__).with_name("contracts") / "NaiveStatusRegistry.sol"
LIST_SIZE = 131_072
ISSUER_DID = "did:example:bench-issuer"


@dataclass
class Cost:
    """What some transactions against one registry cost: gas, count, storage slots written."""

    gas: int = 0
    transactions: int = 0
    slots: set[str] = field(default_factory=set)

    def add(self, w3: Web3, tx_hash: str, gas_used: int, contract: str) -> None:
        self.gas += gas_used
        self.transactions += 1
        self.slots |= storage_slots_written(w3, tx_hash, contract)


def storage_slots_written(w3: Web3, tx_hash: str, contract: str) -> set[str]:
    """The storage slots of `contract` whose value the transaction changed (prestateTracer diff)."""
    response = w3.provider.make_request(
        "debug_traceTransaction", [tx_hash, {"tracer": "prestateTracer", "tracerConfig": {"diffMode": True}}]
    )
    if "error" in response:
        raise SystemExit(f"debug_traceTransaction failed: {response['error']}")
    post = response["result"]["post"].get(contract.lower(), {})
    return set(post.get("storage", {}))


def compile_naive_registry() -> CompiledContract:
    """NaiveStatusRegistry.sol, compiled like contracts/src (trust_ledger.chain.compiler.SETTINGS)."""
    standard_input = {
        "language": "Solidity",
        "sources": {NAIVE_SOURCE.name: {"content": NAIVE_SOURCE.read_text()}},
        "settings": SETTINGS,
    }
    output = solcx.compile_standard(standard_input, solc_binary=solc_shim(), base_path=NAIVE_SOURCE.parent)
    contract = output["contracts"][NAIVE_SOURCE.name]["NaiveStatusRegistry"]
    return CompiledContract(
        "NaiveStatusRegistry", contract["abi"], "0x" + contract["evm"]["bytecode"]["object"]
    )


class NaiveRegistry:
    """One deployed NaiveStatusRegistry, driven by its owner with signed raw transactions."""

    def __init__(self, w3: Web3, owner: LocalAccount, compiled: CompiledContract):
        self.w3 = w3
        self.owner = owner
        factory = w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
        receipt = self._send(factory.constructor())
        self.contract = w3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)

    @property
    def address(self) -> str:
        return self.contract.address

    def revoke(self, index: int, cost: Cost) -> None:
        self._measure(self.contract.functions.revoke(index), cost)

    def revoke_many(self, indices: list[int], cost: Cost) -> None:
        self._measure(self.contract.functions.revokeMany(indices), cost)

    def _measure(self, call, cost: Cost) -> None:
        receipt = self._send(call)
        cost.add(self.w3, receipt["transactionHash"].to_0x_hex(), receipt["gasUsed"], self.address)

    def _send(self, call):
        sender = self.owner.address
        gas = call.estimate_gas({"from": sender})
        tx = call.build_transaction(
            {
                "from": sender,
                "nonce": self.w3.eth.get_transaction_count(sender, "pending"),
                "gas": gas + gas // 10,
            }
        )
        tx_hash = self.w3.eth.send_raw_transaction(self.owner.sign_transaction(tx).raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
        if receipt["status"] != 1:
            raise SystemExit(f"naive registry transaction {tx_hash.to_0x_hex()} reverted")
        return receipt


class OurRegistry:
    """Our StatusRegistry through the gateway: lists owned by one entity registered under root.

    Every write pays our authorisation, two calls into the TrustRegistry (the owner's controller
    and its effective status, i.e. the owner and its ancestors Active), where the naive registry
    reads one owner slot.
    """

    def __init__(self, w3: Web3, gateway: TrustGateway):
        self.w3 = w3
        self.gateway = gateway
        self.address = gateway.status.address
        self.lists = 0
        gateway.register("root", "bench-issuer", ISSUER_DID, gateway.signer.address)

    def new_list(self) -> int:
        self.lists += 1
        list_id, _ = self.gateway.create_status_list(
            ISSUER_DID, "revocation", f"https://issuer.example/status/{self.lists}"
        )
        return list_id

    def revoke(self, list_id: int, indices: list[int], cost: Cost) -> None:
        result = self.gateway.set_statuses(list_id, indices)
        cost.add(self.w3, result.tx_hash, result.gas_used, self.address)


def batches(start: int, stop: int, size: int) -> list[list[int]]:
    return [list(range(first, min(first + size, stop))) for first in range(start, stop, size)]


def slots_and_bytes(count: int) -> str:
    return f"{count:,} slot{'s' if count != 1 else ''}, {32 * count:,} B"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--batch",
        type=int,
        default=2_048,
        help="entries per setStatuses of the full list (the cheapest per entry: calldata and the "
        "loop grow linearly, the event's memory arrays quadratically)",
    )
    parser.add_argument("--naive-batch", type=int, default=1_000, help="entries per revokeMany (~24M gas)")
    parser.add_argument(
        "--naive-entries",
        type=int,
        default=LIST_SIZE,
        help="naive entries revoked for the full list; fewer than 131,072 extrapolates the rest",
    )
    args = parser.parse_args()
    console = Console()
    rng = random.Random(args.seed)
    single = rng.randrange(LIST_SIZE)
    same_word = single ^ 1  # the neighbour bit: same 256-bit word, different entry
    random_100 = sorted(rng.sample(range(LIST_SIZE), 100))
    naive_entries = min(args.naive_entries, LIST_SIZE)
    extrapolated = naive_entries < LIST_SIZE

    labels = {
        "single": "one revocation, empty word / slot",
        "same_word": "one more in the same word (naive: a new slot)",
        "batch_100": "100 random revocations, one tx",
        "full": f"full list, {LIST_SIZE:,} revocations",
        "per_entry": "full list, per entry",
    }
    ours = {key: Cost() for key in ("single", "same_word", "batch_100", "full")}
    naive = {key: Cost() for key in ("single", "same_word", "batch_100", "full")}
    seconds: dict[str, float] = {}

    with ephemeral_chain() as (w3, deployment):
        gateway = TrustGateway(JsonRpc(deployment.rpc_url), deployment, dev_account("anchor"))
        registry = OurRegistry(w3, gateway)
        compiled = compile_naive_registry()
        block_gas_limit = w3.eth.get_block("latest")["gasLimit"]
        console.print(f"Anvil at block gas limit {block_gas_limit:,}; seed {args.seed}")

        list_id = registry.new_list()
        registry.revoke(list_id, [single], ours["single"])
        registry.revoke(list_id, [same_word], ours["same_word"])
        registry.revoke(registry.new_list(), random_100, ours["batch_100"])
        console.print(f"ours: full list in setStatuses batches of {args.batch:,} ...")
        started = time.perf_counter()
        full_list = registry.new_list()
        for indices in batches(0, LIST_SIZE, args.batch):
            registry.revoke(full_list, indices, ours["full"])
        seconds["ours full list"] = time.perf_counter() - started
        assert all(gateway.status_word(full_list, w) == 2**256 - 1 for w in (0, 511))

        contract = NaiveRegistry(w3, dev_account("anchor"), compiled)
        contract.revoke(single, naive["single"])
        contract.revoke(same_word, naive["same_word"])
        NaiveRegistry(w3, dev_account("anchor"), compiled).revoke_many(random_100, naive["batch_100"])
        console.print(f"naive: {naive_entries:,} entries in revokeMany batches of {args.naive_batch:,} ...")
        started = time.perf_counter()
        contract = NaiveRegistry(w3, dev_account("anchor"), compiled)
        for indices in batches(0, naive_entries, args.naive_batch):
            contract.revoke_many(indices, naive["full"])
        seconds["naive full list"] = time.perf_counter() - started
        assert contract.contract.functions.revoked(naive_entries - 1).call()

    naive_full_gas = naive["full"].gas * LIST_SIZE // naive_entries
    naive_full_slots = len(naive["full"].slots) * LIST_SIZE // naive_entries
    gas = {
        key: {"ours": ours[key].gas, "naive": naive_full_gas if key == "full" else naive[key].gas}
        for key in ours
    }
    gas["per_entry"] = {"ours": ours["full"].gas / LIST_SIZE, "naive": naive_full_gas / LIST_SIZE}
    slots = {key: {"ours": len(ours[key].slots), "naive": len(naive[key].slots)} for key in ours}
    slots["full"]["naive"] = naive_full_slots
    note = (
        f"naive full list extrapolated: {naive_entries:,} measured, x {LIST_SIZE / naive_entries:.2f}"
        if extrapolated
        else "naive full list measured in full, not extrapolated"
    )
    labels["full"] += (
        f" ({ours['full'].transactions} tx / {naive['full'].transactions} tx"
        f"{', naive EXTRAPOLATED' if extrapolated else ''})"
    )

    table = Table(
        title=f"gas per operation, from receipts (Anvil chain {deployment.chain_id}, seed {args.seed})"
    )
    for column in ("operation", "ours gas", "naive gas", "naive/ours"):
        table.add_column(column, justify="left" if column == "operation" else "right")
    for key, row in gas.items():
        table.add_row(
            labels[key], f"{row['ours']:,.0f}", f"{row['naive']:,.0f}", f"{row['naive'] / row['ours']:.1f}"
        )
    console.print(table)

    storage = Table(title="contract storage written (32-byte slots, from prestateTracer diffs)")
    for column in ("operation", "ours", "naive", "naive/ours"):
        storage.add_column(column, justify="left" if column == "operation" else "right")
    for key, row in slots.items():
        storage.add_row(
            labels[key],
            slots_and_bytes(row["ours"]),
            slots_and_bytes(row["naive"]),
            f"{row['naive'] / row['ours']:.1f}",
        )
    console.print(storage)
    console.print(note)
    for name, elapsed in seconds.items():
        console.print(f"  {name}: {elapsed:.1f} s")

    RESULTS.mkdir(exist_ok=True)
    report = {
        "benchmark": "gas",
        "seed": args.seed,
        "list_size": LIST_SIZE,
        "block_gas_limit": block_gas_limit,
        "batches": {"ours": args.batch, "naive": args.naive_batch},
        "transactions": {
            key: {"ours": ours[key].transactions, "naive": naive[key].transactions} for key in ours
        },
        "naive_full_list": {
            "entries_measured": naive_entries,
            "extrapolated": extrapolated,
            "note": note,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "labels": labels,
        "gas": gas,
        "ratio_naive_to_ours": {key: row["naive"] / row["ours"] for key, row in gas.items()},
        "storage_slots_written": slots,
        "storage_bytes_written": {
            key: {side: 32 * count for side, count in row.items()} for key, row in slots.items()
        },
        "seconds": seconds,
    }
    (RESULTS / "gas.json").write_text(json.dumps(report, indent=2) + "\n")
    console.print(f"written {RESULTS / 'gas.json'}")


if __name__ == "__main__":
    main()

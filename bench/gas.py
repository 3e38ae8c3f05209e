"""Gas per status operation: our StatusRegistry against a naive one-slot-per-credential registry.

One fresh Anvil; the baseline, contracts/test/baseline/NaiveStatusRegistry.sol (a bool slot, an
owner check and an event per revoked credential), is compiled with the same solc shim and settings
as our contracts and deployed in the same run. Every gas figure is the gasUsed of real transaction
receipts; the storage written is counted from debug_traceTransaction (prestateTracer, diffMode),
for the naive full list on its first transaction (one new slot per entry), the rest counted alike.
Each operation starts from an empty list (a new list of ours, a new naive contract):
- one revocation, into an empty word (ours) or slot (naive);
- one more revocation whose word already holds a set bit (naive: just another empty slot);
- 100 revocations in one transaction, indices random out of 131,072 (seeded, same for all);
- a full 131,072-entry list, every entry revoked, summed over batched transactions.

Ours is measured twice on the same contract: "before" with setStatuses (indices; the only call
before issue 18), "after" with the calls made for these cases, setStatus (one index) and
setStatusWords (word indices and 256-bit masks). Every write of ours checks on chain that the
sender is the owner's controller (or its delegate of the current term) and that the owner and its
ancestors are Active (two calls into the TrustRegistry); the owner is an issuer under the root.

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
from typing import Any

import solcx
from eth_account.signers.local import LocalAccount
from rich.console import Console
from rich.table import Table
from web3 import Web3

from anvil.accounts import dev_account
from anvil.devchain import ephemeral_chain
from bench.results_dir import RESULTS
from trust_ledger.chain.compiler import SETTINGS, CompiledContract, compile_contracts
from trust_ledger.chain.deployment import Deployment
from trust_ledger.paths import CONTRACTS_DIR, solc_shim

NAIVE_SOURCE = CONTRACTS_DIR / "test" / "baseline" / "NaiveStatusRegistry.sol"
LIST_SIZE = 131_072
WORD_BITS = 256
ISSUER_DID = "did:example:bench-issuer"
ROOT_NODE = b"\x00" * 32
REVOCATION = 0  # IStatusRegistry.Purpose.Revocation
OPERATIONS = ("single", "same_word", "batch_100", "full")
SIDES = ("before", "after", "naive")


@dataclass
class Cost:
    """What some transactions against one contract cost: gas, count, storage slots written."""

    gas: int = 0
    transactions: int = 0
    slots: set[str] = field(default_factory=set)

    def add(self, w3: Web3, receipt: Any, contract: str) -> None:
        self.gas += receipt["gasUsed"]
        self.transactions += 1
        self.slots |= storage_slots_written(w3, receipt["transactionHash"].to_0x_hex(), contract)


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


class Sender:
    """Signed raw transactions from one dev account, each awaited; a reverted one ends the run."""

    def __init__(self, w3: Web3, account: LocalAccount):
        self.w3 = w3
        self.account = account

    def send(self, call: Any) -> Any:
        sender = self.account.address
        gas = call.estimate_gas({"from": sender})
        tx = call.build_transaction(
            {
                "from": sender,
                "nonce": self.w3.eth.get_transaction_count(sender, "pending"),
                "gas": gas + gas // 10,
            }
        )
        tx_hash = self.w3.eth.send_raw_transaction(self.account.sign_transaction(tx).raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
        if receipt["status"] != 1:
            raise SystemExit(f"transaction {tx_hash.to_0x_hex()} reverted")
        return receipt


class NaiveRegistry:
    """One deployed NaiveStatusRegistry, driven by its owner."""

    def __init__(self, sender: Sender, compiled: CompiledContract):
        self.sender = sender
        factory = sender.w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
        receipt = sender.send(factory.constructor())
        self.contract = sender.w3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)

    def revoke(self, indices: list[int], cost: Cost, trace: bool = True) -> None:
        functions = self.contract.functions
        call = functions.revoke(indices[0]) if len(indices) == 1 else functions.revokeMany(indices)
        receipt = self.sender.send(call)
        if trace:
            cost.add(self.sender.w3, receipt, self.contract.address)
        else:
            cost.gas += receipt["gasUsed"]
            cost.transactions += 1


class OurRegistry:
    """Our StatusRegistry, called directly (the gas is the contract's, whatever client sends it):
    lists owned by one entity registered under the root, the sender its controller."""

    def __init__(self, sender: Sender, deployment: Deployment):
        self.sender = sender
        compiled = compile_contracts()
        w3 = sender.w3
        registry = w3.eth.contract(address=deployment.trust_registry, abi=compiled["TrustRegistry"].abi)
        self.status = w3.eth.contract(address=deployment.status_registry, abi=compiled["StatusRegistry"].abi)
        controller = sender.account.address
        sender.send(registry.functions.register(ROOT_NODE, "bench-issuer", ISSUER_DID, controller, 0, b""))
        found, self.owner = registry.functions.nodeOfDid(ISSUER_DID).call()
        assert found

    def new_list(self) -> int:
        count = self.status.functions.listCount().call()
        uri = f"https://issuer.example/status/{count + 1}"
        self.sender.send(self.status.functions.createList(self.owner, REVOCATION, 0, uri))
        return count + 1

    def by_indices(self, list_id: int, indices: list[int], cost: Cost) -> None:
        """setStatuses with sorted indices (each word touched once)."""
        self._measure(self.status.functions.setStatuses(list_id, sorted(indices), True), cost)

    def by_calls_for_the_case(self, list_id: int, indices: list[int], cost: Cost) -> None:
        """setStatus for one index, else setStatusWords with one mask per word."""
        if len(indices) == 1:
            self._measure(self.status.functions.setStatus(list_id, indices[0], True), cost)
            return
        masks = word_masks(indices)
        call = self.status.functions.setStatusWords(list_id, list(masks), list(masks.values()), True)
        self._measure(call, cost)

    def word(self, list_id: int, word_index: int) -> int:
        return self.status.functions.word(list_id, word_index).call()

    def _measure(self, call: Any, cost: Cost) -> None:
        cost.add(self.sender.w3, self.sender.send(call), self.status.address)


def word_masks(indices: list[int]) -> dict[int, int]:
    """{word index: mask}, ascending; list index 256*w + k is bit 255 - k of word w."""
    masks: dict[int, int] = {}
    for index in sorted(indices):
        word = index // WORD_BITS
        masks[word] = masks.get(word, 0) | (1 << (WORD_BITS - 1 - index % WORD_BITS))
    return masks


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
        help="entries per setStatuses of the full list, before (the cheapest per entry: calldata and "
        "the loop grow linearly, the event's memory arrays quadratically)",
    )
    parser.add_argument(
        "--words-batch", type=int, default=512, help="words per setStatusWords of the full list, after"
    )
    parser.add_argument("--naive-batch", type=int, default=1_000, help="entries per revokeMany (~24M gas)")
    parser.add_argument(
        "--naive-entries",
        type=int,
        default=LIST_SIZE,
        help="naive entries revoked for the full list; fewer than 131,072 extrapolates the rest",
    )
    args = parser.parse_args()
    console = Console(width=150)
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
    costs = {side: {op: Cost() for op in OPERATIONS} for side in SIDES}
    seconds: dict[str, float] = {}

    with ephemeral_chain() as (w3, deployment):
        sender = Sender(w3, dev_account("anchor"))
        ours = OurRegistry(sender, deployment)
        compiled = compile_naive_registry()
        block_gas_limit = w3.eth.get_block("latest")["gasLimit"]
        console.print(f"Anvil at block gas limit {block_gas_limit:,}; seed {args.seed}")

        for side, revoke in (("before", ours.by_indices), ("after", ours.by_calls_for_the_case)):
            cost = costs[side]
            list_id = ours.new_list()
            revoke(list_id, [single], cost["single"])
            revoke(list_id, [same_word], cost["same_word"])
            revoke(ours.new_list(), random_100, cost["batch_100"])
            size = args.batch if side == "before" else args.words_batch * WORD_BITS
            console.print(f"ours, {side}: full list in batches of {size:,} entries ...")
            started = time.perf_counter()
            full_list = ours.new_list()
            for indices in batches(0, LIST_SIZE, size):
                revoke(full_list, indices, cost["full"])
            seconds[f"ours full list, {side}"] = time.perf_counter() - started
            assert all(ours.word(full_list, w) == 2**256 - 1 for w in (0, LIST_SIZE // WORD_BITS - 1))

        naive = costs["naive"]
        contract = NaiveRegistry(sender, compiled)
        contract.revoke([single], naive["single"])
        contract.revoke([same_word], naive["same_word"])
        NaiveRegistry(sender, compiled).revoke(random_100, naive["batch_100"])
        console.print(f"naive: {naive_entries:,} entries in revokeMany batches of {args.naive_batch:,} ...")
        started = time.perf_counter()
        contract = NaiveRegistry(sender, compiled)
        for number, indices in enumerate(batches(0, naive_entries, args.naive_batch)):
            # tracing 1,000 slot writes per transaction is what takes the time: the first one is
            # traced (one new slot per entry), the others are counted the same way
            contract.revoke(indices, naive["full"], trace=number == 0)
        traced_entries = min(args.naive_batch, naive_entries)
        assert len(naive["full"].slots) == traced_entries, "one new slot per naive entry"
        seconds["naive full list"] = time.perf_counter() - started
        assert contract.contract.functions.revoked(naive_entries - 1).call()

    scale = {"before": 1.0, "after": 1.0, "naive": LIST_SIZE / naive_entries}
    gas: dict[str, dict[str, float]] = {
        op: {side: costs[side][op].gas * (scale[side] if op == "full" else 1) for side in SIDES}
        for op in OPERATIONS
    }
    gas["per_entry"] = {side: gas["full"][side] / LIST_SIZE for side in SIDES}
    slots: dict[str, dict[str, int]] = {
        op: {side: len(costs[side][op].slots) for side in SIDES} for op in OPERATIONS
    }
    slots["full"]["naive"] = round(slots["full"]["naive"] * LIST_SIZE / traced_entries)
    transactions = {op: {side: costs[side][op].transactions for side in SIDES} for op in OPERATIONS}
    note = (
        f"naive full list extrapolated: {naive_entries:,} measured, x {LIST_SIZE / naive_entries:.2f}"
        if extrapolated
        else "naive full list measured in full, not extrapolated"
    )
    labels["full"] += (
        f" ({transactions['full']['before']} / {transactions['full']['after']} / "
        f"{transactions['full']['naive']} tx{', naive EXTRAPOLATED' if extrapolated else ''})"
    )

    table = Table(
        title=f"gas per operation, from receipts (Anvil chain {deployment.chain_id}, seed {args.seed}); "
        "before: setStatuses, after: setStatus (1 index) / setStatusWords (masks)"
    )
    for column in ("operation", "before", "after", "naive (baseline)", "after / naive", "after / before"):
        table.add_column(column, justify="left" if column == "operation" else "right")
    for op, row in gas.items():
        table.add_row(
            labels[op],
            f"{row['before']:,.0f}",
            f"{row['after']:,.0f}",
            f"{row['naive']:,.0f}",
            f"{row['after'] / row['naive']:.2f}",
            f"{row['after'] / row['before']:.2f}",
        )
    console.print(table)

    storage = Table(title="contract storage written (32-byte slots, from prestateTracer diffs)")
    for column in ("operation", "ours (before = after)", "naive", "naive / ours"):
        storage.add_column(column, justify="left" if column == "operation" else "right")
    for op, written in slots.items():
        assert written["before"] == written["after"], f"{op}: the two calls wrote different slots"
        storage.add_row(
            labels[op],
            slots_and_bytes(written["after"]),
            slots_and_bytes(written["naive"]),
            f"{written['naive'] / written['after']:.1f}",
        )
    console.print(storage)
    console.print(note)
    for name, elapsed in seconds.items():
        console.print(f"  {name}: {elapsed:.1f} s")

    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "gas",
        "seed": args.seed,
        "list_size": LIST_SIZE,
        "block_gas_limit": block_gas_limit,
        "calls": {
            "before": "setStatuses(listId, indices, true)",
            "after": "setStatus(listId, index, true) for one index, else "
            "setStatusWords(listId, wordIndices, masks, true)",
            "naive": "revoke(index) for one index, else revokeMany(indices)",
        },
        "batches": {"before": args.batch, "after_words": args.words_batch, "naive": args.naive_batch},
        "transactions": transactions,
        "naive_full_list": {
            "entries_measured": naive_entries,
            "extrapolated": extrapolated,
            "note": note,
            "slots_traced_entries": traced_entries,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "labels": labels,
        "gas": gas,
        "ratio_after_to_naive": {op: row["after"] / row["naive"] for op, row in gas.items()},
        "ratio_after_to_before": {op: row["after"] / row["before"] for op, row in gas.items()},
        "storage_slots_written": slots,
        "storage_bytes_written": {op: {side: 32 * n for side, n in row.items()} for op, row in slots.items()},
        "seconds": seconds,
    }
    (RESULTS / "gas.json").write_text(json.dumps(report, indent=2) + "\n")
    console.print(f"written {RESULTS / 'gas.json'}")


if __name__ == "__main__":
    main()

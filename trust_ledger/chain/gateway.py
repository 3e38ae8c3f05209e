"""A typed gateway over every function of our contracts: send, wait, decode.

On the lean JSON-RPC client (trust_ledger.chain.rpc), eth_abi and eth_keys: no web3, so a command
that sends one transaction starts in a fraction of a second.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import is_address

from trust_ledger.chain import did_control
from trust_ledger.chain.abi import (
    ENTITY_STATUS,
    KEY_PURPOSES,
    KEY_REVOCATION_REASON,
    STATUS_PURPOSE,
    checksum,
)
from trust_ledger.chain.compiler import compile_contracts
from trust_ledger.chain.contract import Contract
from trust_ledger.chain.decoding import LogDecoder
from trust_ledger.chain.deployment import Deployment
from trust_ledger.chain.errors import ChainError, ErrorDecoder
from trust_ledger.chain.rpc import ChainUnavailable, JsonRpc, RpcError, block_id, quantity
from trust_ledger.chain.signing import Signer, Transaction, sign_transaction, transaction_hash
from trust_ledger.domain.chain_log import ChainLog

__all__ = [  # ChainUnavailable lives in trust_ledger.chain.rpc; callers of the gateway catch it here
    "ROOT_NODE",
    "ChainUnavailable",
    "EntityView",
    "NoSigner",
    "TrustGateway",
    "TxResult",
    "UnknownDid",
]

ROOT_NODE = "0x" + "00" * 32

PROOF_TTL = 3600
"""Seconds a proof of control made by the gateway stays usable after the head block's time."""

RECEIPT_TIMEOUT = 120.0
"""Seconds to wait for a sent transaction to be mined."""
RECEIPT_POLL = (0.005, 0.5)
"""The first and the longest pause between receipt polls (Anvil mines at once; others take seconds)."""


class UnknownDid(ChainError):
    """No registry entity has this DID."""


class NoSigner(ChainError):
    """A transaction was requested from a read-only gateway."""


def purposes_mask(names: Iterable[str]) -> int:
    """Bit mask for verification-relationship names, e.g. ["assertionMethod"] -> 2."""
    mask = 0
    for name in names:
        if name not in KEY_PURPOSES:
            raise ValueError(f"unknown key purpose '{name}': use {', '.join(KEY_PURPOSES)}")
        mask |= KEY_PURPOSES[name]
    return mask


@dataclass(frozen=True)
class TxResult:
    """A mined transaction of ours and the events it emitted, decoded."""

    tx_hash: str
    block_number: int
    block_hash: str
    block_time: int
    gas_used: int
    events: list[ChainLog]


@dataclass(frozen=True)
class EntityView:
    """An entity as the TrustRegistry stores it now."""

    node: str
    parent: str
    controller: str
    status: str
    did: str


class TrustGateway:
    """Sends transactions to TrustRegistry and StatusRegistry and reads their views.

    Every write estimates first, so a refused call raises ContractRevert (one line for a
    person) before anything is sent; it then waits for the receipt and returns the events
    decoded strictly from our two addresses. `rpc` is shared: gateways made by `with_signer`
    use the same client, each thread its own connection.
    """

    def __init__(self, rpc: JsonRpc, deployment: Deployment, signer: Signer | None = None):
        self.rpc = rpc
        self.deployment = deployment
        self.signer = signer
        compiled = compile_contracts()
        self.registry = Contract("TrustRegistry", deployment.trust_registry, compiled["TrustRegistry"].abi)
        self.status = Contract("StatusRegistry", deployment.status_registry, compiled["StatusRegistry"].abi)
        self.decoder = LogDecoder(
            deployment.chain_id,
            {self.registry.address: self.registry.abi, self.status.address: self.status.abi},
        )
        self.errors = ErrorDecoder([self.registry.abi, self.status.abi])
        # Threads sharing a gateway (the issuer's requests) each take the next nonce of the signer.
        self._nonce_lock = threading.Lock()

    @classmethod
    def connect(
        cls, rpc_url: str, deployment: Deployment, signer: Signer | None = None, timeout: float = 30.0
    ) -> TrustGateway:
        """A gateway over HTTP JSON-RPC; fails with ChainUnavailable if nobody answers."""
        rpc = JsonRpc(rpc_url, timeout)
        chain_id = quantity(rpc.call("eth_chainId"))
        if chain_id != deployment.chain_id:
            raise ChainError(
                f"the chain at {rpc_url} has chain id {chain_id}, the deployment manifest says "
                f"{deployment.chain_id}"
            )
        return cls(rpc, deployment, signer)

    def with_signer(self, signer: Signer | None) -> TrustGateway:
        """A gateway on the same chain and client that signs as `signer`."""
        return TrustGateway(self.rpc, self.deployment, signer)

    # ------------------------------------------------------------ identifiers

    def node_of(self, did_or_root: str) -> str:
        """The node id of a DID, of "root", or of a 0x node id given as is."""
        if did_or_root == "root":
            return ROOT_NODE
        if did_or_root.startswith("0x") and len(did_or_root) == 66:
            return did_or_root.lower()
        found, node = self.call(self.registry, "nodeOfDid", did_or_root)
        if not found:
            raise UnknownDid(f"no entity in the registry has the DID {did_or_root}")
        return "0x" + bytes(node).hex()

    def did_of(self, node: str) -> str | None:
        """The DID registered at `node`, or None."""
        did = self.entity(node).did
        return did or None

    def name_node(self, node: str) -> str:
        """A node as a person reads it: its DID if registered, else the hex id."""
        try:
            return self.did_of(node) or f"node {node}"
        except Exception:  # naming must never hide the real error being reported
            return f"node {node}"

    # ------------------------------------------------------------ reads

    def entity(self, did_or_node: str) -> EntityView:
        """The stored entity (status "none" when not registered)."""
        node = self.node_of(did_or_node)
        parent, controller, status, did = self.call(self.registry, "entity", node)
        return EntityView(node, "0x" + bytes(parent).hex(), controller, ENTITY_STATUS[status], did)

    def effectively_active(self, did_or_node: str) -> tuple[bool, str]:
        """Whether the entity and all its ancestors are active, and the first that is not."""
        active, inactive = self.call(self.registry, "effectiveStatus", self.node_of(did_or_node))
        return active, "0x" + bytes(inactive).hex()

    def is_status_set(self, list_id: int, index: int) -> bool:
        """Whether bit `index` of status list `list_id` is set."""
        return self.call(self.status, "isSet", list_id, index)

    def status_word(self, list_id: int, word_index: int) -> int:
        """The 256-bit word `word_index` of a status list."""
        return self.call(self.status, "word", list_id, word_index)

    def status_list(self, list_id: int) -> dict[str, Any]:
        """A status list's owner, purpose, size and URI."""
        owner, purpose, size, uri = self.call(self.status, "statusList", list_id)
        return {
            "owner": "0x" + bytes(owner).hex(),
            "purpose": STATUS_PURPOSE[purpose],
            "size": size,
            "uri": uri,
        }

    # ------------------------------------------------------------ TrustRegistry writes

    def registration_digest(self, parent: str, label: str, did: str, controller: str, expiry: int) -> bytes:
        """The digest the DID's controller signs (or a did:web domain publishes) to consent to this
        registration (TrustRegistry.registrationDigest, computed here)."""
        return did_control.registration_digest(
            self.deployment.chain_id,
            self.registry.address,
            self.node_of(parent),
            label,
            did,
            _address(controller),
            expiry,
        )

    def latest_block_time(self) -> int:
        """The head block's timestamp (proof expiries are judged against block times)."""
        return quantity(self.rpc.call("eth_getBlockByNumber", "latest", False)["timestamp"])

    def register(
        self,
        parent: str,
        label: str,
        did: str,
        controller: str,
        *,
        proof: bytes | None = None,
        proof_expiry: int | None = None,
        did_signer: Callable[[bytes], bytes] | None = None,
    ) -> TxResult:
        """Register `label` with `did` under `parent` (a DID or "root"), with the proof of control
        `did`'s method allows (trust_ledger.chain.did_control): `proof` as given, else signed by
        `did_signer` (the registration digest -> the proof), else for did:web the challenge itself:
        whoever calls this vouches that the domain publishes it (`trust-ledger entity register`
        fetches it first). A proof expires at `proof_expiry` (default: the head block's time plus
        PROOF_TTL). A method without proof (did:elsi, did:example, ...) takes none."""
        kind, _ = did_control.proof_kind(did)
        parent_node, controller = self.node_of(parent), _address(controller)
        if kind == did_control.NONE:
            expiry, given = proof_expiry or 0, proof or b""
        else:
            expiry = proof_expiry if proof_expiry is not None else self.latest_block_time() + PROOF_TTL
            given = proof if proof is not None else b""
            if proof is None:
                digest = did_control.registration_digest(
                    self.deployment.chain_id,
                    self.registry.address,
                    parent_node,
                    label,
                    did,
                    controller,
                    expiry,
                )
                if did_signer is not None:
                    given = did_signer(digest)
                elif kind == did_control.WEB_CHALLENGE:
                    given = digest
                else:
                    raise ValueError(
                        f"{did} needs a proof of control: a signature of the registration digest by its key"
                    )
        return self._send(self.registry, "register", parent_node, label, did, controller, expiry, given)

    def release_did(self, ancestor: str, did_or_node: str) -> TxResult:
        """Release the DID of `did_or_node` (a DID or a 0x node id), a descendant of `ancestor` (a DID or
        "root") that is suspended or revoked, or under one that is; signed by the ancestor's controller."""
        return self._send(self.registry, "releaseDid", self.node_of(ancestor), self.node_of(did_or_node))

    def set_controller(self, did: str, new_controller: str) -> TxResult:
        """Hand control of the entity to `new_controller`."""
        return self._send(self.registry, "setController", self.node_of(did), _address(new_controller))

    def set_status(self, did: str, status: str) -> TxResult:
        """Set a child's status: "active", "suspended" or "revoked"."""
        if status not in ENTITY_STATUS[1:]:
            raise ValueError(f"unknown status '{status}': use active, suspended or revoked")
        return self._send(self.registry, "setStatus", self.node_of(did), ENTITY_STATUS.index(status))

    def accredit(
        self,
        did: str,
        credential_type: str,
        roles: Sequence[tuple[str, Sequence[str]]] = (),
        valid_from: int = 0,
        valid_until: int = 0,
    ) -> TxResult:
        """Grant or replace the accreditation for `credential_type` with roles per target DID."""
        grants = [(target, list(names)) for target, names in roles]
        return self._send(
            self.registry, "accredit", self.node_of(did), credential_type, grants, valid_from, valid_until
        )

    def withdraw_accreditation(self, did: str, credential_type: str) -> TxResult:
        """Withdraw the accreditation for `credential_type`."""
        return self._send(self.registry, "withdrawAccreditation", self.node_of(did), credential_type)

    def add_key(
        self,
        did: str,
        key_id: str,
        key_type: str,
        public_key: bytes,
        purposes: Iterable[str],
        valid_from: int = 0,
        valid_until: int = 0,
    ) -> TxResult:
        """Add a verification method; `public_key` is UTF-8 JWK JSON or multicodec bytes."""
        return self._send(
            self.registry,
            "addKey",
            self.node_of(did),
            key_id,
            key_type,
            public_key,
            purposes_mask(purposes),
            valid_from,
            valid_until,
        )

    def revoke_key(
        self, did: str, key_id: str, reason: str = "unspecified", compromised_since: int = 0
    ) -> TxResult:
        """Revoke a verification method (final): `reason` "unspecified" or "superseded" retires it (a
        rotation), "keyCompromise" marks every signature by it untrusted and needs `compromised_since`
        (unix seconds, not in the future); a revoked key may later be declared compromised."""
        if reason not in KEY_REVOCATION_REASON:
            raise ValueError(f"unknown revocation reason '{reason}': use {', '.join(KEY_REVOCATION_REASON)}")
        return self._send(
            self.registry,
            "revokeKey",
            self.node_of(did),
            key_id,
            KEY_REVOCATION_REASON.index(reason),
            compromised_since,
        )

    def add_service(self, did: str, service_id: str, service_type: str, endpoint: str) -> TxResult:
        """Add a service endpoint."""
        return self._send(self.registry, "addService", self.node_of(did), service_id, service_type, endpoint)

    def remove_service(self, did: str, service_id: str) -> TxResult:
        """Remove a service endpoint."""
        return self._send(self.registry, "removeService", self.node_of(did), service_id)

    # ------------------------------------------------------------ StatusRegistry writes

    def create_status_list(
        self, owner_did: str, purpose: str, uri: str, size: int = 0
    ) -> tuple[int, TxResult]:
        """Create a list ("revocation" or "suspension"); returns its id and the transaction."""
        if purpose not in STATUS_PURPOSE:
            raise ValueError(f"unknown purpose '{purpose}': use revocation or suspension")
        result = self._send(
            self.status, "createList", self.node_of(owner_did), STATUS_PURPOSE.index(purpose), size, uri
        )
        created = next(e for e in result.events if e.event == "StatusListCreated")
        return created.args["listId"], result

    def set_statuses(self, list_id: int, indices: Iterable[int], value: bool = True) -> TxResult:
        """Set (or clear) many bits in one transaction, by the call that costs least gas: setStatus
        for one index, setStatusWords when indices share 256-entry words (one mask per word), else
        setStatuses with the indices sorted. All three emit the same StatusWordsChanged."""
        ordered = sorted(set(indices))
        if not ordered:
            raise ValueError("give at least one index")
        if len(ordered) == 1:
            return self._send(self.status, "setStatus", list_id, ordered[0], value)
        masks = status_word_masks(ordered)
        if len(masks) < len(ordered):
            return self.set_status_words(list_id, masks, value)
        return self._send(self.status, "setStatuses", list_id, ordered, value)

    def set_status_words(self, list_id: int, masks: dict[int, int], value: bool = True) -> TxResult:
        """Set (or clear) whole groups of bits: {word index: 256-bit mask} (bit 255 - k is entry
        256 * word + k), in ascending word order."""
        if not masks:
            raise ValueError("give at least one word")
        words = sorted(masks)
        return self._send(self.status, "setStatusWords", list_id, words, [masks[w] for w in words], value)

    def set_delegate(self, owner_did: str, delegate: str, authorised: bool = True) -> TxResult:
        """Authorise (or withdraw) an address to manage the owner's status lists."""
        return self._send(self.status, "setDelegate", self.node_of(owner_did), _address(delegate), authorised)

    # ------------------------------------------------------------ calls

    def call(self, contract: Contract, function: str, *args: Any, block: int | str = "latest") -> Any:
        """What a view function of `contract` returns (see Contract.decode_result); a refusal raises
        ContractRevert (ours) or ChainError."""
        request = {"to": contract.address, "data": contract.call_data(function, args)}
        try:
            data = self.rpc.call("eth_call", request, block_id(block))
        except RpcError as exc:
            raise self._refusal(exc) from None
        return contract.decode_result(function, len(args), data)

    def block_number(self) -> int:
        """The chain's head block."""
        return quantity(self.rpc.call("eth_blockNumber"))

    # ------------------------------------------------------------ plumbing

    def _refusal(self, exc: RpcError) -> ChainError:
        """The exception for a refused call: ContractRevert for our custom errors, else one line."""
        data = exc.revert_data
        revert = self.errors.decode(data, self.name_node) if data else None
        if revert is not None:
            return revert
        if data is None and "revert" not in exc.message.lower():
            return exc  # not a revert: the node refused the request itself (funds, nonce, ...)
        return ChainError(f"the contract refused the call: {_revert_reason(data) or exc.message}")

    def _fees(self) -> dict[str, int]:
        """EIP-1559 fees as web3 chose them (priority fee from the node, max fee = priority fee +
        twice the latest base fee), or the node's gas price on a chain without a base fee."""
        latest = self.rpc.call("eth_getBlockByNumber", "latest", False)
        if latest is None or latest.get("baseFeePerGas") is None:
            return {"gas_price": quantity(self.rpc.call("eth_gasPrice"))}
        try:
            priority = quantity(self.rpc.call("eth_maxPriorityFeePerGas"))
        except RpcError:  # not every node has it: fall back to the base fee's own price signal
            priority = max(0, quantity(self.rpc.call("eth_gasPrice")) - quantity(latest["baseFeePerGas"]))
        return {
            "max_priority_fee_per_gas": priority,
            "max_fee_per_gas": priority + 2 * quantity(latest["baseFeePerGas"]),
        }

    def _send(self, contract: Contract, function: str, *args: Any) -> TxResult:
        if self.signer is None:
            raise NoSigner(
                "this command sends a transaction: give a signer (--key-file or TRUST_LEDGER_PRIVATE_KEY)"
            )
        sender = self.signer.address
        request = {"from": sender, "to": contract.address, "data": contract.call_data(function, args)}
        try:
            gas = quantity(self.rpc.call("eth_estimateGas", request))
        except RpcError as exc:
            raise self._refusal(exc) from None
        fees = self._fees()
        receipt = None
        for attempt in range(NONCE_TRIES):  # see NONCE_TRIES: other processes may share the signer
            if attempt:
                time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))  # out of step with them
            with self._nonce_lock:  # only around the nonce and the send: never while a receipt is awaited
                nonce = quantity(self.rpc.call("eth_getTransactionCount", sender, "pending"))
                transaction = Transaction(
                    chain_id=self.deployment.chain_id,
                    nonce=nonce,
                    gas=gas + gas // 5,
                    to=contract.address,
                    data=request["data"],
                    **fees,
                )
                raw = sign_transaction(transaction, bytes(self.signer.key))
                tx_hash = transaction_hash(raw)
                try:
                    self.rpc.call("eth_sendRawTransaction", "0x" + raw.hex())
                except RpcError as exc:
                    if _nonce_taken(exc):
                        continue
                    raise
            receipt = self._receipt(tx_hash, sender, nonce)
            if receipt is not None:
                break
        if receipt is None:
            raise ChainError(
                f"{function}: the nonce was taken {NONCE_TRIES} times by other senders with this key"
            )
        block_number = quantity(receipt["blockNumber"])
        if quantity(receipt["status"]) != 1:
            # State moved between estimate and inclusion: replay at that block for the reason.
            try:
                self.rpc.call("eth_call", request, block_id(block_number - 1))
            except RpcError as exc:
                raise self._refusal(exc) from None
            raise ChainError(f"transaction {tx_hash} reverted")
        block = self.rpc.call("eth_getBlockByNumber", block_id(block_number), False)
        block_time = quantity(block["timestamp"])
        events = [
            self.decoder.decode(log, block_time) for log in receipt["logs"] if self.decoder.is_ours(log)
        ]
        return TxResult(
            tx_hash=tx_hash,
            block_number=block_number,
            block_hash=receipt["blockHash"].lower(),
            block_time=block_time,
            gas_used=quantity(receipt["gasUsed"]),
            events=events,
        )

    def _receipt(
        self, tx_hash: str, sender: str, nonce: int, timeout: float = RECEIPT_TIMEOUT
    ) -> dict[str, Any] | None:
        """The receipt of a sent transaction, polled for until it is mined; None once it was replaced
        (see `_replaced`) for REPLACED_AFTER seconds running, so it never will be mined."""
        deadline = time.monotonic() + timeout
        pause, longest = RECEIPT_POLL
        replaced_since: float | None = None
        while True:
            receipt = self.rpc.call("eth_getTransactionReceipt", tx_hash)
            if receipt is not None and receipt.get("blockNumber") is not None:
                return receipt
            if not self._replaced(tx_hash, sender, nonce):
                replaced_since = None
            elif replaced_since is None:
                replaced_since = time.monotonic()
            elif time.monotonic() - replaced_since >= REPLACED_AFTER:
                return None
            if time.monotonic() > deadline:
                raise TimeoutError(f"transaction {tx_hash} was sent but not mined within {timeout:.0f}s")
            time.sleep(pause)
            pause = min(longest, pause * 2)

    def _replaced(self, tx_hash: str, sender: str, nonce: int) -> bool:
        """Whether the node holds another transaction of `sender` mined with `nonce` and knows
        `tx_hash` neither pending nor mined (a process sharing the signer replaced it in the pool)."""
        if quantity(self.rpc.call("eth_getTransactionCount", sender, "latest")) <= nonce:
            return False
        return self.rpc.call("eth_getTransactionByHash", tx_hash) is None


REPLACED_AFTER = 2.0
"""Seconds a sent transaction must read as replaced before it is sent again: a node may count the
sender's nonce as used an instant before the block holding the transaction can be read."""


NONCE_TRIES = 20
"""Sends of one transaction when its nonce was taken by another transaction of the signer: the
gateway's lock orders its own threads, not the processes sharing a signer (replicas of a module,
which share its controller key). A send the node refuses (nonce used, or pending with a higher
fee) or a sent transaction replaced in the pool before it was mined (its nonce mined with another)
is signed again with the next pending nonce, after a short random pause; it never executed."""


def _nonce_taken(exc: RpcError) -> bool:
    """Whether the node refused a raw transaction because its nonce is used (mined or pending)."""
    message = exc.message.lower()
    return "nonce too low" in message or "replacement transaction underpriced" in message


_ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string)
_PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)


def _revert_reason(data: str | None) -> str | None:
    """A Solidity require/revert reason or panic, as web3 words it; None for anything else."""
    raw = bytes.fromhex(data.removeprefix("0x")) if data else b""
    if not raw:
        return None
    try:
        if raw[:4] == _ERROR_STRING:
            return f"execution reverted: {abi_decode(['string'], raw[4:])[0]}"
        if raw[:4] == _PANIC:
            return f"Panic error 0x{abi_decode(['uint256'], raw[4:])[0]:02x}"
    except Exception:  # eth_abi raises several unrelated types for bad data
        return None
    return data


def status_word_masks(indices: Iterable[int]) -> dict[int, int]:
    """{word index: mask} of status-list indices: index 256 * w + k is bit 255 - k of word w (the
    W3C bitstring's order, as StatusRegistry stores it)."""
    masks: dict[int, int] = {}
    for index in indices:
        if index < 0:
            raise ValueError(f"a status-list index is not negative: {index}")
        masks[index >> 8] = masks.get(index >> 8, 0) | (1 << (255 - (index & 0xFF)))
    return masks


def _address(value: str) -> str:
    if not is_address(value):
        raise ValueError(f"'{value}' is not an Ethereum address")
    return checksum(value)

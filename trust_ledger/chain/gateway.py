"""A typed gateway over every function of our contracts: send, wait, decode."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import ContractLogicError

from trust_ledger.chain.abi import ENTITY_STATUS, KEY_PURPOSES, STATUS_PURPOSE
from trust_ledger.chain.compiler import compile_contracts
from trust_ledger.chain.decoding import LogDecoder
from trust_ledger.chain.deployment import Deployment
from trust_ledger.chain.errors import ChainError, ErrorDecoder
from trust_ledger.domain.chain_log import ChainLog

ROOT_NODE = "0x" + "00" * 32


class ChainUnavailable(ChainError):
    """The RPC endpoint cannot be reached."""


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
    decoded strictly from our two addresses.
    """

    def __init__(self, w3: Web3, deployment: Deployment, signer: LocalAccount | None = None):
        self.w3 = w3
        self.deployment = deployment
        self.signer = signer
        compiled = compile_contracts()
        registry_abi, status_abi = compiled["TrustRegistry"].abi, compiled["StatusRegistry"].abi
        self.registry = w3.eth.contract(
            address=Web3.to_checksum_address(deployment.trust_registry), abi=registry_abi
        )
        self.status = w3.eth.contract(
            address=Web3.to_checksum_address(deployment.status_registry), abi=status_abi
        )
        self.decoder = LogDecoder(
            deployment.chain_id, {self.registry.address: registry_abi, self.status.address: status_abi}
        )
        self.errors = ErrorDecoder([registry_abi, status_abi])
        # Threads sharing a gateway (the issuer's requests) each take the next nonce of the signer.
        self._nonce_lock = threading.Lock()

    @classmethod
    def connect(
        cls, rpc_url: str, deployment: Deployment, signer: LocalAccount | None = None
    ) -> TrustGateway:
        """A gateway over HTTP JSON-RPC; fails with ChainUnavailable if nobody answers."""
        w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 30}))
        try:
            chain_id = w3.eth.chain_id
        except Exception as exc:  # requests raises several connection error types
            raise ChainUnavailable(f"cannot reach the chain at {rpc_url}: {exc.__class__.__name__}") from exc
        if chain_id != deployment.chain_id:
            raise ChainError(
                f"the chain at {rpc_url} has chain id {chain_id}, the deployment manifest says "
                f"{deployment.chain_id}"
            )
        return cls(w3, deployment, signer)

    # ------------------------------------------------------------ identifiers

    def node_of(self, did_or_root: str) -> str:
        """The node id of a DID, of "root", or of a 0x node id given as is."""
        if did_or_root == "root":
            return ROOT_NODE
        if did_or_root.startswith("0x") and len(did_or_root) == 66:
            return did_or_root.lower()
        found, node = self.registry.functions.nodeOfDid(did_or_root).call()
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
        parent, controller, status, did = self.registry.functions.entity(node).call()
        return EntityView(node, "0x" + bytes(parent).hex(), controller, ENTITY_STATUS[status], did)

    def effectively_active(self, did_or_node: str) -> tuple[bool, str]:
        """Whether the entity and all its ancestors are active, and the first that is not."""
        active, inactive = self.registry.functions.effectiveStatus(self.node_of(did_or_node)).call()
        return active, "0x" + bytes(inactive).hex()

    def is_status_set(self, list_id: int, index: int) -> bool:
        """Whether bit `index` of status list `list_id` is set."""
        return self.status.functions.isSet(list_id, index).call()

    def status_word(self, list_id: int, word_index: int) -> int:
        """The 256-bit word `word_index` of a status list."""
        return self.status.functions.word(list_id, word_index).call()

    def status_list(self, list_id: int) -> dict[str, Any]:
        """A status list's owner, purpose, size and URI."""
        owner, purpose, size, uri = self.status.functions.statusList(list_id).call()
        return {
            "owner": "0x" + bytes(owner).hex(),
            "purpose": STATUS_PURPOSE[purpose],
            "size": size,
            "uri": uri,
        }

    # ------------------------------------------------------------ TrustRegistry writes

    def register(self, parent: str, label: str, did: str, controller: str) -> TxResult:
        """Register `label` with `did` under `parent` (a DID or "root")."""
        return self._send(self.registry, "register", self.node_of(parent), label, did, _address(controller))

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

    def revoke_key(self, did: str, key_id: str) -> TxResult:
        """Revoke a verification method (final)."""
        return self._send(self.registry, "revokeKey", self.node_of(did), key_id)

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
        """Set (or clear) many bits in one transaction; indices are sorted to touch each word once."""
        ordered = sorted(set(indices))
        if not ordered:
            raise ValueError("give at least one index")
        return self._send(self.status, "setStatuses", list_id, ordered, value)

    def set_delegate(self, owner_did: str, delegate: str, authorised: bool = True) -> TxResult:
        """Authorise (or withdraw) an address to manage the owner's status lists."""
        return self._send(self.status, "setDelegate", self.node_of(owner_did), _address(delegate), authorised)

    # ------------------------------------------------------------ plumbing

    def _raise_revert(self, exc: ContractLogicError) -> None:
        data = exc.data if isinstance(exc.data, str) else None
        revert = self.errors.decode(data, self.name_node)
        if revert is not None:
            raise revert from None
        raise ChainError(f"the contract refused the call: {exc.message or exc}") from None

    def _send(self, contract: Any, function: str, *args: Any) -> TxResult:
        if self.signer is None:
            raise NoSigner(
                "this command sends a transaction: give a signer (--key-file or TRUST_LEDGER_PRIVATE_KEY)"
            )
        call = contract.functions[function](*args)
        sender = self.signer.address
        try:
            gas = call.estimate_gas({"from": sender})
        except ContractLogicError as exc:
            self._raise_revert(exc)
        with self._nonce_lock:  # only around the nonce and the send: never while a receipt is awaited
            tx = call.build_transaction(
                {
                    "from": sender,
                    "nonce": self.w3.eth.get_transaction_count(sender, "pending"),
                    "gas": gas + gas // 5,
                    "chainId": self.deployment.chain_id,
                }
            )
            tx_hash = self.w3.eth.send_raw_transaction(self.signer.sign_transaction(tx).raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
        if receipt["status"] != 1:
            # State moved between estimate and inclusion: replay at that block for the reason.
            try:
                call.call({"from": sender}, block_identifier=receipt["blockNumber"] - 1)
            except ContractLogicError as exc:
                self._raise_revert(exc)
            raise ChainError(f"transaction {tx_hash.to_0x_hex()} reverted")
        block_time = self.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
        events = [
            self.decoder.decode(log, block_time) for log in receipt["logs"] if self.decoder.is_ours(log)
        ]
        return TxResult(
            tx_hash=tx_hash.to_0x_hex(),
            block_number=receipt["blockNumber"],
            block_hash=receipt["blockHash"].to_0x_hex(),
            block_time=block_time,
            gas_used=receipt["gasUsed"],
            events=events,
        )


def _address(value: str) -> str:
    if not Web3.is_address(value):
        raise ValueError(f"'{value}' is not an Ethereum address")
    return Web3.to_checksum_address(value)

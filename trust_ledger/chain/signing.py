"""Transaction signers and signing: secp256k1 keys, EIP-1559 and EIP-155 transactions.

Only eth_keys (the curve), rlp and keccak: not eth_account, whose import (its keyfile module loads
py_ecc's BLS pairing tables) costs more than a whole admin command should. The gateway signs with
any object that has an `address` and a 32-byte private `key`, so eth_account's LocalAccount works
as well as LocalSigner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import rlp
from eth_keys import keys
from eth_utils import keccak

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
"""The order of secp256k1: a private key is a number in [1, N - 1]."""


class Signer(Protocol):
    """What the gateway signs with: the sender's address and its 32-byte private key."""

    @property
    def address(self) -> str: ...

    @property
    def key(self) -> bytes: ...


@dataclass(frozen=True)
class LocalSigner:
    """A private key held in memory and its checksummed address."""

    key: bytes = field(repr=False)
    address: str = field(init=False)

    def __post_init__(self) -> None:
        if len(self.key) != 32 or not 0 < int.from_bytes(self.key, "big") < SECP256K1_N:
            raise ValueError("a private key is 32 bytes, a number from 1 to the secp256k1 order")
        object.__setattr__(self, "address", keys.PrivateKey(self.key).public_key.to_checksum_address())

    @classmethod
    def from_hex(cls, secret: str) -> LocalSigner:
        """A signer from 64 hex digits, with or without 0x; ValueError for anything else."""
        digits = secret.strip().removeprefix("0x").removeprefix("0X")
        if len(digits) != 64:
            raise ValueError("a private key is 64 hex digits")
        return cls(bytes.fromhex(digits))


@dataclass(frozen=True)
class Transaction:
    """A contract call to sign: EIP-1559 fees when `max_fee_per_gas` is set, else a legacy gas price."""

    chain_id: int
    nonce: int
    gas: int
    to: str
    data: str
    value: int = 0
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    gas_price: int | None = None


def sign_transaction(transaction: Transaction, key: bytes) -> bytes:
    """The raw signed transaction (what eth_sendRawTransaction takes): type 2 (EIP-1559) when the
    transaction has EIP-1559 fees, else legacy with EIP-155 replay protection."""
    tx = transaction
    to = bytes.fromhex(tx.to.removeprefix("0x"))
    data = bytes.fromhex(tx.data.removeprefix("0x"))
    private = keys.PrivateKey(key)
    if tx.max_fee_per_gas is not None:
        priority = tx.max_priority_fee_per_gas or 0
        fields = [tx.chain_id, tx.nonce, priority, tx.max_fee_per_gas, tx.gas, to, tx.value, data, []]
        signature = private.sign_msg_hash(keccak(b"\x02" + rlp.encode(fields)))
        return b"\x02" + rlp.encode([*fields, signature.v, signature.r, signature.s])
    if tx.gas_price is None:
        raise ValueError("a transaction needs EIP-1559 fees or a gas price")
    fields = [tx.nonce, tx.gas_price, tx.gas, to, tx.value, data]
    signature = private.sign_msg_hash(keccak(rlp.encode([*fields, tx.chain_id, 0, 0])))
    v = signature.v + 35 + 2 * tx.chain_id
    return rlp.encode([*fields, v, signature.r, signature.s])


def transaction_hash(raw: bytes) -> str:
    """The 0x-hex hash of a raw signed transaction."""
    return "0x" + keccak(raw).hex()

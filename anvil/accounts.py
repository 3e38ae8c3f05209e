"""Anvil's deterministic dev accounts, by name.

The keys are derived here from Anvil's mnemonic (BIP-39 seed, BIP-32 path m/44'/60'/0'/0/i), with
hashlib and eth_keys only, so a command signing as a dev account does not load eth_account.
`dev_account` wraps the same key in eth_account's LocalAccount for code that signs through web3.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache
from typing import TYPE_CHECKING

from eth_keys import keys

from trust_ledger.chain.signing import SECP256K1_N, LocalSigner

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_CHAIN_ID = 31337
DEV_ACCOUNT_COUNT = 10
# dev0 deploys and is the trust anchor; the rest are free for entities.
DEV_NAMES = {"anchor": 0, **{f"dev{i}": i for i in range(DEV_ACCOUNT_COUNT)}}
_HARDENED = 0x80000000


def _index(name: str) -> int:
    if name not in DEV_NAMES:
        raise KeyError(f"unknown dev account '{name}': use anchor or dev0..dev{DEV_ACCOUNT_COUNT - 1}")
    return DEV_NAMES[name]


@cache
def dev_key(name: str) -> bytes:
    """The private key of the dev account called `name` ("anchor", "dev0" .. "dev9")."""
    index = _index(name)
    seed = hashlib.pbkdf2_hmac("sha512", DEV_MNEMONIC.encode(), b"mnemonic", 2048)  # BIP-39, no passphrase
    master = hmac.digest(b"Bitcoin seed", seed, "sha512")  # BIP-32
    key, chain_code = master[:32], master[32:]
    for step in (44 | _HARDENED, 60 | _HARDENED, 0 | _HARDENED, 0, index):
        if step & _HARDENED:
            data = b"\x00" + key + step.to_bytes(4, "big")
        else:
            data = keys.PrivateKey(key).public_key.to_compressed_bytes() + step.to_bytes(4, "big")
        derived = hmac.digest(chain_code, data, "sha512")
        key = ((int.from_bytes(derived[:32], "big") + int.from_bytes(key, "big")) % SECP256K1_N).to_bytes(
            32, "big"
        )
        chain_code = derived[32:]
    return key


@cache
def dev_signer(name: str) -> LocalSigner:
    """The dev account called `name`, as a signer for the gateway."""
    return LocalSigner(dev_key(name))


@cache
def dev_account(name: str) -> LocalAccount:
    """The dev account called `name`, as eth_account's LocalAccount (for signing through web3)."""
    from eth_account import Account

    return Account.from_key(dev_key(name))


def is_dev_name(value: str) -> bool:
    """Whether `value` names a dev account."""
    return value in DEV_NAMES

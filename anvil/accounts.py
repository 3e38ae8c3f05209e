"""Anvil's deterministic dev accounts, by name."""

from __future__ import annotations

from functools import cache

from eth_account import Account
from eth_account.signers.local import LocalAccount

DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_CHAIN_ID = 31337
DEV_ACCOUNT_COUNT = 10
# dev0 deploys and is the trust anchor; the rest are free for entities.
DEV_NAMES = {"anchor": 0, **{f"dev{i}": i for i in range(DEV_ACCOUNT_COUNT)}}


@cache
def dev_account(name: str) -> LocalAccount:
    """The dev account called `name` ("anchor", "dev0" .. "dev9")."""
    if name not in DEV_NAMES:
        raise KeyError(f"unknown dev account '{name}': use anchor or dev0..dev{DEV_ACCOUNT_COUNT - 1}")
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{DEV_NAMES[name]}")


def is_dev_name(value: str) -> bool:
    """Whether `value` names a dev account."""
    return value in DEV_NAMES

"""Reorgs made by Anvil's own `anvil_reorg` (the node replaces its last blocks with new ones):
below the finality horizon the follower halts and merges nothing; above it, it never notices."""

from __future__ import annotations

import pytest

from anvil.accounts import dev_account
from trust_ledger.chain.follower import Horizon, ReorgBelowHorizon


def anvil_reorg(chain, depth: int) -> None:
    """Replace the last `depth` blocks with empty ones (the transactions in them are gone)."""
    chain.w3.provider.make_request("anvil_reorg", [depth, []])


def test_anvil_reorg_below_the_horizon_halts_the_follower(chain, follower_of, store) -> None:
    original = chain.gateway("anchor").register(
        "root", "alpha", "did:example:alpha", dev_account("dev1").address
    )
    ledger = store.open()
    follower = follower_of(ledger)
    follower.poll()
    assert ledger.entity_by_did("did:example:alpha") is not None

    anvil_reorg(chain, 1)
    replaced = chain.w3.eth.get_block(original.block_number)
    assert replaced["hash"].to_0x_hex() != original.block_hash and not replaced["transactions"]
    with pytest.raises(ReorgBelowHorizon) as halted:
        follower.poll()
    assert halted.value.block_number == original.block_number
    assert ledger.entity_by_did("did:example:alpha") is not None, "nothing is merged or undone silently"


def test_anvil_reorg_above_the_horizon_is_never_seen(chain, follower_of, store) -> None:
    ledger = store.open()
    follower = follower_of(ledger, Horizon(confirmations=3))
    chain.gateway("anchor").register("root", "alpha", "did:example:alpha", dev_account("dev1").address)
    follower.poll()
    anvil_reorg(chain, 1)  # the registration's block is replaced before it reaches the horizon
    for _ in range(3):
        chain.w3.provider.make_request("evm_mine", [])
    follower.poll()
    assert ledger.entity_by_did("did:example:alpha") is None
    head = chain.w3.eth.block_number
    assert ledger.cursor().block_number == head - 3
    assert ledger.cursor().block_hash == chain.w3.eth.get_block(head - 3)["hash"].to_0x_hex()

"""Strict log decoding: only our contracts, and nothing of theirs silently dropped."""

from __future__ import annotations

import pytest

from anvil.accounts import dev_account
from trust_ledger.chain.decoding import UndecodableLog


def _raw_logs(chain, tx_hash):
    return chain.w3.eth.get_transaction_receipt(tx_hash)["logs"]


def test_log_from_a_foreign_address_is_refused(chain):
    gateway = chain.gateway("anchor")
    result = gateway.register("root", "alpha", "did:example:alpha", dev_account("dev1").address)
    (raw,) = _raw_logs(chain, result.tx_hash)
    forged = {**raw, "address": dev_account("dev9").address}
    assert not gateway.decoder.is_ours(forged)
    with pytest.raises(UndecodableLog, match="not one of our contracts"):
        gateway.decoder.decode(forged, block_time=0)


def test_log_of_ours_with_an_unknown_topic_raises_instead_of_vanishing(chain):
    gateway = chain.gateway("anchor")
    result = gateway.register("root", "alpha", "did:example:alpha", dev_account("dev1").address)
    (raw,) = _raw_logs(chain, result.tx_hash)
    unknown = {**raw, "topics": [b"\x11" * 32, *raw["topics"][1:]]}
    with pytest.raises(UndecodableLog, match="matches none of its events"):
        gateway.decoder.decode(unknown, block_time=0)
    truncated = {**raw, "data": raw["data"][:40]}
    with pytest.raises(UndecodableLog, match="EntityRegistered data does not decode"):
        gateway.decoder.decode(truncated, block_time=0)


def test_decoder_topics_cover_every_event_of_both_contracts(chain):
    gateway = chain.gateway(None)
    events = [e for abi in (gateway.registry.abi, gateway.status.abi) for e in abi if e["type"] == "event"]
    assert len(gateway.decoder.topics) == len(events) == 13

"""The follower against a real Anvil: exactly-once ingestion, ranges, reorgs, outages."""

from __future__ import annotations

import gc
import json
import logging
import threading

import pytest

from anvil.accounts import dev_account
from tests.support.waiting import wait_until
from trust_ledger.chain.follower import (
    Horizon,
    RangeTooLarge,
    ReorgBelowHorizon,
    RpcLogSource,
    follower_for,
    run_forever,
)
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.chain.rpc import JsonRpc
from trust_ledger.ledger import TrustLedger

MARKET = "did:elsi:EU.EORI.NLMARKETPLACE"
PACKET = "did:elsi:EU.EORI.NLPACKETDEL"
JWK_BYTES = json.dumps(
    {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
).encode()


def build_registry(chain) -> int:
    """A small but complete history: every kind of event once or more. Returns the list id."""
    anchor, market, packet = chain.gateway("anchor"), chain.gateway("dev1"), chain.gateway("dev2")
    anchor.register("root", "marketplace", MARKET, dev_account("dev1").address)
    anchor.accredit(MARKET, "CustomerCredential", [(PACKET, ["P.Info.standard", "P.Info.gold"])])
    market.register(MARKET, "packetdelivery", PACKET, dev_account("dev2").address)
    market.accredit(PACKET, "CustomerCredential", [(PACKET, ["P.Info.gold"])])
    packet.add_key(PACKET, "key-1", "JsonWebKey2020", JWK_BYTES, ["assertionMethod"])
    packet.add_service(PACKET, "issuer", "OID4VCI", "https://packetdelivery.example/issuer")
    packet.revoke_key(PACKET, "key-1")
    list_id, _ = packet.create_status_list(PACKET, "revocation", "https://packetdelivery.example/status/1")
    packet.set_statuses(list_id, [3, 4000, 131_071])
    packet.set_delegate(PACKET, dev_account("dev6").address)
    chain.gateway("dev6").set_statuses(list_id, [5000])  # a revocation list: bits are only set
    market.set_status(PACKET, "suspended")
    market.set_status(PACKET, "active")
    packet.set_controller(PACKET, dev_account("dev3").address)
    market.withdraw_accreditation(PACKET, "CustomerCredential")
    return list_id


def chain_bitstring(gateway: TrustGateway, list_id: int) -> bytes:
    return b"".join(gateway.status_word(list_id, w).to_bytes(32, "big") for w in range(131_072 // 256))


def test_follower_mirrors_every_event_exactly_once(chain, store, follower_of):
    list_id = build_registry(chain)
    ledger = store.open()
    follower = follower_of(ledger)
    first = follower.poll()
    assert first.logs == 16, "15 writes plus the root's registration at deployment"
    position = ledger.position()

    reader = chain.gateway(None)
    packet = ledger.entity_by_did(PACKET)
    assert packet["name"] == "marketplace.packetdelivery"
    assert packet["status"] == "active"
    assert packet["controller"] == dev_account("dev3").address
    assert packet["accreditations"] == {}
    assert packet["keys"]["key-1"]["revoked"] is True
    assert packet["services"]["issuer"]["endpoint"] == "https://packetdelivery.example/issuer"
    assert ledger.entity_by_did(MARKET)["accreditations"]["CustomerCredential"]["roles"] == [
        {"target": PACKET, "names": ["P.Info.standard", "P.Info.gold"]}
    ]
    assert ledger.status_bitstring(list_id) == chain_bitstring(reader, list_id)

    # Re-delivery changes nothing: a second follower from scratch and a direct re-ingest.
    state = ledger.current_state()
    follower_of(store.open()).poll()
    logs = chain.w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest", "address": reader.decoder.addresses})
    block_times = {n: chain.w3.eth.get_block(n)["timestamp"] for n in {log["blockNumber"] for log in logs}}
    decoded = [reader.decoder.decode(log, block_times[log["blockNumber"]]) for log in logs]
    ledger.ingest(decoded)
    reopened = store.open()
    assert reopened.position() == position
    assert reopened.current_state() == state
    assert reopened.replay_state() == state

    history = reopened.history(PACKET)
    assert [entry["event"] for entry in history][:2] == ["Registered", "Accredited"]
    assert len({entry["position"] for entry in history}) == len(history)


def test_ranges_shrink_when_the_node_refuses_and_nothing_is_missed(chain, tmp_path, follower_of, store):
    build_registry(chain)

    refused: list[tuple[int, int]] = []
    served: list[tuple[int, int]] = []

    class LimitedSource(RpcLogSource):
        """A provider that refuses eth_getLogs over more than 3 blocks, like hosted nodes do."""

        def get_logs(self, from_block, to_block):
            if to_block - from_block + 1 > 3:
                refused.append((from_block, to_block))
                raise RangeTooLarge("query exceeds max block range 3")
            served.append((from_block, to_block))
            return super().get_logs(from_block, to_block)

    ledger = store.open()
    follower = follower_of(ledger, initial_range=1000)
    follower.source = LimitedSource(chain.rpc, follower.decoder)
    done = follower.poll()
    assert done.logs == 16
    assert refused[0] == (chain.deployment.deployment_block, chain.w3.eth.block_number)
    assert all(last - first < 3 for first, last in served)
    covered = [block for first, last in served for block in range(first, last + 1)]
    assert covered == list(range(chain.deployment.deployment_block, chain.w3.eth.block_number + 1))
    assert ledger.entity_by_did(PACKET)["controller"] == dev_account("dev3").address


def test_the_collector_is_paused_only_while_a_range_is_read_and_recorded(chain, follower_of):
    """The follower turns Python's cyclic garbage collector off for a range (bench/README.md,
    ingest) and back on after it, also when the range fails; one the caller turned off stays off."""
    enabled_while_reading: list[bool] = []
    failing = False

    class WatchedSource(RpcLogSource):
        def get_logs(self, from_block, to_block):
            enabled_while_reading.append(gc.isenabled())
            if failing:
                raise ConnectionRefusedError("the node went away")
            return super().get_logs(from_block, to_block)

    follower = follower_of(TrustLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}))
    follower.source = WatchedSource(chain.rpc, follower.decoder)
    assert follower.poll().logs == 1  # the root's registration at deployment
    assert enabled_while_reading == [False]
    assert gc.isenabled()

    failing = True
    chain.gateway("anchor").register("root", "alpha", "did:example:alpha", dev_account("dev1").address)
    with pytest.raises(ConnectionRefusedError):
        follower.poll()
    assert enabled_while_reading == [False, False]
    assert gc.isenabled()

    failing = False
    gc.disable()
    try:
        assert follower.poll().logs == 1
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert enabled_while_reading == [False, False, False]


def test_reorg_below_the_horizon_halts_and_merges_nothing(chain, follower_of, store):
    rpc = chain.w3.provider.make_request
    snapshot = rpc("evm_snapshot", [])["result"]
    gateway = chain.gateway("anchor")
    original = gateway.register("root", "alpha", "did:example:alpha", dev_account("dev1").address)
    ledger = store.open()
    follower = follower_of(ledger)
    follower.poll()
    assert ledger.entity_by_did("did:example:alpha") is not None

    rpc("evm_revert", [snapshot])
    replaced = gateway.register("root", "beta", "did:example:beta", dev_account("dev2").address)
    assert replaced.block_number == original.block_number and replaced.block_hash != original.block_hash

    with pytest.raises(ReorgBelowHorizon) as halted:
        follower.poll()
    assert halted.value.block_number == original.block_number
    assert str(halted.value).startswith(
        f"reorg below the finality horizon at block {original.block_number}: ingested hash "
        f"{original.block_hash}, the chain now has {replaced.block_hash}"
    )
    with pytest.raises(ReorgBelowHorizon):  # a restarted follower halts too
        follower_of(store.open()).poll()
    assert ledger.entity_by_did("did:example:beta") is None


def test_reorg_above_the_horizon_is_ignored(chain, follower_of, store):
    rpc = chain.w3.provider.make_request
    gateway = chain.gateway("anchor")
    ledger = store.open()
    follower = follower_of(ledger, Horizon(confirmations=2))
    snapshot = rpc("evm_snapshot", [])["result"]
    gateway.register("root", "alpha", "did:example:alpha", dev_account("dev1").address)
    follower.poll()
    assert ledger.entity_by_did("did:example:alpha") is None, "the block is above the horizon"

    rpc("evm_revert", [snapshot])
    replaced = gateway.register("root", "beta", "did:example:beta", dev_account("dev2").address)
    follower.poll()
    assert ledger.entity_by_did("did:example:beta") is None
    for _ in range(2):
        rpc("evm_mine", [])
    follower.poll()
    assert ledger.entity_by_did("did:example:alpha") is None
    assert ledger.entity_by_did("did:example:beta")["controller"] == dev_account("dev2").address
    assert ledger.cursor().block_hash == replaced.block_hash


def test_finalized_tag_horizon_trails_the_head(chain, follower_of, store):
    gateway = chain.gateway("anchor")
    result = gateway.register("root", "alpha", "did:example:alpha", dev_account("dev1").address)
    ledger = store.open()
    follower = follower_of(ledger, Horizon(use_finalized=True))
    finalized = chain.w3.eth.get_block("finalized")["number"]
    assert finalized < result.block_number
    follower.poll()
    assert ledger.entity_by_did("did:example:alpha") is None
    while chain.w3.eth.get_block("finalized")["number"] < result.block_number:
        chain.w3.provider.make_request("evm_mine", [])
    follower.poll()
    assert ledger.entity_by_did("did:example:alpha") is not None


def test_chain_down_then_up_means_retries_then_catching_up(chain, proxy, store, caplog):
    deployment = chain.deployment
    through_proxy = TrustGateway(JsonRpc(proxy.url, timeout=5), deployment)
    ledger = store.open()
    follower = follower_for(through_proxy, ledger, Horizon())
    stop = threading.Event()
    errors: list[BaseException] = []

    def follow() -> None:
        try:
            run_forever(follower, poll_interval=0.05, should_stop=stop.is_set, max_backoff=0.2)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    gateway = chain.gateway("anchor")
    first = gateway.register("root", "alpha", "did:example:alpha", dev_account("dev1").address)
    caplog.set_level(logging.WARNING, logger="trust_ledger.follower")
    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    try:
        wait_until(lambda: (ledger.position() or 0) >= first.events[-1].position, what="first ingestion")
        proxy.down()
        second = gateway.register("root", "beta", "did:example:beta", dev_account("dev2").address)
        wait_until(lambda: "chain unreachable" in caplog.text, what="a retry log line")
        assert ledger.entity_by_did("did:example:beta") is None
        proxy.up()
        wait_until(lambda: (ledger.position() or 0) >= second.events[-1].position, what="catching up")
    finally:
        stop.set()
        thread.join(10)
    assert errors == []
    assert ledger.entity_by_did("did:example:beta")["controller"] == dev_account("dev2").address

"""The typed gateway against a real Anvil: every write, its decoded events, its refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from eth_abi import encode as abi_encode
from web3 import Web3
from web3.exceptions import ContractLogicError

from anvil.accounts import dev_account
from projections.service import LedgerService
from trust_ledger.chain.errors import DID_RULE, ContractRevert
from trust_ledger.chain.follower import default_horizon
from trust_ledger.chain.gateway import ROOT_NODE, TrustGateway, UnknownDid

MARKET = "did:elsi:EU.EORI.NLMARKETPLACE"
PACKET = "did:elsi:EU.EORI.NLPACKETDEL"
HAPPYPETS = "did:elsi:EU.EORI.NLHAPPYPETS"
JWK = json.dumps(
    {
        "kty": "EC",
        "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    }
).encode()


@pytest.fixture
def hierarchy(chain):
    """root -> marketplace (dev1) -> packetdelivery (dev2)."""
    anchor = chain.gateway("anchor")
    anchor.register("root", "marketplace", MARKET, dev_account("dev1").address)
    chain.gateway("dev1").register(MARKET, "packetdelivery", PACKET, dev_account("dev2").address)
    return chain


@pytest.fixture
def followed(chain, tmp_path, monkeypatch) -> Iterator[LedgerService]:
    """The real pipeline (follower -> ledger -> projector -> views, SQLite) on the test chain; a test
    advances it with `catch_up()` (one pass up to the head)."""
    monkeypatch.setenv("TRUST_LEDGER_VAR", str(tmp_path / "var"))
    for name in ("PERSISTENCE_MODULE", "TRUSTLEDGER_PERSISTENCE_MODULE"):
        monkeypatch.delenv(name, raising=False)
    service = LedgerService.open(chain.gateway(None), default_horizon(chain.deployment.chain_id))
    try:
        yield service
    finally:
        service.stop()
        service.views.close()


def _chain_bitstring(gateway: TrustGateway, list_id: int, size: int) -> bytes:
    return b"".join(gateway.status_word(list_id, w).to_bytes(32, "big") for w in range(size // 256))


def test_register_emits_decoded_event_with_provenance(chain):
    result = chain.gateway("anchor").register("root", "marketplace", MARKET, dev_account("dev1").address)

    (event,) = result.events
    assert event.event == "EntityRegistered"
    assert event.contract == chain.deployment.trust_registry
    assert event.chain_id == 31337
    assert event.block_number == result.block_number
    assert event.block_hash == result.block_hash
    assert event.tx_hash == result.tx_hash
    assert event.block_time == chain.w3.eth.get_block(result.block_number)["timestamp"]
    expected_node = chain.w3.keccak(bytes(32) + chain.w3.keccak(text="marketplace")).to_0x_hex()
    assert event.args == {
        "node": expected_node,
        "parent": ROOT_NODE,
        "label": "marketplace",
        "did": MARKET,
        "controller": dev_account("dev1").address,
        "proofKind": 0,
        "proofExpiry": 0,
        "proof": "0x",
        "by": dev_account("anchor").address,
    }
    entity = chain.gateway(None).entity(MARKET)
    assert (entity.node, entity.status, entity.controller) == (
        expected_node,
        "active",
        dev_account("dev1").address,
    )


def test_register_refuses_grandparent_stranger_and_suspended_parent_without_any_change(hierarchy):
    gateway_of = hierarchy.gateway
    head = hierarchy.w3.eth.block_number

    with pytest.raises(ContractRevert) as grandparent:
        gateway_of("anchor").register(PACKET, "happypets", HAPPYPETS, dev_account("dev3").address)
    assert str(grandparent.value) == f"{dev_account('anchor').address} is not the controller of {PACKET}"

    with pytest.raises(ContractRevert) as stranger:
        gateway_of("dev5").register(PACKET, "happypets", HAPPYPETS, dev_account("dev3").address)
    assert str(stranger.value) == f"{dev_account('dev5').address} is not the controller of {PACKET}"

    assert hierarchy.w3.eth.block_number == head, "a refused call must not send a transaction"

    gateway_of("anchor").set_status(MARKET, "suspended")
    with pytest.raises(ContractRevert) as suspended:
        gateway_of("dev2").register(PACKET, "happypets", HAPPYPETS, dev_account("dev3").address)
    assert suspended.value.error == "TrustRegistry__NotActive"
    assert str(suspended.value) == f"{MARKET} is suspended, so it and its descendants cannot act"

    with pytest.raises(UnknownDid):
        gateway_of(None).entity(HAPPYPETS)


def test_status_changes_emit_once_and_revocation_is_final(hierarchy):
    anchor = hierarchy.gateway("anchor")
    suspended = anchor.set_status(MARKET, "suspended")
    assert [e.args["newStatus"] for e in suspended.events] == [2]
    assert anchor.set_status(MARKET, "suspended").events == [], "a no-op emits nothing"
    assert anchor.set_status(MARKET, "active").events[0].args["previousStatus"] == 2
    anchor.set_status(MARKET, "revoked")
    with pytest.raises(ContractRevert, match=f"{MARKET} is revoked, and revocation is final"):
        anchor.set_status(MARKET, "active")
    active, inactive = anchor.effectively_active(PACKET)
    assert (active, inactive) == (False, anchor.node_of(MARKET))


def test_accreditation_is_handed_down_without_escalation(hierarchy):
    anchor, market = hierarchy.gateway("anchor"), hierarchy.gateway("dev1")
    anchor.accredit(MARKET, "CustomerCredential", [(PACKET, ["P.Info.standard", "P.Info.gold"])], 0, 0)

    granted = market.accredit(
        PACKET, "CustomerCredential", [(PACKET, ["P.Info.standard"])], 100, 2_000_000_000
    )
    assert granted.events[0].args["roles"] == [{"target": PACKET, "names": ["P.Info.standard"]}]
    assert granted.events[0].args["credentialType"] == "CustomerCredential"

    with pytest.raises(ContractRevert) as role:
        market.accredit(PACKET, "CustomerCredential", [(PACKET, ["P.Create"])])
    assert str(role.value) == (
        f"{MARKET} may not grant role P.Create for {PACKET} in CustomerCredential itself, "
        "so it cannot hand it down"
    )
    with pytest.raises(ContractRevert, match=f"{MARKET} is not accredited for EmployeeCredential itself"):
        market.accredit(PACKET, "EmployeeCredential")

    market.withdraw_accreditation(PACKET, "CustomerCredential")
    with pytest.raises(ContractRevert, match="holds no accreditation for CustomerCredential"):
        market.withdraw_accreditation(PACKET, "CustomerCredential")


def test_keys_and_services_are_managed_by_the_entity_itself(hierarchy):
    packet = hierarchy.gateway("dev2")
    added = packet.add_key(PACKET, "key-1", "JsonWebKey2020", JWK, ["assertionMethod", "authentication"])
    args = added.events[0].args
    assert (args["keyId"], args["keyType"], args["purposes"]) == ("key-1", "JsonWebKey2020", 3)
    assert bytes.fromhex(args["publicKey"][2:]) == JWK

    with pytest.raises(ContractRevert, match="is not the controller of"):
        hierarchy.gateway("dev1").add_key(PACKET, "key-2", "JsonWebKey2020", JWK, ["assertionMethod"])
    packet.revoke_key(PACKET, "key-1")
    with pytest.raises(ContractRevert, match="already has \\(or had\\) a key 'key-1'"):
        packet.add_key(PACKET, "key-1", "JsonWebKey2020", JWK, ["assertionMethod"])
    with pytest.raises(ValueError, match="unknown key purpose 'signing'"):
        packet.add_key(PACKET, "key-3", "JsonWebKey2020", JWK, ["signing"])

    service = packet.add_service(PACKET, "issuer", "OID4VCI", "https://packetdelivery.example/issuer")
    assert service.events[0].args["endpoint"] == "https://packetdelivery.example/issuer"
    packet.remove_service(PACKET, "issuer")
    with pytest.raises(ContractRevert, match="has no service 'issuer'"):
        packet.remove_service(PACKET, "issuer")


def test_controller_rotation_moves_authority(hierarchy):
    market_old = hierarchy.gateway("dev1")
    market_old.set_controller(MARKET, dev_account("dev4").address)
    with pytest.raises(ContractRevert, match="is not the controller of"):
        market_old.register(MARKET, "happypets", HAPPYPETS, dev_account("dev3").address)
    result = hierarchy.gateway("dev4").register(MARKET, "happypets", HAPPYPETS, dev_account("dev3").address)
    assert result.events[0].args["by"] == dev_account("dev4").address


def test_status_bits_in_one_batch_match_the_chain_words(hierarchy):
    packet = hierarchy.gateway("dev2")
    list_id, created = packet.create_status_list(
        PACKET, "revocation", "https://packetdelivery.example/status/1"
    )
    assert created.events[0].args["size"] == 131_072

    indices = [131_071, 0, 5, 300, 299]
    changed = packet.set_statuses(list_id, indices)
    (event,) = changed.events
    assert event.args["wordIndices"] == [0, 1, 511]
    for word_index, word in zip(event.args["wordIndices"], event.args["words"], strict=True):
        assert packet.status_word(list_id, word_index) == word
    assert event.args["words"][0] == (1 << 255) | (1 << 250)
    assert event.args["words"][2] == 1
    assert all(packet.is_status_set(list_id, i) for i in indices)
    assert not packet.is_status_set(list_id, 1)
    assert packet.set_statuses(list_id, [0, 5]).events == [], "setting set bits is a no-op"
    with pytest.raises(ContractRevert, match="index 131072 is outside status list"):
        packet.set_statuses(list_id, [131_072])

    suspension, _ = packet.create_status_list(PACKET, "suspension", "https://packetdelivery.example/status/2")
    packet.set_statuses(suspension, [0, 5])
    cleared = packet.set_statuses(suspension, [5], value=False)
    assert cleared.events[0].args["words"] == [1 << 255]


def test_status_list_delegate_acts_for_owner_until_withdrawn(hierarchy):
    packet = hierarchy.gateway("dev2")
    list_id, _ = packet.create_status_list(PACKET, "suspension", "https://packetdelivery.example/status/2")
    delegate = hierarchy.gateway("dev6")
    with pytest.raises(
        ContractRevert, match=r"is neither the controller of .* nor one of its status-list delegates"
    ):
        delegate.set_statuses(list_id, [7])
    packet.set_delegate(PACKET, dev_account("dev6").address)
    assert delegate.set_statuses(list_id, [7]).events[0].args["by"] == dev_account("dev6").address
    packet.set_delegate(PACKET, dev_account("dev6").address, authorised=False)
    with pytest.raises(ContractRevert):
        delegate.set_statuses(list_id, [8])

    hierarchy.gateway("anchor").set_status(MARKET, "suspended")
    with pytest.raises(ContractRevert) as inactive:
        packet.set_statuses(list_id, [9])
    assert str(inactive.value) == f"{MARKET} is not active, so the status lists of {PACKET} cannot change"


def test_clearing_a_revocation_list_is_refused_in_one_line_and_the_views_keep_the_bits(hierarchy, followed):
    """Revocation is final (issue 14.2): the estimate refuses, nothing is sent, the views agree with
    the chain; a suspension is still lifted."""
    packet = hierarchy.gateway("dev2")
    revocation, _ = packet.create_status_list(PACKET, "revocation", "https://packetdelivery.example/status/1")
    suspension, _ = packet.create_status_list(PACKET, "suspension", "https://packetdelivery.example/status/2")
    packet.set_statuses(revocation, [5, 300])
    packet.set_statuses(suspension, [5, 300])
    followed.catch_up()
    head = hierarchy.w3.eth.block_number

    with pytest.raises(ContractRevert) as refused:
        packet.set_statuses(revocation, [300, 7], value=False)
    assert refused.value.error == "StatusRegistry__RevocationIsFinal"
    # the gateway sends indices sorted; the whole batch is refused, naming its first index
    assert refused.value.args_by_name == {"listId": revocation, "index": 7}
    assert str(refused.value) == (
        f"status list {revocation} is a revocation list: revocation is final, so its bits can only be set "
        "(index 7 cannot be cleared); use a suspension list for a status that can be lifted"
    )
    assert hierarchy.w3.eth.block_number == head, "a refused call must not send a transaction"
    lifted = packet.set_statuses(suspension, [300], value=False)
    followed.catch_up()

    assert followed.halted is None
    assert followed.views.freshness().block_number == lifted.block_number
    assert packet.is_status_set(revocation, 300) and not packet.is_status_set(suspension, 300)
    for list_id in (revocation, suspension):
        on_chain = _chain_bitstring(packet, list_id, 131_072)
        view = followed.views.status_list(list_id)
        assert view is not None and view.bitstring == on_chain
        assert followed.ledger is not None and followed.ledger.status_bitstring(list_id) == on_chain


def test_delegate_of_a_previous_controller_is_refused_and_the_views_drop_it(hierarchy, followed):
    """A delegation ends with the controller that made it (issue 14.3), on chain and in the views;
    the new controller naming the same address again is a fresh delegation the follower ingests."""
    packet, delegate_address = hierarchy.gateway("dev2"), dev_account("dev6").address
    delegate = hierarchy.gateway("dev6")
    list_id, _ = packet.create_status_list(PACKET, "suspension", "https://packetdelivery.example/status/2")
    packet.set_delegate(PACKET, delegate_address)
    delegate.set_statuses(list_id, [1])
    packet.set_controller(PACKET, dev_account("dev3").address)
    followed.catch_up()
    assert followed.ledger is not None
    assert followed.ledger.entity_by_did(PACKET)["status_delegates"] == []
    version = followed.views.entity_version(PACKET)
    assert version is not None and version.state.status_delegates == ()

    head = hierarchy.w3.eth.block_number
    with pytest.raises(ContractRevert) as stale:
        delegate.set_statuses(list_id, [2])
    assert str(stale.value) == (
        f"{delegate_address} is neither the controller of {PACKET} nor one of its status-list delegates"
    )
    assert hierarchy.w3.eth.block_number == head, "a refused call must not send a transaction"

    named = hierarchy.gateway("dev3").set_delegate(PACKET, delegate_address)
    assert [e.args["authorised"] for e in named.events] == [True], "naming again is a real change"
    written = delegate.set_statuses(list_id, [2])
    followed.catch_up()
    assert followed.halted is None
    assert followed.views.freshness().block_number == written.block_number
    assert followed.ledger.entity_by_did(PACKET)["status_delegates"] == [delegate_address]
    version = followed.views.entity_version(PACKET)
    assert version is not None and version.state.status_delegates == (delegate_address,)
    view = followed.views.status_list(list_id)
    assert view is not None and view.bitstring == _chain_bitstring(packet, list_id, 131_072)


def test_register_refuses_an_ill_formed_did_with_a_readable_line_and_sends_nothing(chain):
    anchor = chain.gateway("anchor")
    head = chain.w3.eth.block_number

    with pytest.raises(ContractRevert) as html:
        anchor.register("root", "x", "did:web:<x>", dev_account("dev1").address)
    assert html.value.error == "TrustRegistry__InvalidDid"
    assert html.value.args_by_name == {"did": "did:web:<x>", "at": 8}
    assert str(html.value) == (
        "did \"did:web:<x>\" is not a valid DID: byte 8 ('<') is not allowed there; " + DID_RULE
    )

    with pytest.raises(ContractRevert) as bidi:
        anchor.register("root", "x", "did:web:evil\u202eexample\n", dev_account("dev1").address)
    assert str(bidi.value).startswith(
        'did "did:web:evil\\u202eexample\\n" is not a valid DID: byte 12 (U+202E) is not allowed there; '
    )
    with pytest.raises(ContractRevert, match=r"^did \"did:web:a:\" is not a valid DID: it ends too early; "):
        anchor.register("root", "x", "did:web:a:", dev_account("dev1").address)
    with pytest.raises(ContractRevert, match=r"is not a valid DID: it is 257 bytes long, more than 256; "):
        anchor.register("root", "x", "did:web:" + "x" * 249, dev_account("dev1").address)

    assert chain.w3.eth.block_number == head, "a refused call must not send a transaction"


def test_grammar_refusals_name_the_field_and_the_rule(hierarchy):
    anchor, packet = hierarchy.gateway("anchor"), hierarchy.gateway("dev2")
    with pytest.raises(ContractRevert) as target:
        anchor.accredit(MARKET, "CustomerCredential", [(f"{PACKET}#frag", ["P.Info.gold"])])
    assert str(target.value).startswith(
        f"role target \"{PACKET}#frag\" is not a valid DID: byte 28 ('#') is not allowed there; "
    )
    with pytest.raises(ContractRevert) as role:
        anchor.accredit(MARKET, "CustomerCredential", [(PACKET, ["P.Info gold"])])
    assert str(role.value) == (
        'role "P.Info gold" is not a valid role name: byte 6 (a space) is not allowed there; '
        "use 1 to 64 of A-Z a-z 0-9 . _ : -"
    )
    with pytest.raises(
        ContractRevert, match=r'^credential type "" is not a valid credential type: it is empty; '
    ):
        anchor.accredit(MARKET, "")
    with pytest.raises(ContractRevert, match=r'^key id "#key-1" is not a valid key id: byte 0 \(\'#\'\)'):
        packet.add_key(PACKET, "#key-1", "JsonWebKey2020", JWK, ["assertionMethod"])
    with pytest.raises(
        ContractRevert, match=r'^key type "Json Web Key" is not a valid key type: byte 4 \(a space\)'
    ):
        packet.add_key(PACKET, "key-1", "Json Web Key", JWK, ["assertionMethod"])
    with pytest.raises(ContractRevert, match=r"^the public key of key 'key-1' is empty$"):
        packet.add_key(PACKET, "key-1", "JsonWebKey2020", b"", ["assertionMethod"])
    with pytest.raises(
        ContractRevert,
        match=r'^service endpoint "https://x.example/\\x00" is not a valid URI: '
        r"byte 18 \(control character 0x00\)",
    ):
        packet.add_service(PACKET, "issuer", "OID4VCI", "https://x.example/\x00")
    with pytest.raises(
        ContractRevert, match=r'^status list URI "status/1" is not a valid URI: byte 6 \(\'/\'\)'
    ):
        packet.create_status_list(PACKET, "revocation", "status/1")


def test_refusal_with_bytes_that_are_not_utf8_still_reads(hierarchy):
    """A raw call (not through the gateway's str arguments) echoes undecodable bytes in the revert."""
    packet = hierarchy.gateway("dev2")
    node = bytes.fromhex(packet.node_of(PACKET)[2:])
    # a string is ABI-encoded as bytes are: this is addService with the service id b"svc-\xff\xfe"
    arguments = abi_encode(
        ["bytes32", "bytes", "string", "string"], [node, b"svc-\xff\xfe", "OID4VCI", "https://x.example"]
    )
    call = Web3.keccak(text="addService(bytes32,string,string,string)")[:4] + arguments
    with pytest.raises(ContractLogicError) as refused:
        hierarchy.w3.eth.call(
            {
                "from": dev_account("dev2").address,
                "to": packet.registry.address,
                "data": "0x" + bytes(call).hex(),
            }
        )
    revert = packet.errors.decode(refused.value.data)
    assert revert is not None and revert.error == "TrustRegistry__InvalidServiceId"
    assert revert.args_by_name == {"serviceId": "svc-\ufffd\ufffd", "at": 4}
    assert str(revert).startswith(
        'service id "svc-\\xff\\xfe" is not a valid service id: '
        "byte 4 (0xff, not UTF-8) is not allowed there; "
    )


def test_register_refuses_a_child_below_max_depth(chain):
    anchor = chain.gateway("anchor")
    parent = "root"
    for level in range(1, 17):
        did = f"did:web:level{level}.example"
        anchor.register(parent, f"l{level}", did, dev_account("anchor").address)
        parent = did
    with pytest.raises(ContractRevert) as deep:
        anchor.register(parent, "l17", "did:web:level17.example", dev_account("anchor").address)
    assert deep.value.error == "TrustRegistry__DepthExceeded"
    assert str(deep.value) == (
        "did:web:level16.example already sits 16 levels below the trust anchor, the most allowed, "
        "so it cannot have children"
    )

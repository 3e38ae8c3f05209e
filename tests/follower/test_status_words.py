"""setStatus and setStatusWords (issue 18) beside setStatuses on a real Anvil: the follower turns
each into the same words, so the ledger and its views hold the same W3C bitstring whichever call
wrote it; the gateway sends the call that costs least gas."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from anvil.accounts import dev_account
from projections import Projector, open_views, views_env
from trust_ledger.chain.errors import ContractRevert
from trust_ledger.chain.gateway import TrustGateway, status_word_masks

ISSUER = "did:web:words-issuer.example"
SET = [0, 1, 2, 255, 256, 300, 301, 4_000, 131_071]
CLEARED = [1, 300, 131_071]


def expected_bitstring(indices: set[int]) -> bytes:
    """W3C Bitstring Status List layout: index 0 is the most significant bit of byte 0."""
    bitstring = bytearray(131_072 // 8)
    for index in indices:
        bitstring[index // 8] |= 0x80 >> (index % 8)
    return bytes(bitstring)


def chain_bitstring(gateway: TrustGateway, list_id: int) -> bytes:
    return b"".join(gateway.status_word(list_id, w).to_bytes(32, "big") for w in range(131_072 // 256))


def sent_function(chain, tx_hash: str) -> bytes:
    """The 4-byte selector of the function a transaction called."""
    data = chain.w3.eth.get_transaction(tx_hash)["input"]
    return bytes(data)[:4]


def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def _issuer(chain) -> TrustGateway:
    chain.gateway("anchor").register("root", "words-issuer", ISSUER, dev_account("dev2").address)
    return chain.gateway("dev2")


def test_views_hold_the_same_bitstring_whichever_call_set_the_bits(chain, store, follower_of):
    issuer = _issuer(chain)
    uri = "https://words-issuer.example/status/"
    lists = {
        call: issuer.create_status_list(ISSUER, "suspension", uri + call)[0]
        for call in ("setStatuses", "setStatusWords", "setStatus")
    }
    for value, indices in ((True, SET), (False, CLEARED)):
        issuer._send(issuer.status, "setStatuses", lists["setStatuses"], indices, value)
        issuer.set_status_words(lists["setStatusWords"], status_word_masks(indices), value)
        for index in indices:
            issuer.set_statuses(lists["setStatus"], [index], value)  # one index: setStatus

    ledger = store.open()
    follower_of(ledger).poll()
    views = open_views(views_env(store.env))
    try:
        Projector(ledger, views.recorder).run_once()
        expected = expected_bitstring(set(SET) - set(CLEARED))
        for call, list_id in lists.items():
            assert chain_bitstring(issuer, list_id) == expected, call
            assert ledger.status_bitstring(list_id) == expected, call
            version = views.status_list(list_id)
            assert version is not None and version.bitstring == expected, call
    finally:
        views.close()


def test_gateway_sends_the_call_that_costs_least(chain):
    issuer = _issuer(chain)
    list_id, _ = issuer.create_status_list(ISSUER, "revocation", "https://words-issuer.example/status/r")

    one = issuer.set_statuses(list_id, [7])
    same_word = issuer.set_statuses(list_id, [8, 9, 10])
    apart = issuer.set_statuses(list_id, [600, 5_000])

    assert sent_function(chain, one.tx_hash) == selector("setStatus(uint256,uint256,bool)")
    words = "setStatusWords(uint256,uint256[],uint256[],bool)"
    assert sent_function(chain, same_word.tx_hash) == selector(words)
    assert sent_function(chain, apart.tx_hash) == selector("setStatuses(uint256,uint256[],bool)")
    assert [event.args["wordIndices"] for event in (one, same_word, apart) for event in event.events] == [
        [0],
        [0],
        [2, 19],
    ]
    assert all(issuer.is_status_set(list_id, i) for i in (7, 8, 9, 10, 600, 5_000))
    assert not issuer.is_status_set(list_id, 11)


def test_gateway_words_call_refusals_read_as_the_index_ones(chain):
    issuer = _issuer(chain)
    list_id, _ = issuer.create_status_list(ISSUER, "revocation", "https://words-issuer.example/status/r")
    with pytest.raises(ContractRevert, match="indices 131072 to 131327 are outside status list"):
        issuer.set_statuses(list_id, [131_072, 131_073])
    issuer.set_statuses(list_id, [3, 4])
    with pytest.raises(ContractRevert, match=r"revocation is final.*\(index 3 cannot be cleared\)"):
        issuer.set_statuses(list_id, [3, 4], value=False)
    with pytest.raises(ValueError, match="not negative"):
        issuer.set_statuses(list_id, [-1, 5])

"""Status-list words rebuild the exact W3C bitstring (index 0 = most significant bit of byte 0)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trust_ledger.ledger import TrustLedger

if TYPE_CHECKING:
    from tests.support.chainlogs import Chain
    from tests.support.stores import Store


def _bit(bitstring: bytes, index: int) -> int:
    return bitstring[index // 8] >> (7 - index % 8) & 1


def test_bitstring_index_zero_is_msb_of_first_byte_and_last_index_is_last_bit(
    ledger: TrustLedger, logchain: Chain
) -> None:
    ledger.ingest(logchain.hierarchy() + logchain.issuer_setup())  # sets index 0
    logchain.mine()
    ledger.ingest([logchain.words_changed(1, {511: 1}, "issuera1")])  # index 131071 = bit 0 of word 511

    bitstring = ledger.status_bitstring(1)

    assert bitstring is not None
    assert len(bitstring) == 16_384
    assert bitstring[0] == 0x80
    assert bitstring[-1] == 0x01
    assert bitstring[1:-1] == bytes(16_382)
    assert [i for i in range(131_072) if _bit(bitstring, i)] == [0, 131_071]


def test_bitstring_places_a_middle_index_and_full_words(ledger: TrustLedger, logchain: Chain) -> None:
    ledger.ingest(logchain.hierarchy() + logchain.issuer_setup())
    index = 1000  # word 3, bit position 1000 % 256 = 232 from the left
    logchain.mine()
    ledger.ingest([logchain.words_changed(1, {0: 0, 3: 1 << (255 - 232), 100: 2**256 - 1}, "issuera1")])

    bitstring = ledger.status_bitstring(1)

    assert bitstring is not None
    assert bitstring[125] == 0x80 and _bit(bitstring, index) == 1
    assert bitstring[100 * 32 : 101 * 32] == b"\xff" * 32
    assert sum(bin(b).count("1") for b in bitstring) == 1 + 256


def test_words_survive_the_store_round_trip_as_exact_uint256(store: Store, logchain: Chain) -> None:
    full, pattern = 2**256 - 1, int("a5" * 32, 16)
    store.open().ingest(
        logchain.hierarchy()
        + logchain.issuer_setup()
        + [logchain.words_changed(1, {510: full, 2: pattern}, "issuera1")]
    )

    reopened = store.open()

    status_list = reopened.status_list(1)
    assert status_list is not None
    assert status_list["words"] == {0: 1 << 255, 2: pattern, 510: full}
    bitstring = reopened.status_bitstring(1)
    assert bitstring is not None
    assert bitstring[64:96] == bytes.fromhex("a5" * 32)
    assert bitstring[510 * 32 : 511 * 32] == b"\xff" * 32

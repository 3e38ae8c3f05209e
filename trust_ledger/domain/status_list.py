"""The StatusList aggregate: one credential status list of the StatusRegistry."""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from trust_ledger.domain.errors import DomainError
from trust_ledger.domain.ids import status_list_id
from trust_ledger.domain.provenance import ChainEvent

PURPOSES = {0: "revocation", 1: "suspension"}
"""IStatusRegistry.Purpose values."""

BITS_PER_WORD = 256
WORD_BYTES = BITS_PER_WORD // 8
MAX_WORD = 2**BITS_PER_WORD - 1


def purpose_name(value: int) -> str:
    """The name of a Purpose value."""
    try:
        return PURPOSES[value]
    except KeyError:
        raise DomainError(f"invalid status list purpose {value}") from None


class StatusList(Aggregate):
    """A status list: `size` bits packed in 256-bit words, index 0 the most significant bit.

    Only changed words are held (`words`, word index -> value); absent words are zero.
    """

    class Event(ChainEvent, Aggregate.Event):
        """Base class of StatusList events: all carry `provenance` and `by`."""

    @staticmethod
    def create_id(list_id: int, provenance: dict[str, Any]) -> UUID:
        return status_list_id(provenance["chain_id"], provenance["contract"], list_id)

    @event("Created")
    def __init__(
        self,
        list_id: int,
        owner: str,
        purpose: str,
        size: int,
        uri: str,
        by: str,
        provenance: dict[str, Any],
    ) -> None:
        self.chain_id: int = provenance["chain_id"]
        self.contract: str = provenance["contract"]
        self.list_id = list_id
        self.owner = owner
        self.purpose = purpose
        self.size = size
        self.uri = uri
        self.words: dict[int, int] = {}
        self.created_at: int = provenance["block_time"]
        self._touch(by, provenance)

    @classmethod
    def create(
        cls,
        *,
        list_id: int,
        owner: str,
        purpose: int,
        size: int,
        uri: str,
        by: str,
        provenance: dict[str, Any],
    ) -> StatusList:
        """Create a list; `size` must be a non-zero multiple of 256 (the URI is recorded as written)."""
        if list_id < 1:
            raise DomainError(f"invalid status list id {list_id}")
        if size <= 0 or size % BITS_PER_WORD:
            raise DomainError(f"status list {list_id}: size {size} is not a positive multiple of 256")
        return cls(
            list_id=list_id,
            owner=owner,
            purpose=purpose_name(purpose),
            size=size,
            uri=uri,
            by=by,
            provenance=provenance,
        )

    def change_words(
        self, word_indices: list[int], words: list[int], by: str, provenance: dict[str, Any]
    ) -> None:
        """Set the changed words to their resulting values (indices in the order written)."""
        if not word_indices or len(word_indices) != len(words):
            raise DomainError(
                f"status list {self.list_id}: {len(word_indices)} word indices for {len(words)} words"
            )
        for index, value in zip(word_indices, words, strict=True):
            if not 0 <= index < self.word_count:
                raise DomainError(
                    f"status list {self.list_id}: word index {index} outside 0..{self.word_count - 1}"
                )
            if not 0 <= value <= MAX_WORD:
                raise DomainError(f"status list {self.list_id}: word {index} value is not a uint256")
        self._change_words(word_indices=list(word_indices), words=list(words), by=by, provenance=provenance)

    @event("WordsChanged")
    def _change_words(
        self, word_indices: list[int], words: list[int], by: str, provenance: dict[str, Any]
    ) -> None:
        for index, value in zip(word_indices, words, strict=True):
            if value:
                self.words[index] = value
            else:
                self.words.pop(index, None)
        self._touch(by, provenance)

    def _touch(self, by: str, provenance: dict[str, Any]) -> None:
        self.updated_at: int = provenance["block_time"]
        self.last_change: dict[str, Any] = {"by": by, **provenance}

    # ------------------------------------------------------------------ reads

    @property
    def word_count(self) -> int:
        return self.size // BITS_PER_WORD

    def is_set(self, index: int) -> bool:
        """Whether the bit of list entry `index` is set."""
        if not 0 <= index < self.size:
            raise IndexError(f"index {index} outside status list {self.list_id} of size {self.size}")
        word = self.words.get(index // BITS_PER_WORD, 0)
        return bool(word >> (BITS_PER_WORD - 1 - index % BITS_PER_WORD) & 1)

    def bitstring(self) -> bytes:
        """The exact W3C bitstring: the words big-endian, 32 bytes each, in order."""
        out = bytearray(self.size // 8)
        for index, value in self.words.items():
            out[index * WORD_BYTES : (index + 1) * WORD_BYTES] = value.to_bytes(WORD_BYTES, "big")
        return bytes(out)

    def as_dict(self) -> dict[str, Any]:
        """The list's state as plain data (a deep copy; `words` holds non-zero words only)."""
        return copy.deepcopy(
            {
                "id": str(self.id),
                "version": self.version,
                "chain_id": self.chain_id,
                "contract": self.contract,
                "list_id": self.list_id,
                "owner": self.owner,
                "purpose": self.purpose,
                "size": self.size,
                "uri": self.uri,
                "words": dict(sorted(self.words.items())),
                "created_at": self.created_at,
                "updated_at": self.updated_at,
                "last_change": self.last_change,
            }
        )

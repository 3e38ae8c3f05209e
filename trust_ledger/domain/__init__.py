"""The ledger's domain: aggregates mirroring the contracts (no web3, no SQL, no HTTP)."""

from trust_ledger.domain.chain_log import ChainLog
from trust_ledger.domain.cursor import ChainCursor, ChainPosition, CursorView
from trust_ledger.domain.did_index import DidIndex
from trust_ledger.domain.entity import (
    DID_PROOF_KINDS,
    KEY_COMPROMISE,
    KEY_PURPOSES,
    KEY_REVOCATION_REASONS,
    STATUSES,
    Entity,
    purpose_names,
)
from trust_ledger.domain.errors import (
    DomainError,
    IngestError,
    LedgerError,
    ReorgError,
    UnknownNodeError,
    UnknownStatusListError,
)
from trust_ledger.domain.ids import ROOT_NODE, did_index_id, entity_id, status_list_id
from trust_ledger.domain.status_list import PURPOSES, StatusList

__all__ = [
    "DID_PROOF_KINDS",
    "KEY_COMPROMISE",
    "KEY_PURPOSES",
    "KEY_REVOCATION_REASONS",
    "PURPOSES",
    "ROOT_NODE",
    "STATUSES",
    "ChainCursor",
    "ChainLog",
    "ChainPosition",
    "CursorView",
    "DidIndex",
    "DomainError",
    "Entity",
    "IngestError",
    "LedgerError",
    "ReorgError",
    "StatusList",
    "UnknownNodeError",
    "UnknownStatusListError",
    "did_index_id",
    "entity_id",
    "purpose_names",
    "status_list_id",
]

"""Errors of the ledger's domain: every one means the chain and the mirror disagree."""

from __future__ import annotations

from trust_ledger.domain.chain_log import ChainLog


class LedgerError(Exception):
    """Base class of the ledger's errors."""


class DomainError(LedgerError):
    """An aggregate refused a change that the contracts could never have emitted."""


class IngestError(LedgerError):
    """A chain log could not be ingested; names the log's position so it can be traced."""

    def __init__(self, message: str, log: ChainLog | None = None) -> None:
        self.log = log
        self.position = log.position if log is not None else None
        super().__init__(f"{message} ({describe(log)})" if log is not None else message)


class UnknownNodeError(IngestError):
    """A log refers to a registry node that was never registered (store corruption)."""

    def __init__(self, node: str, log: ChainLog) -> None:
        self.node = node
        super().__init__(f"unknown node {node} in {log.event}", log)


class UnknownStatusListError(IngestError):
    """A log refers to a status list that was never created (store corruption)."""

    def __init__(self, list_id: int, log: ChainLog) -> None:
        self.list_id = list_id
        super().__init__(f"unknown status list {list_id} in {log.event}", log)


class ReorgError(IngestError):
    """A block was seen with two different hashes: a reorg below the finality horizon."""


def describe(log: ChainLog) -> str:
    """Where a log comes from, for error messages."""
    return (
        f"position {log.position}: chain {log.chain_id} contract {log.contract} "
        f"block {log.block_number} ({log.block_hash}) tx {log.tx_hash} log {log.log_index}"
    )

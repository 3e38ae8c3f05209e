"""The follower: our contracts' logs, up to the finality horizon, into the ledger exactly once."""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from trust_ledger.chain.decoding import LogDecoder
from trust_ledger.chain.errors import ChainError
from trust_ledger.chain.rpc import JsonRpc, RpcError, RpcTimeout, block_id, quantity
from trust_ledger.domain import ChainLog, ChainPosition

if TYPE_CHECKING:
    from trust_ledger.chain.gateway import TrustGateway
    from trust_ledger.ledger import TrustLedger

BlockTag = Literal["latest", "finalized"]
"""The block tags the follower reads headers by."""

log = logging.getLogger("trust_ledger.follower")

PERSIST_EMPTY_PROGRESS_EVERY = 10_000
"""Blocks without our logs are scanned in memory; progress is recorded at most this far apart."""


class ReorgBelowHorizon(ChainError):
    """A block the ledger already relies on has a different hash now: the follower must halt."""

    def __init__(self, block_number: int, ingested_hash: str, chain_hash: str | None):
        super().__init__(
            f"reorg below the finality horizon at block {block_number}: ingested hash {ingested_hash}, "
            f"the chain now has {chain_hash or 'no such block'}; the follower halts and merges nothing"
        )
        self.block_number = block_number
        self.ingested_hash = ingested_hash
        self.chain_hash = chain_hash


class RangeTooLarge(Exception):
    """The node refused an eth_getLogs range (provider limits); the caller shrinks the range."""


@dataclass(frozen=True)
class BlockHeader:
    """What the follower needs of a block."""

    number: int
    hash: str
    timestamp: int


class LogSource(Protocol):
    """The JSON-RPC calls the follower makes; a test can wrap it to add provider limits."""

    def header(self, block: int | BlockTag) -> BlockHeader | None: ...

    def get_logs(self, from_block: int, to_block: int) -> list[dict[str, Any]]: ...


class RpcLogSource:
    """LogSource over JSON-RPC: one eth_getLogs per range for our addresses and event topics."""

    def __init__(self, rpc: JsonRpc, decoder: LogDecoder):
        self.rpc = rpc
        self.addresses = decoder.addresses
        self.topics = decoder.topics

    def header(self, block: int | BlockTag) -> BlockHeader | None:
        raw = self.rpc.call("eth_getBlockByNumber", block_id(block), False)
        if raw is None:
            return None
        return BlockHeader(quantity(raw["number"]), raw["hash"].lower(), quantity(raw["timestamp"]))

    def get_logs(self, from_block: int, to_block: int) -> list[dict[str, Any]]:
        query = {
            "fromBlock": hex(from_block),
            "toBlock": hex(to_block),
            "address": self.addresses,
            "topics": [self.topics],
        }
        try:
            return self.rpc.call("eth_getLogs", query)
        except RpcTimeout as exc:
            raise RangeTooLarge(f"eth_getLogs timed out: {exc}") from exc
        except RpcError as exc:  # most often a block-range or result-count limit of the provider
            raise RangeTooLarge(str(exc)) from exc


@dataclass
class Horizon:
    """How far the follower may read: the `finalized` tag, or head minus `confirmations`."""

    use_finalized: bool = False
    confirmations: int = 0

    def block(self, source: LogSource) -> int:
        header = source.header("finalized" if self.use_finalized else "latest")
        if header is None:
            return -1
        return header.number if self.use_finalized else header.number - self.confirmations

    def describe(self) -> str:
        return "the finalized tag" if self.use_finalized else f"head minus {self.confirmations} confirmations"


@dataclass
class Progress:
    """What one pass of the follower did."""

    blocks: int = 0
    logs: int = 0


class Follower:
    """Reads our logs in adaptive ranges up to the horizon and ingests them exactly once.

    Resumes from the ledger's cursor (the last block whose logs are all recorded); checks that
    block's hash against the chain on every pass and halts with ReorgBelowHorizon on mismatch.
    """

    def __init__(
        self,
        ledger: TrustLedger,
        decoder: LogDecoder,
        source: LogSource,
        start_block: int,
        horizon: Horizon | None = None,
        initial_range: int = 2_000,
        max_range: int = 100_000,
        max_logs_per_batch: int = 2_000,
    ):
        self.ledger = ledger
        self.decoder = decoder
        self.source = source
        self.start_block = start_block
        self.horizon = horizon or Horizon()
        self.range = initial_range
        self.max_range = max_range
        self.max_logs_per_batch = max_logs_per_batch
        self.head: BlockHeader | None = None
        """The chain's latest block at the last pass (for lag metrics)."""
        self.last_horizon: int | None = None
        """The finality horizon the last pass read up to (before any `until_block`)."""
        self._scanned: BlockHeader | None = None  # last block scanned, persisted or not

    # ------------------------------------------------------------ public

    def next_block(self) -> int:
        """The first block not yet known to be fully ingested."""
        if self._scanned is not None:
            return self._scanned.number + 1
        cursor = self.ledger.cursor()
        if cursor is None:
            return self.start_block
        # The cursor's block may be partly recorded (a batch split inside it): rescan it, the
        # ledger skips what it already has.
        return cursor.block_number

    def synced_block(self) -> int | None:
        """The last block whose logs are all in the ledger, as far as this follower knows."""
        if self._scanned is not None:
            return self._scanned.number
        cursor = self.ledger.cursor()
        return cursor.block_number - 1 if cursor is not None else None

    def check_reorg(self) -> None:
        """Halt if a block the ledger (or this pass) relied on changed hash on the chain."""
        checks: list[tuple[int, str]] = []
        cursor = self.ledger.cursor()
        if cursor is not None:
            checks.append((cursor.block_number, cursor.block_hash))
        if self._scanned is not None:
            checks.append((self._scanned.number, self._scanned.hash))
        for number, expected in checks:
            header = self.source.header(number)
            if header is None or header.hash != expected:
                raise ReorgBelowHorizon(number, expected, header.hash if header else None)

    def poll(
        self, until_block: int | None = None, on_progress: Callable[[int, int, int], None] | None = None
    ) -> Progress:
        """Ingest everything up to the horizon (or `until_block`, if lower); one pass."""
        self.check_reorg()
        self.head = self.source.header("latest")
        target = self.horizon.block(self.source)
        self.last_horizon = target
        if until_block is not None:
            target = min(target, until_block)
        progress = Progress()
        start = self.next_block()
        while start <= target:
            end = min(target, start + self.range - 1)
            with _collector_paused():
                raw_logs = self._get_logs(start, end)
                if raw_logs is None:
                    continue
                self._ingest_range(start, end, raw_logs)
            progress.blocks += end - start + 1
            progress.logs += len(raw_logs)
            if len(raw_logs) < self.max_logs_per_batch // 4 and self.range < self.max_range:
                self.range = min(self.max_range, self.range * 2)
            if on_progress is not None:
                on_progress(end, target, len(raw_logs))
            start = end + 1
        return progress

    # ------------------------------------------------------------ internals

    def _get_logs(self, start: int, end: int) -> list[dict[str, Any]] | None:
        """The logs of blocks `start`..`end`, or None if the node refused the range (halved for the
        next try)."""
        try:
            return self.source.get_logs(start, end)
        except RangeTooLarge as exc:
            if end == start:
                raise ChainError(f"the node refuses eth_getLogs even for block {start}: {exc}") from exc
            self.range = max(1, (end - start + 1) // 2)
            log.info(
                "eth_getLogs refused %d blocks from %d; shrinking to %d", end - start + 1, start, self.range
            )
            return None

    def _ingest_range(self, start: int, end: int, raw_logs: list[dict[str, Any]]) -> None:
        end_header = self.source.header(end)
        if end_header is None:
            raise ChainError(
                f"block {end} vanished while scanning: the chain is reorganising below the horizon"
            )
        ours = sorted(
            (raw for raw in raw_logs if self.decoder.is_ours(raw)),
            key=lambda raw: (quantity(raw["blockNumber"]), quantity(raw["logIndex"])),
        )
        position = ChainPosition(self.decoder.chain_id, end_header.number, end_header.hash)
        if not ours:
            self._scanned = end_header
            persisted = self.ledger.cursor()
            if persisted is None or end - persisted.block_number >= PERSIST_EMPTY_PROGRESS_EVERY:
                self.ledger.ingest([], chain_position=position)
            return
        times = self._block_times(ours)
        logs = [self.decoder.decode(raw, times[quantity(raw["blockNumber"])]) for raw in ours]
        for batch in _batches_by_block(logs, self.max_logs_per_batch):
            is_last = batch[-1] is logs[-1]
            self.ledger.ingest(batch, chain_position=position if is_last else None)
        self._scanned = end_header

    def _block_times(self, raw_logs: list[dict[str, Any]]) -> dict[int, int]:
        times: dict[int, int] = {}
        for raw in raw_logs:
            number = quantity(raw["blockNumber"])
            if number in times:
                continue
            # Newer nodes put blockTimestamp on each log; otherwise one header per block.
            if raw.get("blockTimestamp") is not None:
                times[number] = quantity(raw["blockTimestamp"])
                continue
            header = self.source.header(number)
            if header is None:
                raise ChainError(f"block {number} vanished while scanning")
            times[number] = header.timestamp
        return times


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while one range is fetched, decoded and recorded.

    A range allocates tens of thousands of objects that outlive it (logs, events, the aggregates'
    state) and leaves almost no cycles (264 objects after a catch-up of 10,000 logs), so the collector
    ran some fifteen times a batch to find nothing, and now and then went through every object of the
    process: a sixth of a catch-up's CPU time (bench/README.md, ingest). Paused, it runs once after
    the range; reference counting frees everything else as usual. Left off if it was off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _batches_by_block(logs: list[ChainLog], limit: int) -> list[list[ChainLog]]:
    """Split ordered logs into batches of about `limit`, never inside a block unless one block exceeds it."""
    batches: list[list[ChainLog]] = [[]]
    for entry in logs:
        current = batches[-1]
        starts_new_block = current and current[-1].block_number != entry.block_number
        if len(current) >= limit and (starts_new_block or len(current) >= limit * 4):
            batches.append([])
        batches[-1].append(entry)
    return [batch for batch in batches if batch]


def run_forever(
    follower: Follower,
    poll_interval: float = 1.0,
    should_stop: Callable[[], bool] = lambda: False,
    on_progress: Callable[[int, int, int], None] | None = None,
    max_backoff: float = 30.0,
    after_pass: Callable[[], None] | None = None,
    on_reachability: Callable[[bool], None] | None = None,
) -> None:
    """Poll until told to stop; an unreachable RPC endpoint means backoff and a log line, never a crash.

    `after_pass` runs after every pass, reachable or not (the projections, say);
    `on_reachability` hears whether the chain answered the last pass.
    """
    backoff = poll_interval
    while not should_stop():
        try:
            follower.poll(on_progress=on_progress)
        except OSError as exc:  # the chain not answering (rpc.ChainUnavailable is an OSError)
            log.warning("chain unreachable (%s); retrying in %.1fs", exc.__class__.__name__, backoff)
            if on_reachability:
                on_reachability(False)
            if after_pass:
                after_pass()
            _sleep(backoff, should_stop)
            backoff = min(max_backoff, backoff * 2)
            continue
        if on_reachability:
            on_reachability(True)
        if after_pass:
            after_pass()
        backoff = poll_interval
        _sleep(poll_interval, should_stop)


def _sleep(seconds: float, should_stop: Callable[[], bool]) -> None:
    deadline = time.monotonic() + seconds
    while not should_stop() and time.monotonic() < deadline:
        time.sleep(min(0.05, seconds))


def default_horizon(chain_id: int, confirmations: int | None = None, use_finalized: bool = False) -> Horizon:
    """0 confirmations on the dev chain, the `finalized` tag elsewhere, unless told otherwise."""
    if use_finalized:
        return Horizon(use_finalized=True)
    if confirmations is not None:
        return Horizon(confirmations=confirmations)
    return Horizon(confirmations=0) if chain_id == 31337 else Horizon(use_finalized=True)


def follower_for(gateway: TrustGateway, ledger: TrustLedger, horizon: Horizon) -> Follower:
    """A follower of the gateway's deployment into `ledger`."""
    return Follower(
        ledger,
        gateway.decoder,
        RpcLogSource(gateway.rpc, gateway.decoder),
        start_block=gateway.deployment.deployment_block,
        horizon=horizon,
    )

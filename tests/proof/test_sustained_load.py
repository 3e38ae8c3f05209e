"""The resolver at a sustained rate for 60 s while its follower ingests: zero errors.

A `serve resolver` process follows Anvil; client threads resolve known DIDs at a target rate (each
thread on its own schedule); meanwhile a writer registers ten new entities and adds twenty services
to a known one every half second, so the follower and projector work the whole time. The achieved
rate, p50/p99 and how far the views trailed the chain are recorded, not judged.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from anvil.pump import EventPump
from tests.proof.support import Load, identifiers, percentile, record, summarise

pytestmark = pytest.mark.proof

KNOWN = 100
THREADS = 6
RATE = float(os.environ.get("PROOF_RATE", "150"))
SECONDS = 60.0
TICK = 0.5
NEW_PER_TICK = 10
SERVICES_PER_TICK = 20


class Writer:
    """Every TICK seconds: NEW_PER_TICK new children (did:example:new-<n>, n from KNOWN on: the
    children's labels are e<n>, after the known ones) and SERVICES_PER_TICK services on the next known
    entity, in turn; keeps (load clock, last block) per tick."""

    def __init__(self, pump: EventPump, nodes: list[str], load: Load):
        self.pump = pump
        self.nodes = nodes
        self.load = load
        self.blocks: list[tuple[float, int]] = []
        self.registered = 0
        self.services: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._error: BaseException | None = None

    def __enter__(self) -> Writer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(60)
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            tick = 0
            while not self._stop.is_set():
                due = time.monotonic() + TICK
                self.pump.register_children_range("did:example:new-", KNOWN + self.registered, NEW_PER_TICK)
                self.registered += NEW_PER_TICK
                target = tick % len(self.nodes)
                first = self.services.get(target, 0)
                block = self.pump.pump(SERVICES_PER_TICK, node=self.nodes[target], first=first)
                self.services[target] = first + SERVICES_PER_TICK
                self.blocks.append((self.load.now(), block))
                tick += 1
                self._stop.wait(max(0.0, due - time.monotonic()))
        except BaseException as error:
            self._error = error


def test_sustained_resolution_rate_while_ingesting(chain, start_resolver):
    gateway = chain.gateway("anchor")
    pump = EventPump(chain.w3, gateway, "did:example:load", "load")
    known = [f"did:example:known-{i}" for i in range(KNOWN)]
    start_block = pump.register_children_range("did:example:known-", 0, KNOWN)
    nodes = [gateway.node_of(did) for did in known]
    resolver = start_resolver()
    resolver.wait_for_block(start_block)

    with Load(resolver.url, [identifiers(did) for did in known], threads=THREADS, rate=RATE) as load:
        with Writer(pump, nodes, load) as writer:
            time.sleep(SECONDS)
        load.stop()
    written_block = writer.blocks[-1][1]
    resolver.wait_for_block(written_block, timeout=120)

    answers = load.answers
    failed = [a for a in answers if not a.ok]
    assert not failed, f"{len(failed)} of {len(answers)} requests failed, e.g. {failed[:3]}"
    blocks = [a.block for a in answers if a.block is not None]
    assert len(blocks) == len(answers)
    assert min(blocks) <= start_block < max(blocks), "the views did not move while the load ran"

    # Everything written under load is there: every new entity, every service, as on chain.
    for number in [*range(KNOWN, KNOWN + writer.registered, 97), KNOWN + writer.registered - 1]:
        did = f"did:example:new-{number}"
        assert resolver.get(identifiers(did)).json()["id"] == did
    for target, count in writer.services.items():
        services = resolver.get(identifiers(known[target])).json()["service"]
        assert len(services) == count, known[target]

    # How far the views trailed the chain: blocks between the last write before an answer and the
    # answer's X-Ledger-Block.
    lags = []
    for answer in answers:
        written = [block for at, block in writer.blocks if at <= answer.sent]
        if written:
            lags.append(max(0, written[-1] - answer.block))
    figures = summarise(answers, load.stopped)
    events = writer.registered + sum(writer.services.values())
    record(
        "sustained-load",
        f"{figures['requests']} resolutions in {load.stopped:.0f} s at a target of {RATE:.0f}/s "
        f"({THREADS} threads): {figures['per_second']}/s achieved, {figures['errors']} errors, "
        f"p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms; meanwhile {events} events ingested "
        f"({len(writer.blocks)} writes), views trailing the chain by a median of "
        f"{percentile(lags, 0.5)} blocks (max {max(lags)})",
        {
            "target_per_second": RATE,
            "threads": THREADS,
            "seconds": round(load.stopped, 1),
            "known_dids": KNOWN,
            "entities_registered_under_load": writer.registered,
            "services_added_under_load": sum(writer.services.values()),
            "chain_blocks_written": written_block - start_block,
            "views_lag_blocks": {
                "p50": percentile(lags, 0.5),
                "p99": percentile(lags, 0.99),
                "max": max(lags),
            },
            "max_ms": round(max(a.seconds for a in answers) * 1000, 2),
            **figures,
        },
    )

"""PostgreSQL restarted under resolution load while entities are being registered: the follower
and the resolver recover without loss.

A `serve resolver` process keeps its ledger and views in a fresh PostgreSQL schema and follows
Anvil; client threads resolve known DIDs; a writer registers a new entity every quarter second;
`pg_ctlcluster <version> <cluster> restart` runs in the middle. Afterwards every registered entity
resolves, the ledger equals the chain's logs, and answers are all 200 again. While the database is
away an answer is a 200 (a pooled connection that survived, or one opened in time) or a clear 503;
how many of each is recorded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading

import pytest

from anvil.accounts import dev_account
from anvil.pump import EventPump
from tests.proof.support import HealthWatch, Load, identifiers, record, summarise
from tests.support.follower import assert_ledger_is_chain_prefix, chain_log_positions
from tests.support.stores import postgres_schema
from trust_ledger.ledger import TrustLedger

pytestmark = pytest.mark.proof

KNOWN = 50
THREADS = 4
PG_VERSION = os.environ.get("PG_VERSION", "15")
PG_CLUSTER = os.environ.get("PG_CLUSTER", "main")


class Registrar:
    """Registers did:example:reg-<n> under the root every `interval` seconds until stopped."""

    def __init__(self, chain, load: Load, interval: float = 0.25):
        self.gateway = chain.gateway("anchor")
        self.controller = dev_account("dev5").address
        self.load = load
        self.interval = interval
        self.registered: list[tuple[float, str, int]] = []  # (load clock, DID, block)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._error: BaseException | None = None

    def __enter__(self) -> Registrar:
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
            while not self._stop.is_set():
                did = f"did:example:reg-{len(self.registered)}"
                result = self.gateway.register("root", f"reg{len(self.registered)}", did, self.controller)
                self.registered.append((self.load.now(), did, result.block_number))
                self._stop.wait(self.interval)
        except BaseException as error:
            self._error = error


@pytest.mark.skipif(
    shutil.which("pg_ctlcluster") is None or os.geteuid() != 0,
    reason="restarts the local PostgreSQL cluster: needs pg_ctlcluster and root (as `make test` runs)",
)
def test_postgres_restart_under_load_loses_nothing(chain, start_resolver):
    loader = EventPump(chain.w3, chain.gateway("anchor"), "did:example:load", "load")
    known_block = loader.register_children_range("did:example:known-", 0, KNOWN)
    paths = [identifiers(f"did:example:known-{i}") for i in range(KNOWN)]
    with postgres_schema("proof") as env:
        resolver = start_resolver(env=env)
        try:
            resolver.wait_for_block(known_block)

            def resolves(did: str) -> bool:
                return resolver.get(identifiers(did)).status_code == 200

            with (
                Load(resolver.url, paths, threads=THREADS) as load,
                HealthWatch(resolver.url, load) as health,
                Registrar(chain, load) as registrar,
            ):
                load.await_answers(300)
                restart_at = load.now()
                subprocess.run(
                    ["pg_ctlcluster", PG_VERSION, PG_CLUSTER, "restart"], check=True, capture_output=True
                )
                restarted_at = load.now()
                load.await_answers(300)
                registrar.stop()
                resolver.wait_for_block(registrar.registered[-1][2], timeout=120)
                caught_up_at = load.now()
                registered = [did for _, did, _ in registrar.registered]
                unresolved = [did for did in registered if not resolves(did)]
                assert not unresolved, f"not resolved after the catch-up: {unresolved}"
                load.await_answers(500)
            end = load.stopped

            ledger = TrustLedger(env=env)
            try:
                position = assert_ledger_is_chain_prefix(ledger, chain_log_positions(chain))
                assert position // 1_000_000 >= registrar.registered[-1][2]
                for did in registered:
                    assert ledger.entity_by_did(did) is not None, did
            finally:
                ledger.close()
        finally:
            resolver.process.terminate()  # before its schema goes
            resolver.process.wait(30)
        log = (resolver.var / "resolver.log").read_text()

    answers = load.answers
    before = load.between(0, restart_at)
    outage = load.between(restart_at, restarted_at)
    back = load.between(restarted_at, caught_up_at)
    after = load.between(caught_up_at, end)
    assert before and after
    assert all(a.ok for a in before)
    for answer in [*outage, *back]:  # while the database is away, a 200 or a clear 503
        assert answer.ok or (answer.status == 503 and "views are unavailable" in answer.detail), answer
    failed_after = [a for a in after if not a.ok]
    assert not failed_after, f"{len(failed_after)} errors after recovery, e.g. {failed_after[:3]}"
    assert health.seen[-1][1] == 200 and health.seen[-1][2]["status"] == "ok"
    assert "follower halted" not in log and "unexpected error" not in log
    follower_retries = log.count("the store is unavailable (")

    overall = summarise(answers, end)
    during = summarise([*outage, *back], caught_up_at - restart_at)
    last_registered_at = registrar.registered[-1][0]
    during_restart = sum(restart_at <= at < restarted_at for at, _, _ in registrar.registered)
    record(
        "postgres-restart",
        f"{overall['requests']} resolutions by {THREADS} threads over {end:.0f} s; PostgreSQL restart "
        f"took {restarted_at - restart_at:.1f} s; {len(registered)} entities registered meanwhile "
        f"({during_restart} during the restart) all resolve, views caught up "
        f"{caught_up_at - last_registered_at:.1f} s after the last; ledger = chain; answers from the "
        f"restart to the catch-up: {during['by_status']}; after: {summarise(after)['errors']} errors; "
        f"follower retries: {follower_retries}; p50 {overall['p50_ms']} ms, p99 {overall['p99_ms']} ms",
        {
            "threads": THREADS,
            "known_dids": KNOWN,
            "entities_registered": len(registered),
            "entities_registered_during_restart": during_restart,
            "restart_seconds": round(restarted_at - restart_at, 2),
            "caught_up_after_restart_seconds": round(caught_up_at - restarted_at, 2),
            "caught_up_after_last_registration_seconds": round(caught_up_at - last_registered_at, 2),
            "follower_store_retries": follower_retries,
            "answers_503": sum(a.status == 503 for a in answers),
            "ledger_position": position,
            "overall": overall,
            "before_restart": summarise(before, restart_at),
            "during_restart": summarise(outage, restarted_at - restart_at),
            "restarted_to_caught_up": summarise(back, caught_up_at - restarted_at),
            "after_catch_up": summarise(after, end - caught_up_at),
            "health_during": sorted(
                {
                    str(body.get("status", status))
                    for at, status, body in health.seen
                    if restart_at <= at < caught_up_at
                }
            ),
        },
    )

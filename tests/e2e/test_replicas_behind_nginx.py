"""Replicas behind the shipped nginx configuration over one PostgreSQL (issue 19): the proxy
spreads and caches resolutions, a resolver replica killed under load costs no request; issuer and
verifier replicas killed under a load of whole flows cost no flow more than a clear error; a
standby takes over following the chain."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter

import httpx

from anvil.devchain import free_port
from api.credentials.keys import SigningKey, read_payload
from tests.e2e.test_resolver_http import PACKET, build, identifiers
from tests.proof.support import record
from tests.support import issuer as issuer_world
from tests.support import verifier as verifier_world
from tests.support.nginx import start_nginx
from tests.support.replicas import ModuleFlows, Replica, replicas, write_config
from tests.support.stores import postgres_schema, schema_rows
from tests.support.waiting import wait_until

FEW_CONNECTIONS = {"POSTGRES_POOL_SIZE": "2"}
"""Connections each pool of a replica keeps open (eventsourcing's default is 5; more are opened
while requests need them): four replicas' ledger, views, records and state pools stay well under
the test PostgreSQL's max_connections (100), which other tests' processes share."""

TOOK_OVER = "took over following the chain"
"""What a standby logs when it takes the follower lease (projections/service.py)."""


def test_resolver_replicas_behind_nginx_survive_a_kill_under_load(chain, start_resolver, tmp_path):
    with postgres_schema("proxy") as env:
        built = build(chain)
        first = start_resolver(env=env)
        first.wait_for_block(built["block"])
        second = start_resolver(env=env)
        proxy = start_nginx(tmp_path / "nginx", {"resolver": [first.url[7:], second.url[7:]]})
        base = proxy.urls["resolver"]
        try:
            # Cached as the resolver says (Cache-Control max-age, ETag), revalidated by nginx.
            misses = httpx.get(base + identifiers(PACKET), timeout=30)
            hit = httpx.get(base + identifiers(PACKET), timeout=30)
            assert misses.headers["X-Cache-Status"] == "MISS"
            assert hit.headers["X-Cache-Status"] == "HIT" and hit.content == misses.content
            assert hit.headers["ETag"] == misses.headers["ETag"]

            outcomes: Counter[str] = Counter()
            stop = threading.Event()

            def load() -> None:
                with httpx.Client(timeout=30) as client:
                    while not stop.is_set():
                        try:
                            answer = client.get(base + "/health")
                            outcomes[str(answer.status_code)] += 1
                        except httpx.TransportError as error:
                            outcomes[type(error).__name__] += 1

            threads = [threading.Thread(target=load) for _ in range(4)]
            for thread in threads:
                thread.start()
            wait_until(lambda: sum(outcomes.values()) > 200, 60, what="load through nginx")
            os.kill(first.process.pid, signal.SIGKILL)  # the leader: it started first
            first.process.wait(30)
            killed = time.monotonic()
            change = chain.gateway("dev2").add_service(PACKET, "verifier", "OID4VP", "https://pd.example/vp")

            def followed() -> bool:
                health = httpx.get(base + "/health", timeout=30).json()
                return (health["freshness"]["blockNumber"] or -1) >= change.block_number

            wait_until(followed, 60, what="the standby to follow the chain")
            takeover = time.monotonic() - killed
            wait_until(lambda: sum(outcomes.values()) > 600, 60, what="more load after the kill")
            stop.set()
            for thread in threads:
                thread.join(30)
            assert set(outcomes) == {"200"}, f"requests failed through the proxy: {outcomes}"

            def fresh_document() -> bool:  # the cached current answer expires within max-age=10
                services = httpx.get(base + identifiers(PACKET), timeout=30).json()["service"]
                return [s["id"] for s in services] == [f"{PACKET}#issuer", f"{PACKET}#verifier"]

            wait_until(fresh_document, 30, what="the proxy to serve the new document")
            served = outcomes["200"]
            record(
                "replicas-resolver",
                f"{served} requests, 0 failed; views at the new block {takeover:.1f}s after SIGKILL",
                {"requests": served, "failed": 0, "takeover_seconds": round(takeover, 2)},
            )
        finally:
            proxy.stop()
            second.process.terminate()
            second.process.wait(30)


def vct_asked(template: dict, vct: str) -> dict:
    """`template` with each credential asked for by `vct`."""
    return {**template, "credentials": [{**c, "vct_values": [vct]} for c in template["credentials"]]}


def test_issuer_and_verifier_replicas_behind_nginx_survive_kills_under_load(chain, tmp_path):
    """Issue 19 item 5: two issuer and two verifier replicas behind nginx over one PostgreSQL; a
    steady load of whole flows (DWVC-101, the holder's OID4VCI steps, DWVP-01-101, the wallet's
    fetch and answer, DWVP-01-201), each step retried as its client would after a cut connection or
    the proxy's 502. A verifier replica, then the issuer replica that leads following the chain,
    are SIGKILLed: every flow completes or ends in a clear 4xx, no status index is handed out twice,
    every credential issued is in the records, no request is answered twice, and the standby
    follows the chain within seconds."""
    issuer_key = SigningKey.generate("P-256", did=verifier_world.ISSUER, key_id="key-1")
    verifier_key = SigningKey.generate(did=verifier_world.VERIFIER, key_id="key-1")
    # acme (controller dev2, the issuer replicas' signer) accredited for EmployeeCredential; portal
    verifier_world.build_hierarchy(chain, issuer_key, verifier_key)
    ports = {name: free_port() for name in ("issuer-a", "issuer-b", "verifier-a", "verifier-b")}
    with (
        postgres_schema("modules") as env,
        replicas(chain, tmp_path, {**env, **FEW_CONNECTIONS, "TRUST_LEDGER_PRIVATE_KEY": "dev2"}) as started,
    ):
        upstreams = {
            module: [f"127.0.0.1:{ports[module + '-a']}", f"127.0.0.1:{ports[module + '-b']}"]
            for module in ("issuer", "verifier")
        }
        proxy = start_nginx(tmp_path / "nginx", upstreams)
        issuer, verifier = proxy.urls["issuer"], proxy.urls["verifier"]
        issuer_config = write_config(
            tmp_path / "issuer.json",
            {
                "did": verifier_world.ISSUER,
                "base_url": issuer,
                "signing_key": {"key_id": "key-1", "jwk": issuer_key.private_jwk()},
                "templates": issuer_world.TEMPLATES,
                "access_tokens": [issuer_world.TOKEN],
                "status_list_size": 1024,
            },
        )
        verifier_config = write_config(
            tmp_path / "verifier.json",
            {
                "did": verifier_world.VERIFIER,
                "base_url": verifier,
                "signing_key": {"key_id": "key-1", "jwk": verifier_key.private_jwk()},
                "templates": {  # the issuer's dc+sd-jwt card is asked for by its vct URI (issue 16 item 9)
                    **verifier_world.TEMPLATES,
                    "employee": vct_asked(verifier_world.TEMPLATES["employee"], f"{issuer}/vct/employee"),
                },
                "access_tokens": [verifier_world.TOKEN],
            },
        )
        try:
            # issuer A starts first, so it leads following the chain; the others stand by
            # (replicas starting together: tests/test_table_creation.py)
            leader = started.start("issuer", issuer_config, name="issuer-a", port=ports["issuer-a"])
            others = [
                started.start(module, config, name=name, port=ports[name])
                for module, config, name in (
                    ("issuer", issuer_config, "issuer-b"),
                    ("verifier", verifier_config, "verifier-a"),
                    ("verifier", verifier_config, "verifier-b"),
                )
            ]
            flows = ModuleFlows(
                issuer, verifier, issuer_world.TOKEN, verifier_world.TOKEN, issuer_world.FIELDS
            )
            try:
                wait_until(lambda: flows.run() == "completed", 90, what="a first whole flow through nginx")
            except AssertionError as error:  # say what the flows met instead
                raise AssertionError(f"{error}: {flows.refusals}, {flows.unexpected[-3:]}") from None
            flows.outcomes.clear()
            flows.refusals.clear()

            stop = threading.Event()

            def load() -> None:
                while not stop.is_set():
                    flows.run()

            threads = [threading.Thread(target=load) for _ in range(4)]
            for thread in threads:
                thread.start()
            wait_until(lambda: flows.outcomes["completed"] >= 8, 60, what="flows before the kills")
            others[1].kill()  # verifier A
            wait_until(lambda: flows.outcomes["completed"] >= 16, 60, what="flows after a verifier died")
            survivors = [others[0], others[2]]  # issuer B, verifier B

            def took_over() -> list[Replica]:
                return [r for r in survivors if TOOK_OVER in r.log.read_text(errors="replace")]

            assert took_over() == [], "issuer A did not lead"
            leader.kill()  # issuer A, the follower leader
            killed = time.monotonic()
            change = chain.gateway("dev3").add_service(
                verifier_world.VERIFIER, "vp", "OID4VP", verifier + "/oidvp"
            )

            def followed() -> bool:
                trust = httpx.get(verifier + "/health", timeout=30).json()["trustData"]
                return (trust["viewsBlock"] or -1) >= change.block_number

            wait_until(followed, 60, what="the standby to follow the chain")
            takeover = time.monotonic() - killed
            wait_until(lambda: len(took_over()) == 1, 30, what="one standby to log its takeover")
            wait_until(lambda: flows.outcomes["completed"] >= 24, 60, what="flows after the leader died")
            stop.set()
            for thread in threads:
                thread.join(60)
        finally:
            proxy.stop()

        assert flows.unexpected == [], flows.unexpected
        assert set(flows.outcomes) <= {"completed", "refused"}, flows.outcomes  # a clear 4xx at worst
        revocation = [read_payload(c.split("~")[0])["status"]["status_list"] for c in flows.credentials]
        assert len({(s["uri"], s["idx"]) for s in revocation}) == len(revocation), "a status index twice"
        ((allocations, distinct),) = schema_rows(
            env, "SELECT COUNT(*), COUNT(DISTINCT (list_row, idx)) FROM status_allocations"
        )
        assert allocations == distinct >= len(flows.credentials), "a status index handed out twice"
        survivor = others[0].url  # issuer B
        listed = httpx.get(
            survivor + "/api/credential/datatag/load?size=1",
            headers={"Access-Token": issuer_world.TOKEN},
            timeout=30,
        ).json()["totalElements"]
        assert listed >= len(flows.credentials), "an issued credential is missing from the records"
        assert max(flows.answers.values()) == 1, "a request was answered twice"
        ((answered,),) = schema_rows(
            env, "SELECT COUNT(*) FROM presentation_sessions WHERE answered_at IS NOT NULL"
        )
        assert answered >= len(flows.answers)
        record(
            "replicas-modules",
            f"{sum(flows.outcomes.values())} flows {dict(flows.outcomes)}, refused: {dict(flows.refusals)}; "
            f"{flows.retries} requests sent again (cut connection or 502); "
            f"{len(flows.credentials)} credentials, {allocations} status indices, none twice; "
            f"{len(flows.answers)} answers, none twice; "
            f"views at the new block {takeover:.1f}s after the leader's SIGKILL",
            {
                "flows": dict(flows.outcomes),
                "refusals": dict(flows.refusals),
                "requests_sent_again": flows.retries,
                "credentials": len(flows.credentials),
                "status_indices": allocations,
                "answers": len(flows.answers),
                "takeover_seconds": round(takeover, 2),
            },
        )

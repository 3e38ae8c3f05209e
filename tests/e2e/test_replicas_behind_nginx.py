"""Resolver replicas behind the shipped nginx configuration over one PostgreSQL (issue 19): the
proxy spreads and caches resolutions, a replica killed under load costs no request, and the
standby replica takes over following the chain."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter

import httpx

from tests.e2e.test_resolver_http import PACKET, build, identifiers
from tests.support.nginx import start_nginx
from tests.support.stores import postgres_schema
from tests.support.waiting import wait_until


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
            print(f"{served} requests, 0 failed; views at the new block {takeover:.1f}s after SIGKILL")
        finally:
            proxy.stop()
            second.process.terminate()
            second.process.wait(30)

"""/metrics in Prometheus format: resolutions, verifications and errors by code (the ingest lag's
values: tests/projections/test_service_metrics.py)."""

from __future__ import annotations

import contextlib

import httpx
from prometheus_client.parser import text_string_to_metric_families

from api.local_servers import LocalServers
from projections.service import watch_service
from resolver.app import create_app as create_resolver_app
from tests.support.verifier import ISSUER, World


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(f"{url}/metrics", timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_verifications_resolutions_and_errors(world: World) -> None:
    watch_service(world.service)
    with contextlib.ExitStack() as stack:
        resolver = LocalServers(stack).serve(create_resolver_app(world.service.views))
        before = scrape(resolver)
        assert httpx.get(f"{resolver}/1.0/identifiers/{ISSUER}", timeout=30).status_code == 200
        assert httpx.get(f"{resolver}/1.0/identifiers/did:web:nobody.test", timeout=30).status_code == 404
        trusted = world.open_request()
        world.post_vp(trusted, world.present_sd_jwt(world.sd_jwt(), trusted))
        world.on_chain("dev2", "set_statuses", world.lists["revocation"], [99])
        revoked = world.open_request()
        world.post_vp(revoked, world.present_sd_jwt(world.sd_jwt(index=99), revoked))  # 200, refused
        assert world.post(revoked, error="access_denied").status_code == 400  # REPLAYED: an OAuth error
        bad = world.api("GET", "/api/oidvp/qrcode", params={"ref": "nope", "transactionId": "t"})
        assert bad.status_code == 400  # an unknown ref: 400 10102, as the module
        after = scrape(world.url)  # one registry per process: any app's /metrics shows all

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("trust_ledger_resolutions_total", result="ok") == 1
    assert grew("trust_ledger_resolutions_total", result="NOT_FOUND") == 1
    assert grew("trust_ledger_http_errors_total", api="did-resolution", code="NOT_FOUND") == 1
    assert grew("trust_ledger_verifications_total", result="trusted") == 1
    assert grew("trust_ledger_verifications_total", result="REVOKED") == 1
    assert grew("trust_ledger_http_errors_total", api="oauth", code="invalid_request") == 1
    assert grew("trust_ledger_http_errors_total", api="twdiw", code="10102") == 1
    assert after[("trust_ledger_views_block", ())] == world.service.views.freshness().block_number
    assert after[("trust_ledger_chain_reachable", ())] == 1.0
    assert (
        "trust_ledger_ingest_lag_seconds",
        (),
    ) in after  # its value: tests/projections/test_service_metrics.py

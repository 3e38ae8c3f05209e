"""Helpers of the issuer tests (their fixtures are in tests/issuer/conftest.py)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from anvil.accounts import dev_account
from anvil.devchain import free_port
from api.credentials.keys import Curve, SigningKey
from api.issuer.app import create_app
from api.issuer.config import IssuerConfig
from api.issuer.context import IssuerContext
from api.issuer.wiring import open_issuer
from projections.service import LedgerService
from tests.support.waiting import wait_until
from trust_ledger.chain.follower import Horizon, default_horizon

ISSUER_DID = "did:web:acme.issuer.test"
PARENT_DID = "did:web:agency.issuer.test"
TOKEN = "org-backend-token-0123456789"
EMPLOYEE = "EmployeeCredential"
TEMPLATES: dict[str, dict[str, Any]] = {
    "employee": {"type": EMPLOYEE, "fields": ["name", "employee_no"], "validity_days": 30},
    "twcard": {"type": EMPLOYEE, "fields": ["name", "employee_no"], "profile": "twdiw"},
    "pincard": {"type": EMPLOYEE, "fields": ["name"], "formats": ["dc+sd-jwt"], "tx_code_length": 6},
    "badge": {"type": "VisitorBadge", "fields": ["name"]},
}
FIELDS = [{"ename": "name", "content": "林美"}, {"ename": "employee_no", "content": "E-042"}]


class Clock:
    """Real time plus an offset the test may move forward (offers and tokens expire)."""

    def __init__(self) -> None:
        import time

        self._time = time.time
        self.offset = 0

    def __call__(self) -> int:
        return int(self._time()) + self.offset


@dataclass
class RunningIssuer:
    """A served issuer: base URL, its context, chain handles, and helpers."""

    url: str
    ctx: IssuerContext
    chain: Any
    clock: Clock
    key: SigningKey
    service: LedgerService
    headers: dict[str, str] = field(default_factory=lambda: {"Access-Token": TOKEN})

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return httpx.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

    def offer(self, vc_uid: str = "employee", **body: Any) -> dict[str, Any]:
        response = self.api("POST", "/api/qrcode/data", json={"vcUid": vc_uid, "fields": FIELDS, **body})
        assert response.status_code == 200, response.text  # DWVC-101 answers 200, as the module
        return response.json()

    def wait_for_block(self, block: int) -> None:
        """Wait on the views' tracked chain position (no sleeping on guesses)."""
        wait_until(
            lambda: (self.service.views.freshness().block_number or -1) >= block,
            60,
            what=f"the issuer's views to reach block {block}",
        )


def register_issuer(chain: Any, key: SigningKey) -> int:
    """root -> agency (dev1) -> acme (dev2), accredited for EmployeeCredential, with an assertion key."""
    chain.gateway("anchor").register("root", "agency", PARENT_DID, dev_account("dev1").address)
    chain.gateway("anchor").accredit(PARENT_DID, EMPLOYEE)
    chain.gateway("dev1").register(PARENT_DID, "acme", ISSUER_DID, dev_account("dev2").address)
    chain.gateway("dev1").accredit(ISSUER_DID, EMPLOYEE)
    result = chain.gateway("dev2").add_key(
        ISSUER_DID, key.key_id, "JsonWebKey2020", json.dumps(key.public_jwk).encode(), ["assertionMethod"]
    )
    return result.block_number


@contextlib.contextmanager
def serve_issuer(
    chain: Any, var: Path, *, curve: Curve = "P-256", horizon: Horizon | None = None, **overrides: Any
) -> Iterator[RunningIssuer]:
    """Register the issuer on chain with a `curve` assertion key and serve it, following the chain
    up to `horizon` (default: the chain's); `overrides` are configuration keys (offer_mode,
    deep_link_scheme, ...). Persistence comes from the environment."""
    key = SigningKey.generate(curve, did=ISSUER_DID, key_id="key-1")
    setup_block = register_issuer(chain, key)
    port = free_port()
    config = IssuerConfig.model_validate(
        {
            "did": ISSUER_DID,
            "base_url": f"http://127.0.0.1:{port}",
            "signing_key": {"key_id": "key-1", "jwk": key.private_jwk()},
            "templates": TEMPLATES,
            "access_tokens": [TOKEN],
            "status_list_size": 1024,
            "var_dir": str(var),
            **overrides,
        }
    )
    horizon = horizon or default_horizon(chain.deployment.chain_id)
    service = LedgerService.open(chain.gateway(None), horizon, poll_interval=0.05)
    service.start()
    clock = Clock()
    ctx = open_issuer(config, chain.gateway("dev2"), service, horizon=horizon, clock=clock)
    server = uvicorn.Server(uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 30, what="the issuer to listen")
        running = RunningIssuer(f"http://127.0.0.1:{port}", ctx, chain, clock, key, service)
        running.wait_for_block(setup_block)
        yield running
    finally:
        server.should_exit = True
        thread.join(30)
        service.stop()
        ctx.records.close()

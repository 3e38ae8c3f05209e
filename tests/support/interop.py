"""Helpers of the interop tests (their fixtures are in tests/interop/conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from anvil.devchain import free_port
from api.credentials.keys import SigningKey
from tests.support.issuer import FIELDS, ISSUER_DID, TEMPLATES, TOKEN, register_issuer
from tests.support.replicas import replicas, write_config
from tests.support.verifier import World

SCRIPTS = Path(__file__).resolve().parents[1] / "interop" / "js"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Interop:
    """The served verifier world and the resolver beside it."""

    world: World
    resolver_url: str


def run_node(script: str, *args: str, stdin: str | None = None, env: Mapping[str, str] | None = None) -> Any:
    """Run tests/interop/js/<script> with Node (node_modules of the repository), `stdin` on its
    standard input and `env` added to its environment; its JSON output. A failing script fails the
    test with what the library said."""
    completed = subprocess.run(
        ["node", str(SCRIPTS / script), *args],
        input=stdin,
        env={**os.environ, **(env or {})},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"{script} failed:\n{completed.stderr}\n{completed.stdout}"
    return json.loads(completed.stdout)


@dataclass
class IssuerProcess:
    """`trust-ledger serve issuer` as a real process (tests.support.replicas) for the demo-like
    issuer of tests.support.issuer: its URL, signing key and the DWVC API."""

    url: str
    key: SigningKey

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Access-Token": TOKEN, **kwargs.pop("headers", {})}
        return httpx.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

    def offer(self, vc_uid: str = "employee") -> str:
        """DWVC-101: the deep link of a fresh offer."""
        answer = self.api("POST", "/api/qrcode/data", json={"vcUid": vc_uid, "fields": FIELDS})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["deepLink"])

    def change(self, cid: str, action: str) -> None:
        """DWVC-301/302 (`revocation`, `suspension`, `recovery`), answered once mined."""
        answer = self.api("PUT", f"/api/credential/{cid}/{action}")
        assert answer.status_code == 200 and answer.json()["final"] is True, answer.text


@contextmanager
def serve_issuer_process(chain: Any, root: Path) -> Iterator[IssuerProcess]:
    """Register the issuer of tests.support.issuer on `chain` and run `trust-ledger serve issuer`
    for it (SQLite under `root`, status changes signed by its controller dev2) until /health is ok."""
    key = SigningKey.generate("P-256", did=ISSUER_DID, key_id="key-1")
    register_issuer(chain, key)
    port = free_port()
    config = {
        "did": ISSUER_DID,
        "base_url": f"http://127.0.0.1:{port}",
        "signing_key": {"key_id": "key-1", "jwk": key.private_jwk()},
        "templates": TEMPLATES,
        "access_tokens": [TOKEN],
        "status_list_size": 1024,
    }
    root.mkdir(parents=True, exist_ok=True)
    with replicas(chain, root, {"TRUST_LEDGER_PRIVATE_KEY": "dev2"}) as started:
        replica = started.start(
            "issuer", write_config(root / "issuer.json", config), name="issuer", port=port
        )
        yield IssuerProcess(replica.url, key)

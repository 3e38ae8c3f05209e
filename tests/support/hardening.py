"""Helpers of the hardening tests (their fixtures are in tests/hardening/conftest.py)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import httpx
from fastapi.routing import APIRoute

from api.credentials.keys import SigningKey, read_header, read_payload
from api.explorer import EXPLORER_PREFIX, create_explorer_app
from api.issuer.app import create_app as create_issuer_app
from api.one_port import EXPLORER_PREFIXES, ISSUER_PREFIXES, VERIFIER_PREFIXES
from api.verifier.app import create_app as create_verifier_app
from resolver.app import create_app as create_resolver_app


@dataclass
class DevServer:
    """The running `trust-ledger dev`: its process, base URL, tokens and log file."""

    process: subprocess.Popen[bytes]
    base: str
    port: int
    var: Path
    log: Path

    @property
    def issuer_token(self) -> str:
        return json.loads((self.var / "dev-issuer" / "issuer.json").read_text())["access_tokens"][0]

    @property
    def verifier_token(self) -> str:
        return json.loads((self.var / "dev-verifier" / "verifier.json").read_text())["access_tokens"][0]

    def alive(self) -> bool:
        return self.process.poll() is None

    def rss_kib(self) -> int:
        """The server process's resident set size (VmRSS)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE).group(1))

    def health(self) -> httpx.Response:
        return httpx.get(f"{self.base}/health", timeout=30)

    def assert_healthy(self) -> None:
        assert self.alive(), f"the dev process died (exit {self.process.returncode}): {self.log_tail()}"
        assert self.health().status_code == 200

    def log_tail(self, size: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-size:]

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=30)


@dataclass(frozen=True)
class Route:
    """One route of an app served by `dev`, as a concrete path (parameters filled in)."""

    app: str
    method: str
    path: str
    needs_token: bool

    @property
    def served_by(self) -> str:
        """The app `dev` sends this path to (api.one_port: /health and /metrics are the resolver's)."""
        for name, prefixes in (
            ("issuer", ISSUER_PREFIXES),
            ("verifier", VERIFIER_PREFIXES),
            ("explorer", EXPLORER_PREFIXES),
        ):
            if self.path.startswith(prefixes):
                return name
        return "resolver"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def served_routes() -> list[Route]:
    """Every route of the resolver, issuer, verifier and explorer apps as `dev` composes them, read
    from the apps' own route tables (a route added to an app is covered without editing this)."""
    from api.issuer.auth import flat_routes, needs_access_token

    # no did:web DID: the modules route no did.json (api/did_web.py); on one port it is the resolver's
    context = SimpleNamespace(config=SimpleNamespace(access_tokens=(), did=""))
    apps = {
        "resolver": (create_resolver_app(None), ""),  # type: ignore[arg-type]
        "issuer": (create_issuer_app(context), ""),  # type: ignore[arg-type]
        "verifier": (create_verifier_app(context), ""),  # type: ignore[arg-type]
        "explorer": (create_explorer_app(), EXPLORER_PREFIX),
    }
    routes = []
    for name, (app, prefix) in apps.items():
        for route in flat_routes(app.routes):
            if isinstance(route, APIRoute):
                for method in sorted(route.methods - {"HEAD"}):
                    path = prefix + _concrete(route.path)
                    routes.append(Route(name, method, path, needs_access_token(route)))
    return routes


def deep_json(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


HOSTILE = ["1e400", "-1e400", "NaN", "Infinity", "1e300", "-5"]
"""Raw JSON texts for a date claim: not a NumericDate (beyond range, not finite, or not JSON at all)."""


def signed_with(key: SigningKey, token: str, claim: str, raw: str) -> str:
    """``token`` re-signed by ``key`` with ``claim`` set to the raw JSON text ``raw``."""
    header = {name: value for name, value in read_header(token).items() if name != "alg"}
    claims = read_payload(token)
    claims[claim] = "__RAW__"
    body = json.dumps(claims, separators=(",", ":")).replace('"__RAW__"', raw).encode()
    return key.sign(body, header, include_kid=False)

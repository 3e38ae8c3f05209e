"""nginx (Debian's package) in front of test replicas, configured with the shipped
scripts/nginx/trust-ledger.conf: only its `listen` ports, its cache directory and the upstream
servers are the test's own."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from anvil.devchain import free_port
from tests.support.waiting import wait_until

SHIPPED = Path(__file__).resolve().parents[2] / "scripts" / "nginx" / "trust-ledger.conf"
SHIPPED_PORTS = {"resolver": 8080, "issuer": 8090, "verifier": 8100}
UPSTREAM_NAMES = {
    "resolver": "trust_ledger_resolvers",
    "issuer": "trust_ledger_issuers",
    "verifier": "trust_ledger_verifiers",
}


@dataclass
class Nginx:
    """A running nginx: the base URL of each service it fronts."""

    directory: Path
    urls: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    ports: dict[str, int] = field(default_factory=dict)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


def start_nginx(directory: Path, upstreams: dict[str, list[str]]) -> Nginx:
    """nginx with the shipped configuration, each service's upstream set to `upstreams[service]`
    (``host:port`` strings); services not given get an upstream that refuses."""
    nginx_binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx_binary).exists():
        pytest.fail("nginx is not installed: apt-get install nginx", pytrace=False)
    directory.mkdir(parents=True, exist_ok=True)
    ports = {service: free_port() for service in SHIPPED_PORTS}
    text = SHIPPED.read_text()
    for service, shipped in SHIPPED_PORTS.items():
        text = text.replace(f"listen {shipped};", f"listen 127.0.0.1:{ports[service]};")
    text = text.replace("/var/cache/nginx/trust-ledger-resolver", str(directory / "cache"))
    (directory / "trust-ledger.conf").write_text(text)
    blocks = []
    for service, name in UPSTREAM_NAMES.items():
        servers = upstreams.get(service) or ["127.0.0.1:9"]
        lines = "".join(f"    server {server} max_fails=2 fail_timeout=5s;\n" for server in servers)
        blocks.append(f"upstream {name} {{\n{lines}    keepalive 32;\n}}\n")
    (directory / "upstreams.conf").write_text("\n".join(blocks))
    user = "user root;\n" if os.geteuid() == 0 else ""
    (directory / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n  access_log off;\n  include {directory / 'trust-ledger.conf'};\n}}\n"
    )
    process = subprocess.Popen(
        [nginx_binary, "-p", str(directory), "-c", str(directory / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    proxy = Nginx(directory, {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}, process, ports)

    def listening() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"nginx exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            httpx.get(proxy.urls["resolver"] + "/health", timeout=5)
        except httpx.TransportError:
            return False
        return True

    wait_until(listening, 30, what="nginx to listen")
    return proxy

"""HTTP load for the benchmarks: wrk (Debian package `wrk`) and an nginx baseline (Debian `nginx`).

wrk runs `-t<threads> -c<connections>` for a fixed duration over a list of paths (a Lua script
cycles through them, each thread from its own offset) and reports, through the script's `done`
hook, the request count, duration, errors and the latency percentiles wrk itself recorded. Any
non-2xx answer, timeout or socket error makes the row fail: a rate of errors is no rate.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from anvil.devchain import free_port, port_open

MARKER = "WRK-RESULT "
LUA = r"""
local paths = {%(paths)s}
local counter = 0
local thread_count = 0

setup = function(thread)
  thread:set("offset", thread_count * 7919)
  thread_count = thread_count + 1
end

init = function(args)
  counter = offset or 0
end

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "%(marker)s{\"requests\":%%d,\"duration_us\":%%d,\"connect\":%%d,\"read\":%%d,\"write\":%%d," ..
    "\"status\":%%d,\"timeout\":%%d,\"p50_us\":%%d,\"p90_us\":%%d,\"p99_us\":%%d,\"max_us\":%%d," ..
    "\"mean_us\":%%.1f,\"bytes\":%%d}\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, summary.bytes))
end
"""


class WrkError(RuntimeError):
    """wrk failed, or the server answered errors."""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    base: str,
    paths: Sequence[str],
    *,
    duration: float = 5.0,
    threads: int = 2,
    connections: int = 16,
    timeout: float = 10.0,
    warmup: float = 1.0,
    min_requests: int = 30,
    max_duration: float = 30.0,
) -> dict[str, float]:
    """One wrk run (after a `warmup`-second run whose figures are dropped): requests/s, p50/p90/p99
    in ms, and the raw counts. A run that completes fewer than `min_requests` (a slow server: its
    percentiles would rest on a handful of samples) is run again, once, long enough for about
    1.5 times that many at the rate seen (at least twice as long, at most `max_duration` seconds)."""
    if not paths:
        raise ValueError("no paths")
    quoted = ",".join(json.dumps(path) for path in paths)  # JSON strings are Lua strings here
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"paths": quoted, "marker": MARKER})
    try:
        if warmup > 0:
            _wrk(base, script.name, warmup, threads, connections, timeout, check=False)
        raw = _wrk(base, script.name, duration, threads, connections, timeout, check=True)
        if raw["requests"] < min_requests and duration < max_duration:
            rate = raw["requests"] / (raw["duration_us"] / 1e6)
            duration = min(max_duration, max(2 * duration, 1.5 * min_requests / max(rate, 0.1)))
            raw = _wrk(base, script.name, duration, threads, connections, timeout, check=True)
        if raw["requests"] == 0:
            raise WrkError(f"{base}: no request completed in {duration:.0f} s")
    finally:
        Path(script.name).unlink()
    seconds = raw["duration_us"] / 1e6
    return {
        "per_second": raw["requests"] / seconds,
        "p50_ms": raw["p50_us"] / 1e3,
        "p90_ms": raw["p90_us"] / 1e3,
        "p99_ms": raw["p99_us"] / 1e3,
        "max_ms": raw["max_us"] / 1e3,
        "mean_ms": raw["mean_us"] / 1e3,
        "requests": raw["requests"],
        "seconds": seconds,
        "bytes_per_response": raw["bytes"] / max(raw["requests"], 1),
    }


def _wrk(
    base: str, script: str, duration: float, threads: int, connections: int, timeout: float, *, check: bool
) -> dict[str, int | float]:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={max(1, round(timeout))}s",
        "-s",
        script,
        base,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + timeout + 30)
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if done.returncode != 0 or not lines:
        raise WrkError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    raw = json.loads(lines[-1][len(MARKER) :])
    errors = {key: raw[key] for key in ("connect", "read", "write", "status", "timeout") if raw[key]}
    if check and errors:
        raise WrkError(f"{base}: {raw['requests']} requests, errors {errors} (status = non-2xx/3xx answers)")
    return raw


NGINX_CONF = """
worker_processes 2;
daemon off;
pid %(root)s/nginx.pid;
error_log %(root)s/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 60s;
    client_body_temp_path %(root)s/tmp/body;
    proxy_temp_path %(root)s/tmp/proxy;
    fastcgi_temp_path %(root)s/tmp/fastcgi;
    uwsgi_temp_path %(root)s/tmp/uwsgi;
    scgi_temp_path %(root)s/tmp/scgi;
    default_type %(media_type)s;
    server {
        listen 127.0.0.1:%(port)d;
        root %(root)s/www;
    }
}
"""


@contextmanager
def nginx_serving(body: bytes, media_type: str, name: str = "document") -> Iterator[tuple[str, str]]:
    """nginx (two workers, no access log, keep-alive) serving `body` from a file: (base URL, path)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise WrkError("nginx is not installed (Debian package nginx; `make bench` installs it)")
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        root.chmod(0o755)  # nginx's workers drop root for www-data, and must read the file
        (root / "www").mkdir()
        (root / "tmp").mkdir()
        (root / "www" / name).write_bytes(body)
        port = free_port()
        conf = root / "nginx.conf"
        conf.write_text(NGINX_CONF % {"root": root, "port": port, "media_type": media_type})
        process = subprocess.Popen(
            [binary, "-c", str(conf), "-p", str(root), "-e", str(root / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, process, "nginx")
            yield f"http://127.0.0.1:{port}", f"/{name}"
        finally:
            process.terminate()
            process.wait(10)


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 60.0) -> None:
    """Return once `port` accepts connections; fail if `process` exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while not port_open(port):
        if process.poll() is not None:
            raise WrkError(f"{what} exited with {process.returncode} before listening on {port}")
        if time.monotonic() > deadline:
            raise WrkError(f"{what} did not listen on {port} within {timeout:.0f} s")
        time.sleep(0.05)

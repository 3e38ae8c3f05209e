"""What the proof tests share: HTTP client load with every answer kept, percentiles, and the
figures each test states (one printed line, JSON in bench/results/proof-<name>.json)."""

from __future__ import annotations

import json
import os
import platform
import random
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from tests.support.waiting import wait_until

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"

SUMMARIES: list[str] = []
"""The one-line summaries of this run, repeated in pytest's terminal summary (see conftest)."""


def identifiers(did: str) -> str:
    return "/1.0/identifiers/" + quote(did, safe="")


def record(name: str, summary: str, figures: dict[str, Any]) -> None:
    """State a test's figures: print `summary` and write them to bench/results/proof-<name>.json."""
    line = f"proof {name}: {summary}"
    print(line)
    SUMMARIES.append(line)
    RESULTS.mkdir(exist_ok=True)
    report = {
        "proof": name,
        "summary": summary,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        **figures,
    }
    (RESULTS / f"proof-{name}.json").write_text(json.dumps(report, indent=2) + "\n")


def percentile(samples: list[float], fraction: float) -> float | None:
    """The `fraction` percentile by nearest rank (None for no samples)."""
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass(frozen=True)
class Answer:
    """One request of the load: when it was sent (seconds since the load began) and what came back."""

    sent: float
    seconds: float
    path: str
    status: int | None
    """None: no HTTP answer at all (connection refused, timeout)."""
    chain_reachable: str | None
    """The X-Chain-Reachable header."""
    block: int | None
    """The X-Ledger-Block header."""
    detail: str = ""
    """For anything but a 200: the error, or the start of the body."""

    @property
    def ok(self) -> bool:
        return self.status == 200


def summarise(answers: Iterable[Answer], seconds: float | None = None) -> dict[str, Any]:
    """Counts by status, rate over `seconds` (else over the answers' own span), p50/p99 in ms."""
    answers = list(answers)
    latencies = [a.seconds for a in answers]
    if seconds is None:
        seconds = max((a.sent + a.seconds for a in answers), default=0) - min(
            (a.sent for a in answers), default=0
        )
    by_status: dict[str, int] = {}
    for answer in answers:
        key = str(answer.status) if answer.status is not None else "no answer"
        by_status[key] = by_status.get(key, 0) + 1
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    return {
        "requests": len(answers),
        "errors": sum(not a.ok for a in answers),
        "by_status": by_status,
        "per_second": round(len(answers) / seconds, 1) if seconds else None,
        "p50_ms": round(p50 * 1000, 2) if p50 is not None else None,
        "p99_ms": round(p99 * 1000, 2) if p99 is not None else None,
    }


@dataclass
class Load:
    """`threads` keep-alive HTTP clients GETting `paths` (each thread from a random offset, in turn)
    until stopped; with `rate`, together about that many requests per second (each thread keeps its
    own schedule and catches up when behind), else as fast as answers come. Every answer is kept."""

    base_url: str
    paths: list[str]
    threads: int = 4
    rate: float | None = None
    timeout: float = 30.0
    seed: int = 8
    answers: list[Answer] = field(default_factory=list)
    started: float = 0.0
    stopped: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)

    def now(self) -> float:
        """Seconds since the load began (the clock of Answer.sent)."""
        return time.monotonic() - self.started

    def __enter__(self) -> Load:
        self.started = time.monotonic()
        rng = random.Random(self.seed)
        for number in range(self.threads):
            offset = rng.randrange(len(self.paths))
            worker = threading.Thread(target=self._work, args=(number, offset), daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        for worker in self._workers:
            worker.join(self.timeout + 10)
        self.stopped = self.now()

    def await_answers(self, count: int, timeout: float = 60.0) -> None:
        """Return once `count` more answers have come in (a load phase measured in answers)."""
        with self._lock:
            target = len(self.answers) + count
        wait_until(lambda: len(self.answers) >= target, timeout, what=f"{count} more answers under load")

    def between(self, start: float, end: float) -> list[Answer]:
        """The answers to requests sent in [start, end) (load clock)."""
        with self._lock:
            return [a for a in self.answers if start <= a.sent < end]

    def _work(self, number: int, offset: int) -> None:
        interval = self.threads / self.rate if self.rate else 0.0
        due = time.monotonic() + (interval * number / self.threads)
        with httpx.Client(base_url=self.base_url, timeout=self.timeout) as client:
            index = offset
            while not self._stop.is_set():
                if interval:
                    wait = due - time.monotonic()
                    if wait > 0 and self._stop.wait(wait):
                        return
                    due += interval
                path = self.paths[index % len(self.paths)]
                index += 1
                self._keep(self._get(client, path))

    def _get(self, client: httpx.Client, path: str) -> Answer:
        sent = self.now()
        began = time.perf_counter()
        try:
            response = client.get(path)
        except httpx.HTTPError as error:
            return Answer(sent, time.perf_counter() - began, path, None, None, None, repr(error))
        seconds = time.perf_counter() - began
        block = response.headers.get("x-ledger-block")
        return Answer(
            sent,
            seconds,
            path,
            response.status_code,
            response.headers.get("x-chain-reachable"),
            int(block) if block else None,
            "" if response.status_code == 200 else response.text[:300],
        )

    def _keep(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)


@dataclass
class HealthWatch:
    """Polls GET /health every `interval` seconds on the load's clock; keeps (time, status, body)."""

    base_url: str
    load: Load
    interval: float = 0.25
    seen: list[tuple[float, int | None, dict[str, Any]]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> HealthWatch:
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(40)

    def _watch(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            while not self._stop.is_set():
                at = self.load.now()
                try:
                    response = client.get("/health")
                    body = response.json() if response.status_code == 200 else {"text": response.text[:300]}
                    self.seen.append((at, response.status_code, body))
                except (httpx.HTTPError, ValueError) as error:
                    self.seen.append((at, None, {"error": repr(error)}))
                self._stop.wait(self.interval)

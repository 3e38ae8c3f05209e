"""Replicas of `trust-ledger serve issuer` / `serve verifier` as real processes over one store, and
the OID4VCI pre-authorized flow driven step by step, each step against the replica a test names.
(Fixtures live in the tests' conftest.py; these are the helpers they share.)"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from anvil.devchain import free_port
from api.credentials.keys import SigningKey, read_payload
from api.credentials.proof import create_proof
from api.credentials.sd_jwt import present
from api.local_servers import LocalServers
from tests.support.cli_process import CLI, own_world
from tests.support.waiting import wait_until

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@dataclass
class Replica:
    """One serving process (or a `--workers` pool): its URL, process and log."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def healthy(self) -> bool:
        """Whether /health answers `ok` (its trust data fresh): a dead process is a failure."""
        if self.process.poll() is not None:
            raise AssertionError(f"{self.url} exited: {self.log.read_text()[-3000:]}")
        try:
            answer = httpx.get(self.url + "/health", timeout=10)
        except httpx.TransportError:
            return False
        return answer.status_code == 200 and answer.json().get("status") == "ok"

    def kill(self) -> None:
        """SIGKILL: no clean-up, no goodbye (as a machine dying)."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)


@dataclass
class Replicas:
    """Starts replicas of one module over one store; stops every one it started."""

    chain: Any
    root: Path
    env: dict[str, str]
    started: list[Replica] = field(default_factory=list)

    def start(self, module: str, config: Path, *options: str, name: str, port: int | None = None) -> Replica:
        """`trust-ledger serve <module> CONFIG --port P [options]` with a var directory of its own
        (as another machine has) and the shared store of `env`; waits until /health says ok."""
        port = port or free_port()
        var = self.root / f"var-{name}"
        var.mkdir(parents=True, exist_ok=True)
        log = self.root / f"{name}.log"
        environment = {**own_world(var, TRUST_LEDGER_DEPLOYMENT=str(self.chain.manifest)), **self.env}
        process = subprocess.Popen(
            [*CLI, "serve", module, str(config), "--port", str(port), "--log-format", "text", *options],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=open(log, "wb"),  # noqa: SIM115 - closed with the process
        )
        replica = Replica(f"http://127.0.0.1:{port}", process, log)
        self.started.append(replica)
        wait_until(replica.healthy, 90, what=f"{module} {name} to answer /health ok")
        return replica

    def stop(self) -> None:
        for replica in self.started:
            if replica.process.poll() is None:
                replica.process.terminate()
                try:
                    replica.process.wait(30)
                except subprocess.TimeoutExpired:
                    replica.process.kill()
                    replica.process.wait(30)


@contextmanager
def replicas(chain: Any, root: Path, env: dict[str, str]) -> Iterator[Replicas]:
    started = Replicas(chain, root, env)
    try:
        yield started
    finally:
        started.stop()


def write_config(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(json.dumps(config), encoding="utf-8")
    path.chmod(0o600)
    return path


class ProxyUnavailable(httpx.TransportError):
    """A reverse proxy's 502, 503 or 504: the replica behind it died under the request (or none
    answered); to the client the same as a connection cut off."""


def reached(response: httpx.Response) -> httpx.Response:
    """`response`, unless it is a proxy's 502/503/504 (raised as ProxyUnavailable, which callers
    retry as a transport error)."""
    if response.status_code in (502, 503, 504):
        raise ProxyUnavailable(f"{response.status_code} from {response.request.url}: {response.text[:200]}")
    return response


@dataclass
class Holder:
    """The wallet side of one OID4VCI flow, step by step: each step names the replica it asks."""

    issuer_id: str  # the Credential Issuer Identifier (base_url): what the proofs' aud names
    key: SigningKey = field(default_factory=lambda: SigningKey.generate("P-256"))
    code: str | None = None
    access_token: str | None = None

    def fetch_offer(self, replica_url: str, deep_link: str) -> dict[str, Any]:
        """GET the offer behind the deep link's credential_offer_uri, from `replica_url`."""
        (uri,) = parse_qs(urlsplit(deep_link).query)["credential_offer_uri"]
        answer = reached(httpx.get(replica_url + urlsplit(uri).path, timeout=30))
        assert answer.status_code == 200, answer.text
        offer = answer.json()
        self.code = offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
        return offer

    def token(self, replica_url: str) -> httpx.Response:
        form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": self.code or ""}
        answer = reached(httpx.post(replica_url + "/token", data=form, timeout=30))
        if answer.status_code == 200:
            self.access_token = answer.json()["access_token"]
        return answer

    def nonce(self, replica_url: str) -> str:
        answer = reached(httpx.post(replica_url + "/nonce", timeout=30))
        assert answer.status_code == 200, answer.text
        return answer.json()["c_nonce"]

    def credential(self, replica_url: str, configuration_id: str, nonce: str) -> httpx.Response:
        proof = create_proof(self.key, audience=self.issuer_id, nonce=nonce)
        return reached(
            httpx.post(
                replica_url + "/credential",
                json={"credential_configuration_id": configuration_id, "proofs": {"jwt": [proof]}},
                headers={"Authorization": f"Bearer {self.access_token}"},
                timeout=60,
            )
        )


RETRIED = (httpx.TransportError,)
"""What a client retries a step after: the replica it reached died (refused, reset, cut off; behind
a proxy, its 502/503/504: ProxyUnavailable)."""


def with_retries(step: Any, tries: int = 20) -> Any:
    """`step()`, again after a transport failure (a replica killed under the request; behind a
    proxy or a worker pool the next connection reaches a live one)."""
    for attempt in range(tries):
        try:
            return step()
        except RETRIED:
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


def issue_with_retries(urls: Any, holder: Holder, deep_link: str, configuration: str) -> tuple[str, str]:
    """The holder's whole flow, each step on `urls()` (the replica to ask next), retrying as a wallet
    does: a step cut off by a dying replica is sent again, a nonce it had spent is replaced by a
    fresh one (invalid_nonce). ("issued", credential), or ("refused", the OAuth error) when the
    dying replica had already done the step whose answer was lost (a spent code or token): a clear
    error, never a 5xx."""
    with_retries(lambda: holder.fetch_offer(urls(), deep_link))
    token = with_retries(lambda: holder.token(urls()))
    if token.status_code != 200:
        assert token.status_code == 400, token.text
        return "refused", token.json()["error_description"]
    for _ in range(5):
        nonce = with_retries(lambda: holder.nonce(urls()))
        answer = with_retries(lambda nonce=nonce: holder.credential(urls(), configuration, nonce))
        if answer.status_code == 200:
            return "issued", answer.json()["credentials"][0]["credential"]
        assert answer.status_code in (400, 401), answer.text
        if answer.json()["error"] != "invalid_nonce":
            return "refused", answer.json()["error_description"]
    raise AssertionError("no fresh nonce was accepted")


class CallbackTarget:
    """A business system's DWVP-02-201 endpoint, served from this process: records every body it
    receives; while `release` is clear, a delivery is held open (no answer) until it is set."""

    def __init__(self, stack: Any) -> None:
        self.received: list[str] = []  # transactionIds, in arrival order
        self.answered: list[str] = []  # ... of the deliveries answered 200
        self.release = threading.Event()
        self.release.set()
        self.held = threading.Event()  # set once a delivery is being held
        app = FastAPI()

        @app.post("/callback")
        async def callback(request: Request) -> JSONResponse:
            transaction_id = (await request.json())["transactionId"]
            self.received.append(transaction_id)
            if not self.release.is_set():
                self.held.set()
                await asyncio.to_thread(self.release.wait, 120)
            self.answered.append(transaction_id)
            return JSONResponse({"code": "0", "message": "SUCCESS"})

        self.url = LocalServers(stack).serve(app) + "/callback"


@dataclass
class ModuleFlows:
    """Whole flows through a proxy in front of issuer and verifier replicas: DWVC-101, the holder's
    OID4VCI steps, DWVP-01-101, the wallet's fetch and answer with the new credential, DWVP-01-201.
    Each request is sent again after a cut connection or the proxy's 502/503/504, as its client
    would. A flow ends "completed" (trusted), "refused" (a clear 4xx or refusal, kept in
    `refusals`) or "unexpected" (anything else, kept in `unexpected`)."""

    issuer: str  # the proxy's URLs, the modules' base URLs
    verifier: str
    issuer_token: str
    verifier_token: str
    fields: list[dict[str, str]]
    outcomes: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    credentials: list[str] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)  # transactionId -> answers accepted (200)
    retries: int = 0
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def run(self) -> str:
        """One whole flow; its outcome (also counted in `outcomes`)."""
        try:
            outcome, detail = self._flow()
        except (AssertionError, httpx.HTTPError, KeyError, ValueError) as error:
            outcome, detail = "unexpected", repr(error)
        with self._guard:
            self.outcomes[outcome] += 1
            if outcome == "refused":
                self.refusals[detail] += 1
            elif outcome == "unexpected":
                self.unexpected.append(detail)
        return outcome

    def _call(self, method: str, url: str, **kwargs: Any) -> tuple[httpx.Response, bool]:
        """The answer to a request sent until one arrives; whether it had to be sent again."""
        for attempt in range(20):
            try:
                return reached(httpx.request(method, url, timeout=60, **kwargs)), attempt > 0
            except httpx.TransportError:
                with self._guard:
                    self.retries += 1
        raise AssertionError(f"{method} {url}: no replica answered 20 times")

    def _flow(self) -> tuple[str, str]:
        offer, _ = self._call(
            "POST",
            self.issuer + "/api/qrcode/data",
            json={"vcUid": "employee", "dataTag": "load", "fields": self.fields},
            headers={"Access-Token": self.issuer_token},
        )
        assert offer.status_code == 200, offer.text
        holder = Holder(self.issuer)
        issued, credential = issue_with_retries(
            lambda: self.issuer, holder, offer.json()["deepLink"], "employee_sd_jwt"
        )
        if issued != "issued":
            return "refused", f"issuance: {credential}"
        with self._guard:
            self.credentials.append(credential)

        transaction_id = str(uuid.uuid4())
        business = {"Access-Token": self.verifier_token}
        link, _ = self._call(
            "GET",
            self.verifier + "/api/oidvp/qrcode",
            params={"ref": "employee", "transactionId": transaction_id},
            headers=business,
        )
        assert link.status_code == 200, link.text
        query = parse_qs(urlsplit(link.json()["authUri"]).query)
        token, _ = self._call("GET", query["request_uri"][0])
        if token.status_code != 200:
            assert 400 <= token.status_code < 500, token.text
            return "refused", f"request object: {token.status_code} {token.text[:100]}"
        claims = read_payload(token.text)
        presentation = present(
            credential, holder=holder.key, audience=query["client_id"][0], nonce=claims["nonce"]
        )
        form = {"state": claims["state"], "vp_token": json.dumps({"employee": [presentation]})}
        answer, again = self._call("POST", claims["response_uri"], data=form)
        if answer.status_code == 200:
            with self._guard:
                self.answers[transaction_id] += 1
        else:  # REPLAYED after a retry: the replica that died had answered it (the result says)
            assert 400 <= answer.status_code < 500, answer.text
            if not (again and "REPLAYED" in answer.text):
                return "refused", f"answer: {answer.status_code} {answer.text[:100]}"
        result, _ = self._call(
            "POST",
            self.verifier + "/api/oidvp/result",
            json={"transactionId": transaction_id},
            headers=business,
        )
        assert result.status_code == 200, result.text
        if not result.json()["verifyResult"]:
            return "refused", "presentation: " + ",".join(r["code"] for r in result.json()["reasons"])
        return "completed", ""

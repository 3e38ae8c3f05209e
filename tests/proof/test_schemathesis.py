"""Malformed input (issue 8): schemathesis against the served resolver, issuer and verifier finds no 5xx.

Each app is served for real (uvicorn on a free port) over a real Anvil chain and live views, as
the issuer and verifier fixtures do: the verifier with its trust hierarchy and status lists on
chain, the resolver over those same views, the issuer registered and accredited with an open
offer. Schemathesis loads the app's own /openapi.json and its engine (the one `st run` drives)
sends every operation the schema examples, the coverage phase's boundary and malformed values and
a bounded number of random examples, valid and invalid; the only check is that no answer is a server
error. Path and query parameters that name something (a DID, a status list, a template, a
transaction) are drawn half of the time from the real ones, so the fuzzing reaches past "not found".
The /api/ routes of the issuer and the verifier need the organisation's Access-Token header: they
are fuzzed with it and again without it (where they must answer 401, never 5xx).

Schemathesis's pytest integration (``schemathesis.pytest.from_fixture``) does not run on pytest 9.2
(it sets ``Item._nodeid``, which pytest 9.2 removed), so each test drives the engine directly and
reports every finding with a curl command that reproduces it. The run is deterministic
(derandomised Hypothesis, no example database on disk); ``PROOF_FUZZ_EXAMPLES`` sets the number of
random examples per operation (default 150: the file takes about two minutes on 2 cores) and
``PROOF_FUZZ_SEED=<n>`` makes a seeded random run instead, to explore beyond the fixed cases.

The regression tests at the end pin the 5xx the fuzzing and the probing around it found.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import schemathesis
import schemathesis.engine
import uvicorn
from schemathesis.engine import events

from anvil.devchain import free_port
from api.credentials.jwt_vc import issue_jwt_vc
from api.credentials.keys import SigningKey
from api.credentials.proof import PROOF_TYP
from api.issuer.metadata import PRE_AUTHORIZED_GRANT
from resolver.app import create_app as create_resolver_app
from tests.support.chain import ROOT_DID
from tests.support.issuer import TOKEN as ISSUER_TOKEN
from tests.support.issuer import RunningIssuer, serve_issuer
from tests.support.verifier import (
    AGENCY,
    EMPLOYEE,
    ISSUER,
    REVOCATION_URI,
    SUBJECT,
    TEMPLATES,
    VERIFIER,
    Request,
    World,
    serve_verifier,
)
from tests.support.verifier import TOKEN as VERIFIER_TOKEN
from tests.support.waiting import wait_until

pytestmark = pytest.mark.proof

EXAMPLES = int(os.environ.get("PROOF_FUZZ_EXAMPLES", "150"))
"""Random examples per operation (the examples and coverage phases add their own, bounded, cases)."""
SEED = os.environ.get("PROOF_FUZZ_SEED")
"""Unset: derandomised, the same cases every run. A number: a seeded random run, to explore further."""

DID_KEY = "did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"


@dataclass
class Run:
    """What one schemathesis run sent and found."""

    expected: set[str] = field(default_factory=set)
    operations: set[str] = field(default_factory=set)
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    findings: list[str] = field(default_factory=list)

    def assert_no_5xx(self) -> None:
        assert self.expected and self.operations == self.expected, sorted(self.expected ^ self.operations)
        assert self.requests > len(self.expected)
        report = "\n\n".join(self.findings)
        assert not self.findings, f"{len(self.findings)} finding(s):\n\n{report}"
        assert not [status for status in self.statuses if status >= 500], self.statuses


def _config(headers: dict[str, str], known: dict[str, list[Any]]) -> schemathesis.Config:
    """Only the not_a_server_error check; `known` maps ``location.name`` to real values, each drawn
    for half of the generated cases."""
    names = {key: f"known_{i}" for i, key in enumerate(known)}
    seed = {"seed": int(SEED)} if SEED else {}
    return schemathesis.Config.from_dict(
        {
            **seed,
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
            "request-timeout": 30,
            "headers": headers,
            "generation": {"max-examples": EXAMPLES, "deterministic": not SEED, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
            "checks": {"enabled": False, "not_a_server_error": {"enabled": True}},
            "dictionaries": {names[key]: {"values": values} for key, values in known.items()},
            "parameters": {key: {"dictionary": names[key], "probability": 0.5} for key in known},
        }
    )


def fuzz(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    known: dict[str, list[Any]] | None = None,
    only: str | None = None,
) -> Run:
    """Load `url`/openapi.json and run schemathesis's engine over its operations (those whose path
    matches the regular expression `only`, when given)."""
    config = _config(headers or {}, known or {})
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", config=config)
    if only is not None:
        schema = schema.include(path_regex=only)
    run = Run(expected={operation.ok().label for operation in schema.get_all_operations()})
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            _record(run, event.recorder)
        elif isinstance(event, events.NonFatalError):
            run.findings.append(f"{event.label}: error {event.info.format()}")
        elif isinstance(event, events.FatalError):
            run.findings.append(f"fatal: {event.exception!r}")
    return run


def _record(run: Run, recorder: Any) -> None:
    run.operations.add(recorder.label)
    for interaction in recorder.interactions.values():
        run.requests += 1
        if interaction.response is not None:
            run.statuses[interaction.response.status_code] += 1
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.failure_info is None:
                continue
            answer = ""
            interaction = recorder.interactions.get(case_id)
            if interaction is not None and interaction.response is not None:
                body = (interaction.response.content or b"")[:500].decode("utf-8", "replace")
                answer = f"\n  -> HTTP {interaction.response.status_code}: {body}"
            title = check.failure_info.failure.title
            run.findings.append(f"{recorder.label}: {title}\n  {check.failure_info.code_sample}{answer}")


# -- the served apps ---------------------------------------------------------------------------


@contextlib.contextmanager
def _serve(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free port, in a thread; its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 30, what="the app to listen")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture
def world(chain, sqlite_var: Path) -> Iterator[World]:
    with serve_verifier(chain, sqlite_var) as running:
        yield running


@pytest.fixture
def resolver_url(world: World) -> Iterator[str]:
    """The resolver over the live views of the verifier's world (entities, keys, status lists)."""
    with _serve(create_resolver_app(world.service.views, chain_status=world.service.chain_status)) as url:
        yield url


@pytest.fixture
def issuer(chain, sqlite_var: Path) -> Iterator[RunningIssuer]:
    with serve_issuer(chain, sqlite_var) as running:
        yield running


def _issuer_known(issuer: RunningIssuer) -> dict[str, list[Any]]:
    """Real values for the issuer's path parameters: an open offer and its transaction."""
    offer = issuer.offer()
    (offer_uri,) = parse_qs(urlsplit(offer["deepLink"]).query)["credential_offer_uri"]
    return {
        "path.transaction_id": [offer["transactionId"]],
        "path.offer_id": [offer_uri.rsplit("/", 1)[1]],
        "path.credential_type": [EMPLOYEE],
        "path.action": ["revocation", "suspension", "recovery"],
    }


def _verifier_known(world: World) -> dict[str, list[Any]]:
    request = world.open_request()
    return {
        "query.ref": list(TEMPLATES),
        "path.vp_uid": list(TEMPLATES),
        "path.request_id": [request.request_uri.rsplit("/", 1)[1]],
    }


# -- fuzzing -----------------------------------------------------------------------------------


def test_resolver_answers_no_5xx(world: World, resolver_url: str) -> None:
    """Every resolver route, over the views of a real hierarchy."""
    dids = [ISSUER, AGENCY, VERIFIER, ROOT_DID, DID_KEY]
    known = {
        "path.identifier": [*dids, f"{ISSUER}#key-1", f"{ISSUER}?versionId=1"],
        "path.did": dids,
        "query.subtree": dids,
        "path.list_id": sorted(world.lists.values()),
        "query.credentialType": [EMPLOYEE],
    }
    fuzz(resolver_url, known=known).assert_no_5xx()


def test_issuer_answers_no_5xx(issuer: RunningIssuer) -> None:
    """Every issuer route (TW DIW, OID4VCI, status lists) with the organisation's Access-Token."""
    run = fuzz(issuer.url, headers={"Access-Token": ISSUER_TOKEN}, known=_issuer_known(issuer))
    run.assert_no_5xx()


def test_issuer_api_answers_no_5xx_without_access_token(issuer: RunningIssuer) -> None:
    run = fuzz(issuer.url, known=_issuer_known(issuer), only="^/api/")
    run.assert_no_5xx()
    assert run.statuses[401] > 0


def test_verifier_answers_no_5xx(world: World) -> None:
    """Every verifier route (TW DIW DWVP, OID4VP request object and response) with the Access-Token."""
    run = fuzz(world.url, headers={"Access-Token": VERIFIER_TOKEN}, known=_verifier_known(world))
    run.assert_no_5xx()


def test_verifier_api_answers_no_5xx_without_access_token(world: World) -> None:
    run = fuzz(world.url, known=_verifier_known(world), only="^/api/")
    run.assert_no_5xx()
    assert run.statuses[401] > 0


# -- the 5xx found, pinned ---------------------------------------------------------------------


def _b64(data: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


OUT_OF_RANGE = [
    "/v4/issuers?page[after]=%C2%B3",  # "³": str.isdigit() but not int()
    f"/v4/issuers?page[after]={'9' * 40}",
    f"/1.0/trust-list?page={'9' * 40}",  # beyond a 64-bit SQL integer
    "/1.0/trust-list?asOf=%C2%B3",
    f"/1.0/trust-list?asOf={'9' * 40}",
    "/1.0/trust-list?asOf=9999-12-31T23:59:59-14:00",  # past year 9999 in UTC
    f"/1.0/entities/{ISSUER}?asOf=%C2%B3",
    f"/1.0/status-lists/{'9' * 40}",
    f"/1.0/identifiers/{ISSUER}?versionId=%C2%B3",
    f"/1.0/identifiers/{ISSUER}?versionId={'9' * 40}",
    f"/api/did/v1/identifiers/{ISSUER}?versionId={'9' * 40}",
    f"/1.0/identifiers/{ISSUER}?versionTime=0001-01-01T00:00:00%2B14:00",
]
"""Requests that answered 500 (ValueError, OverflowError) before the fixes in resolver/did_syntax.py."""


def test_resolver_refuses_out_of_range_numbers_and_times(resolver_url: str) -> None:
    for path in OUT_OF_RANGE:
        response = httpx.get(resolver_url + path, timeout=30)
        assert response.status_code == 400, (path, response.text)
        assert "INVALID_OPTIONS" in response.text or "invalidOptions" in response.text, (path, response.text)


def test_issuer_refuses_a_proof_with_a_malformed_crit_header(issuer: RunningIssuer) -> None:
    offer = issuer.offer()
    (offer_uri,) = parse_qs(urlsplit(offer["deepLink"]).query)["credential_offer_uri"]
    code = httpx.get(offer_uri, timeout=30).json()["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    token = issuer.api("POST", "/token", data=form).json()["access_token"]
    holder = SigningKey.generate("P-256")
    header = {"typ": PROOF_TYP, "alg": "ES256", "jwk": holder.public_jwk, "crit": 5}
    proof = f"{_b64(header)}.{_b64({'aud': issuer.url, 'iat': issuer.clock()})}.AAAA"
    body = {"credential_configuration_id": "employee_sd_jwt", "proofs": {"jwt": [proof]}}
    response = issuer.api("POST", "/credential", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_proof"


def refused(world: World, request: Request, response: httpx.Response) -> str:
    """The reason code of a presentation the verifier processed and refused: 200 to the wallet with
    {} (OID4VP 1.0 section 8.2) or, for a twdiw template, the oid4vp-handler's nonzero code; the
    refusal in the business result (DWVP-01-201)."""
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer == {} or (isinstance(answer.get("code"), int) and answer["code"] != 0), response.text
    result = world.result(request)
    assert result["verifyResult"] is False, result
    return str(result["reasons"][0]["code"])


def test_verifier_refuses_malformed_presentations_without_5xx(world: World) -> None:
    # a VP-JWT whose header has "crit": 5 (joserfc raised TypeError)
    request = world.open_request("employee_jwt")
    header = {"alg": "ES256", "kid": world.holder_did + "#0", "crit": 5}
    vp = f"{_b64(header)}.{_b64({'iss': world.holder_did, 'vp': {}})}.AAAA"
    assert refused(world, request, world.post_vp(request, vp))
    # Presentation Exchange paths "$[³]" and "$[<5,000 digits>]" (int() raised ValueError)
    for path in ("$[³]", f"$[{'9' * 5000}]"):
        request = world.open_request("employee_tw")
        submission = json.dumps({"descriptor_map": [{"id": "employee", "path": path}]})
        response = world.post(request, vp_token='["x"]', presentation_submission=submission)
        assert refused(world, request, response)
    # an issuer-signed credential whose statusListIndex is "³"
    credential = issue_jwt_vc(
        world.issuer_key,
        holder_did=world.holder_did,
        types=[EMPLOYEE],
        credential_subject=SUBJECT,
        expires_at=world.clock() + 3600,
        credential_status={"statusListCredential": REVOCATION_URI, "statusListIndex": "³"},
    )
    request = world.open_request("employee_jwt")
    response = world.post_vp(request, world.vp_jwt(credential, request))
    assert refused(world, request, response) == "STATUS_UNKNOWN"

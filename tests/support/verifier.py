"""Helpers of the verifier tests (their fixtures are in tests/verifier/conftest.py)."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from anvil.accounts import dev_account
from anvil.devchain import free_port
from api.credentials.dids import holder_did
from api.credentials.jwt_vc import create_vp_jwt, issue_jwt_vc
from api.credentials.keys import SigningKey, read_payload
from api.credentials.sd_jwt import issue_sd_jwt_vc, issue_twdiw_sd_jwt, present
from api.credentials.status import bitstring_status_entry, status_list_2021_pair, token_status_reference
from api.local_servers import LocalServers
from api.verifier.app import create_app
from api.verifier.config import VerifierConfig
from api.verifier.context import VerifierContext
from api.verifier.trust_source import ViewsTrustSource
from api.verifier.wiring import open_verifier
from projections.service import LedgerService
from tests.support.issuer import Clock
from tests.support.waiting import wait_until
from trust_ledger.chain.follower import default_horizon
from trust_ledger.chain.gateway import TrustGateway

AGENCY = "did:web:agency.verifier.test"
ISSUER = "did:web:acme.verifier.test"
VERIFIER = "did:web:portal.verifier.test"
TARGET = "did:web:service.verifier.test"
EMPLOYEE = "EmployeeCredential"
TOKEN = "verifier-backend-token-0123456789"
REVOCATION_URI = f"https://acme.verifier.test/status/{EMPLOYEE}/r0"
SUSPENSION_URI = f"https://acme.verifier.test/status/{EMPLOYEE}/s0"
SUBJECT = {"name": "林美", "employee_no": "E-042"}
TEMPLATES: dict[str, dict[str, Any]] = {
    "employee": {
        "name": "Employee check",
        "credentials": [
            {
                "id": "employee",
                "type": EMPLOYEE,
                "claims": [{"ename": "name", "cname": "姓名"}, {"ename": "employee_no", "cname": "員工編號"}],
            }
        ],
    },
    "employee_jwt": {"credentials": [{"id": "employee", "type": EMPLOYEE, "format": "jwt_vc_json"}]},
    "employee_tw": {
        "profile": "twdiw",
        "credentials": [
            {"id": "employee", "type": EMPLOYEE, "format": "vc+sd-jwt", "claims": [{"ename": "name"}]}
        ],
    },
    "badge": {"credentials": [{"id": "badge", "type": "VisitorBadge"}]},
    "login": {
        "siop": True,
        "credentials": [{"id": "employee", "type": EMPLOYEE}],
        "access_token": {"audience": TARGET},
    },
}


@dataclass
class Request:
    """An open presentation request as the wallet sees it."""

    transaction_id: str
    auth_uri: str
    client_id: str
    request_uri: str
    claims: dict[str, Any]
    token: str = ""
    """The request object as fetched (it is served once)."""
    media_type: str = ""

    @property
    def nonce(self) -> str:
        return self.claims["nonce"]

    @property
    def state(self) -> str:
        return self.claims["state"]


@dataclass
class World:
    """The hierarchy on chain, the served verifier, and helpers to craft presentations."""

    chain: Any
    service: LedgerService
    url: str
    ctx: VerifierContext
    issuer_key: SigningKey
    verifier_key: SigningKey
    lists: dict[str, int]
    clock: Clock
    holder: SigningKey = field(default_factory=lambda: SigningKey.generate())
    headers: dict[str, str] = field(default_factory=lambda: {"Access-Token": TOKEN})
    _next_index: int = 0
    holder_method: str = "jwk"
    """The holder's DID method (``api.credentials.dids.holder_did``): ``jwk``, or ``key:jwk_jcs-pub``
    (the TW DIW app's did:key)."""

    # -- chain ------------------------------------------------------------------------------

    def wait_for_block(self, block: int) -> None:
        """Wait on the views' tracked chain position (no sleeping on guesses)."""
        wait_until(
            lambda: (self.service.views.freshness().block_number or -1) >= block,
            60,
            what=f"the verifier's views to reach block {block}",
        )

    def on_chain(self, signer: str, action: str, *args: Any, **kwargs: Any) -> Any:
        """Send a gateway call as `signer` and wait until the views hold it."""
        result = getattr(self.chain.gateway(signer), action)(*args, **kwargs)
        tx = result[1] if isinstance(result, tuple) else result
        self.wait_for_block(tx.block_number)
        return result

    def key_added_at(self, key_id: str = "key-1") -> int:
        """Block time at which the issuer's key was registered."""
        version = self.service.views.entity_version(ISSUER)
        assert version is not None
        added_at = version.state.keys[key_id].added_at
        assert added_at is not None
        return added_at

    def new_index(self) -> int:
        self._next_index += 1
        return self._next_index

    # -- credentials -------------------------------------------------------------------------

    @property
    def holder_did(self) -> str:
        return holder_did(self.holder.public_jwk, self.holder_method)[0]

    def sd_jwt(
        self,
        *,
        index: int | None = None,
        key: SigningKey | None = None,
        vct: str = EMPLOYEE,
        claims: dict[str, Any] | None = None,
        issued_at: int | None = None,
        expires_at: int | None = None,
        holder: SigningKey | None = None,
        issuer: str = ISSUER,
        status_uri: str = REVOCATION_URI,
    ) -> str:
        """A dc+sd-jwt credential by the issuer, bound to the holder, status on the revocation list."""
        now = int(time.time())
        return issue_sd_jwt_vc(
            key or self.issuer_key,
            vct=vct,
            claims=claims or SUBJECT,
            holder_jwk=(holder or self.holder).public_jwk,
            issued_at=issued_at,
            expires_at=expires_at or now + 3600,
            status=token_status_reference(self.new_index() if index is None else index, status_uri),
            issuer_id=issuer,
        ).sd_jwt

    def present_sd_jwt(
        self, credential: str, request: Request, *, holder: SigningKey | None = None, **overrides: Any
    ) -> str:
        return present(
            credential,
            holder=holder or self.holder,
            audience=overrides.get("audience", request.client_id),
            nonce=overrides.get("nonce", request.nonce),
        )

    def jwt_vc(self, *, index: int | None = None, types: tuple[str, ...] = (EMPLOYEE,)) -> str:
        idx = self.new_index() if index is None else index
        return issue_jwt_vc(
            self.issuer_key,
            holder_did=self.holder_did,
            types=list(types),
            credential_subject=SUBJECT,
            expires_at=int(time.time()) + 3600,
            credential_status=[
                bitstring_status_entry(idx, REVOCATION_URI, "revocation"),
                bitstring_status_entry(idx, SUSPENSION_URI, "suspension"),
            ],
        )

    def vp_jwt(self, credential: str, request: Request) -> str:
        did, kid = holder_did(self.holder.public_jwk, self.holder_method)
        holder = SigningKey.from_jwk(self.holder.private_jwk(), did=did, key_id=kid.partition("#")[2])
        return create_vp_jwt(holder, [credential], audience=request.client_id, nonce=request.nonce)

    def twdiw(self, *, index: int | None = None) -> str:
        idx = self.new_index() if index is None else index
        return issue_twdiw_sd_jwt(
            self.issuer_key,
            credential_type=EMPLOYEE,
            credential_subject=SUBJECT,
            holder_did=self.holder_did,
            holder_jwk=self.holder.public_jwk,
            jti=f"https://acme.verifier.test/api/credential/{idx}",
            credential_status=status_list_2021_pair(idx, REVOCATION_URI, SUSPENSION_URI),
            credential_schema={"id": "https://acme.verifier.test/api/schema/employee", "type": "JsonSchema"},
            expires_at=int(time.time()) + 3600,
        ).sd_jwt

    def id_token(self, request: Request, *, holder: SigningKey | None = None, **overrides: Any) -> str:
        key = holder or self.holder
        did = holder_did(key.public_jwk, "jwk")[0]
        signer = SigningKey.from_jwk(key.private_jwk(), did=did, key_id="0")
        now = int(time.time())
        claims = {
            "iss": did,
            "sub": did,
            "aud": request.client_id,
            "nonce": request.nonce,
            "iat": now,
            "exp": now + 300,
        }
        return signer.sign({**claims, **overrides}, {"typ": "JWT"})

    # -- HTTP --------------------------------------------------------------------------------

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return httpx.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

    def open_link(self, ref: str = "employee", transaction_id: str | None = None, **params: str) -> Request:
        """DWVP-01-101 only: the link of a new request, its request object not fetched yet."""
        transaction_id = transaction_id or str(uuid.uuid4())
        response = self.api(
            "GET", "/api/oidvp/qrcode", params={"ref": ref, "transactionId": transaction_id, **params}
        )
        assert response.status_code == 200, response.text
        auth_uri = response.json()["authUri"]
        query = parse_qs(urlparse(auth_uri).query)
        return Request(transaction_id, auth_uri, query["client_id"][0], query["request_uri"][0], {})

    def open_request(
        self, ref: str = "employee", transaction_id: str | None = None, **params: str
    ) -> Request:
        """DWVP-01-101, then fetch and decode the request object as a wallet would."""
        return self.fetch(self.open_link(ref, transaction_id, **params))

    def fetch(self, link: Request) -> Request:
        """Fetch the request object behind `link` (once: it is served once)."""
        token = httpx.get(link.request_uri, timeout=30)
        assert token.status_code == 200, token.text
        return Request(
            link.transaction_id,
            link.auth_uri,
            link.client_id,
            link.request_uri,
            read_payload(token.text),
            token.text,
            token.headers["content-type"],
        )

    def post(self, request: Request, **form: str) -> httpx.Response:
        """The wallet's direct_post to the response URI."""
        return httpx.post(request.claims["response_uri"], data={"state": request.state, **form}, timeout=60)

    def post_vp(
        self, request: Request, presentation: str, query_id: str = "employee", **form: str
    ) -> httpx.Response:
        return self.post(request, vp_token=json.dumps({query_id: [presentation]}), **form)

    def read_result(self, request: Request, response_code: str | None = None) -> httpx.Response:
        """DWVP-01-201 as the business system calls it (``responseCode`` for a same-device one)."""
        body = {"transactionId": request.transaction_id}
        if response_code is not None:
            body["responseCode"] = response_code
        return self.api("POST", "/api/oidvp/result", json=body)

    def result(self, request: Request, response_code: str | None = None) -> dict[str, Any]:
        response = self.read_result(request, response_code)
        assert response.status_code == 200, response.text
        return response.json()


def build_hierarchy(
    chain: Any, issuer_key: SigningKey, verifier_key: SigningKey
) -> tuple[dict[str, int], int]:
    """root -> agency (dev1) -> acme (dev2), accredited for EmployeeCredential with roles on TARGET;
    root -> portal (dev3), the verifier; acme's assertion key and two status lists."""
    anchor, agency, acme = chain.gateway("anchor"), chain.gateway("dev1"), chain.gateway("dev2")
    anchor.register("root", "agency", AGENCY, dev_account("dev1").address)
    anchor.accredit(AGENCY, EMPLOYEE, [(TARGET, ["reader", "writer"])])
    agency.register(AGENCY, "acme", ISSUER, dev_account("dev2").address)
    agency.accredit(ISSUER, EMPLOYEE, [(TARGET, ["reader"])])
    acme.add_key(
        ISSUER, "key-1", "JsonWebKey2020", json.dumps(issuer_key.public_jwk).encode(), ["assertionMethod"]
    )
    revocation, _ = acme.create_status_list(ISSUER, "revocation", REVOCATION_URI, 1024)
    suspension, _ = acme.create_status_list(ISSUER, "suspension", SUSPENSION_URI, 1024)
    return {"revocation": revocation, "suspension": suspension}, register_verifier(chain, verifier_key)


def register_verifier(chain: Any, key: SigningKey, label: str = "portal", account: str = "dev3") -> int:
    """The verifier's entity under the root with an authentication + assertion key; its block."""
    assert key.did is not None
    chain.gateway("anchor").register("root", label, key.did, dev_account(account).address)
    result = chain.gateway(account).add_key(
        key.did,
        key.key_id,
        "JsonWebKey2020",
        json.dumps(key.public_jwk).encode(),
        ["authentication", "assertionMethod"],
    )
    return result.block_number


@contextlib.contextmanager
def verifier_app(
    service: LedgerService,
    key: SigningKey,
    var: Path,
    templates: dict[str, Any],
    clock: Any = None,
    **overrides: Any,
) -> Iterator[tuple[str, VerifierContext]]:
    """Serve a verifier for `key`'s DID over `service`'s views; yields its URL and context."""
    port = free_port()
    config = VerifierConfig.model_validate(
        {
            "did": key.did,
            "base_url": f"http://127.0.0.1:{port}",
            "signing_key": {"key_id": key.key_id, "jwk": key.private_jwk()},
            "templates": templates,
            "access_tokens": [TOKEN],
            "var_dir": str(var),
            **overrides,
        }
    )
    ctx = open_verifier(config, ViewsTrustSource(service.views), clock=clock)
    with contextlib.ExitStack() as stack:
        stack.callback(ctx.close)
        url = LocalServers(stack).serve(create_app(ctx), port)
        yield url, ctx


@contextlib.contextmanager
def serve_verifier(
    chain: Any, var: Path, reader: TrustGateway | None = None, **overrides: Any
) -> Iterator[World]:
    """The verifier world on `chain`; its follower reads the chain through `reader` (default: a
    gateway on the chain itself; a test puts a switchable proxy in between)."""
    issuer_key = SigningKey.generate(did=ISSUER, key_id="key-1")
    verifier_key = SigningKey.generate(did=VERIFIER, key_id="key-1")
    lists, setup_block = build_hierarchy(chain, issuer_key, verifier_key)
    service = LedgerService.open(
        reader or chain.gateway(None), default_horizon(chain.deployment.chain_id), poll_interval=0.05
    )
    service.start()
    clock = Clock()
    try:
        with verifier_app(service, verifier_key, var, TEMPLATES, clock, **overrides) as (url, ctx):
            world = World(chain, service, url, ctx, issuer_key, verifier_key, lists, clock)
            world.wait_for_block(setup_block)
            yield world
    finally:
        service.stop()

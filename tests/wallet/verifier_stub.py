"""The verifier side for the wallet's presentation tests, over real HTTP.

``StubVerifier`` serves request objects made by the verifier's own code (``api.verifier.requests``)
at ``/oidvp/request/{id}`` and records what the wallet posts to ``/oidvp/response``; a test may
serve a tampered token instead. ``serve_ledger`` registers verifier entities on the Anvil chain and
serves the real resolver over the views a ``LedgerService`` keeps following that chain.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from anvil.accounts import dev_account
from anvil.devchain import free_port
from api.credentials.keys import SigningKey, read_payload
from api.verifier.config import VerifierConfig, VerifierTemplate
from api.verifier.requests import authorization_uri, request_object
from api.verifier.sessions import Session
from projections.service import LedgerService
from resolver.app import create_app as create_resolver
from tests.support.waiting import wait_until
from tests.wallet.issuer_stub import VCT
from trust_ledger.chain.follower import default_horizon

VERIFIER_DID = "did:web:verifier.test"
TOKEN = "verifier-access-token-0123456789"
TEMPLATES: dict[str, dict[str, Any]] = {
    "person": {
        "name": "Age check",
        "credentials": [
            {
                "id": "person",
                "type": "PersonCredential",
                "vct_values": [VCT],
                "claims": [{"ename": "given_name"}],
            }
        ],
    },
    "degree": {
        "credentials": [
            {
                "id": "degree",
                "type": "UniversityDegreeCredential",
                "format": "jwt_vc_json",
                "claims": [{"ename": "degree"}],
            }
        ]
    },
    "both": {
        "credentials": [
            {
                "id": "person",
                "type": "PersonCredential",
                "vct_values": [VCT],
                "claims": [{"ename": "family_name"}],
            },
            {"id": "degree", "type": "UniversityDegreeCredential", "format": "jwt_vc_json"},
        ]
    },
    "login": {
        "siop": True,
        "credentials": [
            {
                "id": "person",
                "type": "PersonCredential",
                "vct_values": [VCT],
                "claims": [{"ename": "given_name"}],
            }
        ],
    },
    "twperson": {
        "profile": "twdiw",
        "credentials": [
            {
                "id": "person",
                "type": "PersonCredential",
                "format": "vc+sd-jwt",
                "vct_values": [VCT],
                "claims": [{"ename": "given_name"}, {"ename": "birthdate"}],
            }
        ],
    },
    "licence": {
        "credentials": [
            {"id": "licence", "type": "DrivingLicence", "claims": [{"ename": "licence_no"}]},
        ]
    },
}


@dataclass
class StubVerifier:
    """A verifier's request and response endpoints: ``fetches`` holds the headers of every request
    object fetch, ``received`` every posted form; ``answer`` replaces the default 200 answer."""

    base: str
    config: VerifierConfig
    key: SigningKey
    sessions: dict[str, Session] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    fetches: list[dict[str, str]] = field(default_factory=list)
    received: list[dict[str, str]] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    answer: tuple[int, dict[str, Any]] | None = None

    def request(self, template_ref: str, *, ttl: int = 300) -> tuple[str, Session]:
        """A fresh presentation request: its deep link and session."""
        now = int(time.time())
        session = Session(
            transaction_id=str(uuid.uuid4()),
            template_ref=template_ref,
            request_id=uuid.uuid4().hex,
            state=secrets.token_urlsafe(16),
            nonce=secrets.token_urlsafe(16),
            callback=False,
            created_at=now,
            expires_at=now + ttl,
            answered_at=None,
            result=None,
        )
        self.sessions[session.request_id] = session
        return authorization_uri(self.config, self.template(template_ref), session), session

    def template(self, ref: str) -> VerifierTemplate:
        return self.config.templates[ref]

    @property
    def response_uri(self) -> str:
        return f"{self.base}/oidvp/response"

    def signed(self, session: Session, key: SigningKey | None = None) -> str:
        """The request object as the verifier makes it (signed with ``key``, default its own)."""
        template = self.template(session.template_ref)
        return request_object(self.config, key or self.key, template, session, int(time.time()))

    def claims(self, session: Session) -> dict[str, Any]:
        """The claims of the request object the verifier would serve."""
        return read_payload(self.signed(session))

    def serve_instead(self, session: Session, token: str) -> None:
        """Serve ``token`` at this session's request_uri."""
        self.tokens[session.request_id] = token

    def build(self) -> FastAPI:
        app = FastAPI()

        @app.get("/oidvp/request/{request_id}")
        def request_object_endpoint(request_id: str, request: Request) -> Response:
            self.fetches.append(dict(request.headers))
            session = self.sessions.get(request_id)
            if session is None:
                return JSONResponse({"error": "invalid_request_uri"}, 404)
            token = self.tokens.get(request_id) or self.signed(session)
            return Response(token, media_type="application/oauth-authz-req+jwt")

        @app.get("/oidvp/moved/{request_id}")
        def moved(request_id: str) -> Response:
            return RedirectResponse(f"{self.base}/oidvp/request/{request_id}", 302)

        @app.post("/oidvp/response")
        async def response(request: Request) -> Response:
            self.content_types.append(request.headers.get("content-type", ""))
            form = parse_qs((await request.body()).decode(), keep_blank_values=True)
            self.received.append({name: values[0] for name, values in form.items()})
            if self.answer is not None:
                return JSONResponse(self.answer[1], self.answer[0])
            return JSONResponse(
                {"redirect_uri": f"{self.base}/done#response_code={secrets.token_urlsafe(8)}"}
            )

        return app


def verifier_config(base: str, did: str, key: SigningKey) -> VerifierConfig:
    return VerifierConfig.model_validate(
        {
            "did": did,
            "base_url": base,
            "signing_key": {"key_id": key.key_id, "jwk": key.private_jwk()},
            "templates": TEMPLATES,
            "access_tokens": [TOKEN],
        }
    )


@contextmanager
def serve(app: FastAPI, what: str, port: int | None = None) -> Iterator[str]:
    """``app`` on a (free) loopback port, in a thread: its base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive(), 30, what=f"{what} to listen")
        assert server.started, f"{what} did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@contextmanager
def running_verifier(did: str, key: SigningKey) -> Iterator[StubVerifier]:
    """A stub verifier for ``did`` signing with ``key``."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    verifier = StubVerifier(base, verifier_config(base, did, key), key)
    with serve(verifier.build(), "the stub verifier", port):
        yield verifier


@dataclass
class Ledger:
    """The chain, the views following it, and the resolver serving them."""

    chain: Any
    service: LedgerService
    resolver_url: str

    def wait_for_block(self, block: int) -> None:
        wait_until(
            lambda: (self.service.views.freshness().block_number or -1) >= block,
            60,
            what=f"the views to reach block {block}",
        )

    def register_verifier(self, did: str, key: SigningKey, purposes: list[str]) -> None:
        """root -> ``did`` (controlled by dev1) with ``key`` for ``purposes``; waits for the views."""
        self.chain.gateway("anchor").register(
            "root", did.rsplit(":", 1)[-1].replace(".", "-"), did, dev_account("dev1").address
        )
        self.add_key(did, key, purposes)

    def add_key(self, did: str, key: SigningKey, purposes: list[str]) -> None:
        result = self.chain.gateway("dev1").add_key(
            did, key.key_id, "JsonWebKey2020", json.dumps(key.public_jwk).encode(), purposes
        )
        self.wait_for_block(result.block_number)

    def set_status(self, did: str, status: str) -> None:
        self.wait_for_block(self.chain.gateway("anchor").set_status(did, status).block_number)


@contextmanager
def serve_ledger(chain: Any) -> Iterator[Ledger]:
    """A LedgerService following ``chain`` (stores from the environment) and the resolver over its views."""
    service = LedgerService.open(
        chain.gateway(None), default_horizon(chain.deployment.chain_id), poll_interval=0.05
    )
    service.start()
    try:
        app = create_resolver(service.views, chain_status=service.chain_status)
        with serve(app, "the resolver") as url:
            yield Ledger(chain, service, url)
    finally:
        service.stop()

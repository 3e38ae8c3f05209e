"""A small, spec-faithful OID4VCI issuer for the wallet tests (FastAPI, served over real HTTP).

Profile ``final`` (OID4VCI 1.0): metadata at the path-inserted well-known URL, RFC 8414 AS
metadata, a nonce endpoint, ``proofs`` requests, ``credentials`` responses, dc+sd-jwt.
Profile ``twdiw`` (pre-final, as TW DIW): metadata appended to the issuer path, ``token_endpoint``
in it, ``c_nonce`` in the token response, ``proof`` requests, ``credential`` responses, vc+sd-jwt.
Every key proof is validated with ``api.credentials.proof.validate_proof``.
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
from urllib.parse import parse_qs, quote, urlencode

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from anvil.devchain import free_port
from api.credentials.dids import did_jwk
from api.credentials.jwt_vc import issue_jwt_vc
from api.credentials.keys import SigningKey
from api.credentials.proof import ProofError, ValidatedProof, validate_proof
from api.credentials.sd_jwt import issue_sd_jwt_vc, issue_twdiw_sd_jwt
from api.credentials.status import status_list_2021_pair
from tests.support.waiting import wait_until

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
ISSUER_PATH = "/issuer"
VCT = "https://issuer.test/vct/person"
PERSON = {"given_name": "Mei", "family_name": "Lin", "birthdate": "1990-01-01"}
DEGREE = {"degree": {"type": "BachelorDegree", "name": "BSc Computer Science"}}
ALGS = ["ES256", "ES256K", "EdDSA"]
NO_STORE = {"Cache-Control": "no-store"}


@dataclass
class StubOptions:
    """How the stub behaves."""

    profile: str = "final"
    nonce_endpoint: bool = True
    token_c_nonce: bool = False
    binding_methods: list[str] = field(default_factory=lambda: ["jwk", "did:jwk", "did:key"])
    expire_nonces: int = 0
    """Let the nonces expire before the next N credential requests (-> invalid_nonce)."""
    credential_identifiers: bool = False
    deny: bool = False
    deny_configs: list[str] = field(default_factory=list)
    bind_to_other_key: bool = False


@dataclass
class Grant:
    config_ids: list[str]
    tx_code: str | None
    used: bool = False


@dataclass
class Token:
    grant: Grant
    c_nonce: str | None
    identifiers: dict[str, str] = field(default_factory=dict)


def oauth_error(error: str, description: str, status: int = 400, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description, **extra}, status, headers=NO_STORE)


class StubIssuer:
    """The issuer's state and its FastAPI app; ``issuer_id`` is ``<base>/issuer``."""

    def __init__(self, base: str, options: StubOptions) -> None:
        self.base = base
        self.options = options
        self.issuer_id = base + ISSUER_PATH
        self.key = SigningKey.generate("P-256", did="did:web:issuer.test", key_id="key-1")
        self.grants: dict[str, Grant] = {}
        self.tokens: dict[str, Token] = {}
        self.offers: dict[str, dict[str, Any]] = {}
        self.nonces: set[str] = set()
        self.requests: list[dict[str, Any]] = []
        self.proofs: list[ValidatedProof] = []
        self.notifications: list[dict[str, Any]] = []
        self.app = self._build()

    # --- test helpers ------------------------------------------------------------------------

    @property
    def twdiw(self) -> bool:
        return self.options.profile == "twdiw"

    @property
    def prefinal(self) -> bool:
        """c_nonce in the token and credential responses, ``proof`` in requests (pre-1.0 drafts)."""
        return self.twdiw or self.options.token_c_nonce

    def configurations(self) -> dict[str, dict[str, Any]]:
        binding = {
            "cryptographic_binding_methods_supported": self.options.binding_methods,
            "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ALGS}},
        }
        sd_format = "vc+sd-jwt" if self.twdiw else "dc+sd-jwt"
        return {
            "Person": {"format": sd_format, "vct": VCT, **binding},
            "Degree": {
                "format": "jwt_vc_json",
                "credential_definition": {"type": ["VerifiableCredential", "UniversityDegreeCredential"]},
                **binding,
            },
            "Licence": {"format": "mso_mdoc", "doctype": "org.iso.18013.5.1.mDL", **binding},
        }

    def offer(
        self,
        *config_ids: str,
        tx_code: str | None = None,
        tx_code_spec: dict[str, Any] | None = None,
        by_reference: bool = False,
        scheme: str = "openid-credential-offer://",
    ) -> str:
        """A fresh offer link (new single-use pre-authorized code)."""
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(list(config_ids or ["Person"]), tx_code)
        grant: dict[str, Any] = {"pre-authorized_code": code}
        if tx_code is not None:
            grant["tx_code"] = tx_code_spec or {"input_mode": "numeric", "length": len(tx_code)}
        offer = {
            "credential_issuer": self.issuer_id,
            "credential_configuration_ids": list(config_ids or ["Person"]),
            "grants": {PRE_AUTH: grant},
        }
        if by_reference:
            offer_id = uuid.uuid4().hex
            self.offers[offer_id] = offer
            query = urlencode({"credential_offer_uri": f"{self.issuer_id}/offers/{offer_id}"})
        else:
            query = "credential_offer=" + quote(json.dumps(offer))
        return f"{scheme}?{query}"

    # --- endpoints ---------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "credential_issuer": self.issuer_id,
            "credential_endpoint": f"{self.issuer_id}/credential",
            "credential_configurations_supported": self.configurations(),
            "display": [{"name": "Stub issuer", "locale": "en"}],
        }
        if self.twdiw:
            data["token_endpoint"] = f"{self.issuer_id}/token"
        else:
            data["notification_endpoint"] = f"{self.issuer_id}/notification"
            if self.options.nonce_endpoint:
                data["nonce_endpoint"] = f"{self.issuer_id}/nonce"
        return data

    def _new_nonce(self) -> str:
        nonce = secrets.token_urlsafe(16)
        self.nonces.add(nonce)
        return nonce

    def _take_nonce(self, nonce: str) -> bool:
        if nonce in self.nonces:
            self.nonces.discard(nonce)
            return True
        return False

    def token(self, form: dict[str, str]) -> JSONResponse:
        if form.get("grant_type") != PRE_AUTH:
            return oauth_error("unsupported_grant_type", "only the pre-authorized code grant")
        grant = self.grants.get(form.get("pre-authorized_code", ""))
        if grant is None or grant.used:
            return oauth_error("invalid_grant", "unknown or already used pre-authorized code")
        if grant.tx_code is None and "tx_code" in form:
            return oauth_error("invalid_request", "tx_code was not expected")
        if grant.tx_code is not None:
            if "tx_code" not in form:
                return oauth_error("invalid_request", "tx_code is required")
            if form["tx_code"] != grant.tx_code:
                return oauth_error("invalid_grant", "wrong transaction code")
        grant.used = True
        access_token = secrets.token_urlsafe(24)
        c_nonce = self._new_nonce() if self.twdiw or self.options.token_c_nonce else None
        token = Token(grant, c_nonce)
        self.tokens[access_token] = token
        body: dict[str, Any] = {"access_token": access_token, "token_type": "Bearer", "expires_in": 300}
        if c_nonce is not None:
            body.update(c_nonce=c_nonce, c_nonce_expires_in=300)
        if self.options.credential_identifiers:
            details = []
            for config_id in grant.config_ids:
                identifier = f"{config_id}-{uuid.uuid4().hex[:8]}"
                token.identifiers[identifier] = config_id
                details.append(
                    {
                        "type": "openid_credential",
                        "credential_configuration_id": config_id,
                        "credential_identifiers": [identifier],
                    }
                )
            body["authorization_details"] = details
        return JSONResponse(body, headers=NO_STORE)

    def credential(self, authorization: str, body: dict[str, Any]) -> Response:
        token = self.tokens.get(authorization.removeprefix("Bearer "))
        if not authorization.startswith("Bearer ") or token is None:
            return Response(
                status_code=401,
                headers={
                    "WWW-Authenticate": 'Bearer error="invalid_token", error_description="unknown token"'
                },
            )
        self.requests.append(body)
        config_id, refused = self._configuration(token, body)
        if refused is not None:
            return refused
        proof_jwt, refused = self._proof_jwt(body)
        if refused is not None:
            return refused
        if self.options.expire_nonces > 0:
            self.options.expire_nonces -= 1
            self.nonces.clear()
        expected = self._expected_nonce(token)
        try:
            proof = validate_proof(proof_jwt, issuer_id=self.issuer_id, nonce=expected, allowed_algs=ALGS)
        except ProofError as exc:
            extra = {"c_nonce": self._new_nonce()} if self.prefinal else {}
            if self.prefinal:
                token.c_nonce = extra["c_nonce"]
            return oauth_error(exc.oauth_error, str(exc), **extra)
        self.proofs.append(proof)
        method = "jwk" if proof.holder_did is None else ":".join(proof.holder_did.split(":")[:2])
        if method not in self.options.binding_methods:
            return oauth_error("invalid_proof", f"binding method {method} is not supported")
        if self.options.deny or config_id in self.options.deny_configs:
            return oauth_error("credential_request_denied", "the holder is not eligible")
        credential = self._issue(config_id, proof)
        if self.twdiw:
            answer: dict[str, Any] = {"credential": credential}
        else:
            answer = {"credentials": [{"credential": credential}], "notification_id": uuid.uuid4().hex}
        if self.prefinal:
            token.c_nonce = self._new_nonce()
            answer.update(c_nonce=token.c_nonce, c_nonce_expires_in=300)
        return JSONResponse(answer, headers=NO_STORE)

    def _configuration(self, token: Token, body: dict[str, Any]) -> tuple[str, JSONResponse | None]:
        if "credential_identifier" in body and "credential_configuration_id" in body:
            return "", oauth_error("invalid_credential_request", "identifier and configuration id together")
        if token.identifiers:
            config_id = token.identifiers.get(body.get("credential_identifier", ""))
            if config_id is None:
                return "", oauth_error("unknown_credential_identifier", "use a credential_identifier")
            return config_id, None
        config_id = body.get("credential_configuration_id", "")
        if config_id not in token.grant.config_ids:
            return "", oauth_error("unknown_credential_configuration", f"{config_id!r} was not offered")
        if self.twdiw and body.get("format") != self.configurations()[config_id]["format"]:
            return "", oauth_error("invalid_credential_request", "format missing or wrong")
        return config_id, None

    def _proof_jwt(self, body: dict[str, Any]) -> tuple[str, JSONResponse | None]:
        if self.prefinal:
            proof = body.get("proof")
            if "proofs" in body or not isinstance(proof, dict) or proof.get("proof_type") != "jwt":
                return "", oauth_error("invalid_credential_request", "a jwt proof is required")
            return proof.get("jwt", ""), None
        proofs = body.get("proofs")
        if "proof" in body or not isinstance(proofs, dict) or list(proofs) != ["jwt"]:
            return "", oauth_error("invalid_credential_request", "proofs must be {jwt: [...]}")
        if not isinstance(proofs["jwt"], list) or len(proofs["jwt"]) != 1:
            return "", oauth_error("invalid_credential_request", "exactly one jwt proof")
        return proofs["jwt"][0], None

    def _expected_nonce(self, token: Token) -> Any:
        if self.prefinal:
            current = token.c_nonce
            return lambda nonce: nonce == current and self._take_nonce(nonce)
        if self.options.nonce_endpoint:
            return self._take_nonce
        return None

    def _issue(self, config_id: str, proof: ValidatedProof) -> str:
        holder_jwk = proof.holder_jwk
        if self.options.bind_to_other_key:
            holder_jwk = SigningKey.generate("P-256").public_jwk
        holder_did = proof.holder_did or did_jwk(holder_jwk)
        expires = int(time.time()) + 3600
        fmt = self.configurations()[config_id]["format"]
        if fmt == "dc+sd-jwt":
            return issue_sd_jwt_vc(
                self.key,
                vct=VCT,
                claims=PERSON,
                holder_jwk=holder_jwk,
                expires_at=expires,
                issuer_id=self.issuer_id,
            ).sd_jwt
        if fmt == "vc+sd-jwt":
            return issue_twdiw_sd_jwt(
                self.key,
                credential_type=VCT,
                credential_subject=PERSON,
                holder_did=holder_did,
                holder_jwk=holder_jwk,
                jti=f"{self.issuer_id}/api/credential/{uuid.uuid4()}",
                credential_status=status_list_2021_pair(
                    7, f"{self.base}/status/r0", f"{self.base}/status/s0"
                ),
                credential_schema={"id": f"{self.base}/schema/person", "type": "JsonSchema"},
                expires_at=expires,
            ).sd_jwt
        return issue_jwt_vc(
            self.key,
            holder_did=holder_did,
            types=["UniversityDegreeCredential"],
            credential_subject=DEGREE,
            expires_at=expires,
            issuer_id=self.issuer_id,
        )

    def _build(self) -> FastAPI:
        app = FastAPI()
        inserted = f"/.well-known/openid-credential-issuer{ISSUER_PATH}"
        appended = f"{ISSUER_PATH}/.well-known/openid-credential-issuer"

        @app.get(appended if self.twdiw else inserted)
        def issuer_metadata() -> JSONResponse:
            return JSONResponse(self.metadata())

        if not self.twdiw:

            @app.get(f"/.well-known/oauth-authorization-server{ISSUER_PATH}")
            def as_metadata() -> JSONResponse:
                return JSONResponse(
                    {
                        "issuer": self.issuer_id,
                        "token_endpoint": f"{self.issuer_id}/token",
                        "pre-authorized_grant_anonymous_access_supported": True,
                    }
                )

        @app.get(f"{ISSUER_PATH}/offers/{{offer_id}}")
        def offer(offer_id: str) -> JSONResponse:
            if offer_id not in self.offers:
                return JSONResponse({"error": "not_found"}, 404)
            return JSONResponse(self.offers[offer_id])

        @app.post(f"{ISSUER_PATH}/token")
        async def token(request: Request) -> JSONResponse:
            if request.headers.get("content-type", "").split(";")[0] != "application/x-www-form-urlencoded":
                return oauth_error("invalid_request", "the token request must be form-encoded")
            form = parse_qs((await request.body()).decode(), keep_blank_values=True)
            return self.token({name: values[0] for name, values in form.items()})

        @app.post(f"{ISSUER_PATH}/nonce")
        def nonce() -> JSONResponse:
            if self.twdiw or not self.options.nonce_endpoint:
                return JSONResponse({"error": "not_found"}, 404)
            return JSONResponse({"c_nonce": self._new_nonce()}, headers=NO_STORE)

        @app.post(f"{ISSUER_PATH}/credential")
        async def credential(request: Request) -> Response:
            try:
                body = await request.json()
            except ValueError:
                return oauth_error("invalid_credential_request", "body is not JSON")
            return self.credential(request.headers.get("authorization", ""), body)

        @app.post(f"{ISSUER_PATH}/notification")
        async def notification(request: Request) -> Response:
            self.notifications.append(await request.json())
            return Response(status_code=204)

        return app


@contextmanager
def running_issuer(options: StubOptions) -> Iterator[StubIssuer]:
    """A stub issuer served by uvicorn on a free loopback port, in a thread."""
    port = free_port()
    stub = StubIssuer(f"http://127.0.0.1:{port}", options)
    server = uvicorn.Server(uvicorn.Config(stub.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive(), 30, "the stub issuer to start")
        assert server.started, "the stub issuer did not start"
        yield stub
    finally:
        server.should_exit = True
        thread.join(10)

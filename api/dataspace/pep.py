"""PacketDelivery's Policy Enforcement Point: NGSI-LD delivery orders behind the verifier's access token.

Every request, on any path and method, first shows an RFC 9068 access token (``Authorization: Bearer``):
``typ`` ``at+jwt``, ``kid`` a DID URL of the trusted verifier resolved by ``token_key``, the signature
verified with ``alg`` pinned to that key, ``iss`` the verifier, ``aud`` this PEP, ``exp`` in the future and
``iat`` not in the future (beyond ``max_clock_skew``). Then the credentials behind the token
(``credentials``: type, issuer and roles of each one the holder presented) must still pass the one
accreditation rule (projections.accreditation) in the trust views now, as the verifier checked them at
login: the issuer and its ancestors active, every one below the root accredited for the type with a
window open at this request and for the roles; a token whose backing was withdrawn since is refused
with the reason code the verifier would give. Then the roles the token grants for the target decide
(api.dataspace.policy), and only an allowed request reaches the DELIVERYORDER store.

Answers: a missing token is 401 with a bare ``Bearer`` challenge, a bad one 401 with
``error="invalid_token"`` (RFC 6750 §3.1), a policy denial 403 with ``error="insufficient_scope"``
naming the missing role; every error body is an NGSI-LD ProblemDetails (ETSI GS CIM 009):
InvalidRequest (not JSON), BadRequestData (not a valid DELIVERYORDER / Property), ResourceNotFound,
AlreadyExists; ``about:blank`` with the HTTP reason phrase as title for 401/403. All failures are mapped
in this module; one log line per decision (who, what, allowed or why not).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.credentials.claims import check_audience, check_validity, current_time, numeric_date
from api.credentials.errors import CredentialError, IatInvalid, IssuerMismatch, MalformedToken
from api.credentials.keys import read_header, verify_jws
from api.dataspace.orders import DeliveryOrderStore, InvalidOrder, OrderExists, OrderNotFound
from api.dataspace.policy import READABLE_ATTRS, PathKind, decide, describe, roles_for_target
from projections import accreditation
from projections.accreditation import RoleGrant, record_from_views
from projections.api import TrustViews
from projections.trust_freshness import TRUST_DATA_STALE, FreshnessBounds, judge_live_views

log = logging.getLogger(__name__)

ACCESS_TOKEN_TYPS = ("at+jwt", "application/at+jwt")
"""RFC 9068 §4: the ``typ`` a resource server accepts."""

ENTITIES = "/ngsi-ld/v1/entities"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
MAX_BODY = 64 * 1024

NGSI_LD_ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
INVALID_REQUEST = NGSI_LD_ERRORS + "InvalidRequest"
BAD_REQUEST_DATA = NGSI_LD_ERRORS + "BadRequestData"
RESOURCE_NOT_FOUND = NGSI_LD_ERRORS + "ResourceNotFound"
ALREADY_EXISTS = NGSI_LD_ERRORS + "AlreadyExists"
INTERNAL_ERROR = NGSI_LD_ERRORS + "InternalError"
ABOUT_BLANK = "about:blank"

_TITLES = {
    INVALID_REQUEST: "Invalid request",
    BAD_REQUEST_DATA: "Bad request data",
    RESOURCE_NOT_FOUND: "Resource not found",
    ALREADY_EXISTS: "Already exists",
    INTERNAL_ERROR: "Internal error",
}
_PHRASES = {
    401: "Unauthorized",
    403: "Forbidden",
    405: "Method Not Allowed",
    413: "Content Too Large",
    503: "Service Unavailable",
}

TokenKey = Callable[[str], Mapping[str, Any] | None]
"""``kid`` (a DID URL) -> the public JWK it names, or ``None`` when it names no key."""


class Problem(Exception):
    """An NGSI-LD ProblemDetails answer (``type``, ``title``, ``detail``) with its status and headers."""

    def __init__(
        self,
        status: int,
        type_: str,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.type = type_
        self.title = title or _TITLES.get(type_) or _PHRASES.get(status, "Error")
        self.detail = detail
        self.headers = headers or {}

    def response(self) -> Response:
        body = {"type": self.type, "title": self.title, "detail": self.detail}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


class TokenRejected(Exception):
    """The access token is missing a requirement; the message says which (RFC 6750 invalid_token)."""


class KeyUnavailable(Exception):
    """``token_key`` or the trust views failed (not the client's fault: the trust registry could not
    be read)."""


class TrustDataStale(KeyUnavailable):
    """The trust views are halted or too old to say the credentials still pass the rule: the PEP
    refuses (503) rather than letting a withdrawal it cannot see through (never fail open)."""


@dataclass(frozen=True)
class Voucher:
    """One credential behind a token: what the verifier judged at login, judged again per request."""

    credential_type: str
    issuer: str
    roles: tuple[RoleGrant, ...]


@dataclass(frozen=True)
class AccessGrant:
    """A verified access token: the holder, the roles it grants for the target, all its claims."""

    subject: str
    roles: frozenset[str]
    claims: dict[str, Any] = field(repr=False)


class AccessTokenChecker:
    """Verifies the verifier's RFC 9068 access tokens for one PEP (audience) and target, and that
    the credentials behind them still pass the accreditation rule in ``views``."""

    def __init__(
        self,
        *,
        target_did: str,
        audience: str,
        token_key: TokenKey,
        trusted_issuer: str,
        views: TrustViews,
        clock: Callable[[], float],
        max_clock_skew: int = 60,
        freshness: FreshnessBounds | None = None,
    ):
        self.freshness = freshness or FreshnessBounds()
        self.target_did = target_did
        self.audience = audience
        self.token_key = token_key
        self.trusted_issuer = trusted_issuer
        self.views = views
        self.clock = clock
        self.max_clock_skew = max_clock_skew

    def check(self, token: str) -> AccessGrant:
        """The grant the token carries, or ``TokenRejected`` (``KeyUnavailable`` if resolution broke)."""
        try:
            header = read_header(token)
        except MalformedToken as error:
            raise TokenRejected(str(error)) from None
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in ACCESS_TOKEN_TYPS:
            raise TokenRejected(f"typ {typ!r} is not at+jwt")
        jwk = self._key(header.get("kid"))
        try:
            claims = verify_jws(token, jwk).claims()
            self._check_claims(claims)
            roles = roles_for_target(claims.get("roles"), self.target_did)
        except CredentialError as error:
            raise TokenRejected(f"{error.reason}: {error}") from None
        except ValueError as error:
            raise TokenRejected(f"malformed roles claim: {error}") from None
        self._still_vouched(vouchers(claims.get("credentials")))
        return AccessGrant(subject=claims["sub"], roles=roles, claims=claims)

    def _still_vouched(self, credentials: list[Voucher]) -> None:
        """Every credential behind the token passes the accreditation rule now, in one snapshot of
        the views; else ``TokenRejected`` with the rule's reason code (``KeyUnavailable`` when the
        views cannot be read)."""
        now = self.clock()
        at = int(now)
        try:
            with self.views.snapshot():
                verdict = judge_live_views(self.views, self.freshness, now)
                refused = next(filter(None, (self._refusal(voucher, at) for voucher in credentials)), None)
        except Exception as error:
            log.exception("reading the trust views for an access token failed")
            raise KeyUnavailable("the trust registry cannot be read now") from error
        if verdict.stale:
            raise TrustDataStale(f"{TRUST_DATA_STALE}: the trust data is stale: {verdict.reason}")
        if refused is not None:
            raise TokenRejected(f"{refused.reason}: {refused.message}")

    def _refusal(self, voucher: Voucher, at: int) -> accreditation.Refusal | None:
        return accreditation.refusal(
            voucher.issuer,
            voucher.credential_type,
            at,
            status=self.views.effective_status(voucher.issuer),
            lookup=lambda did: record_from_views(self.views, did),
            roles=voucher.roles,
        )

    def _key(self, kid: Any) -> Mapping[str, Any]:
        prefix = f"{self.trusted_issuer}#"
        if not isinstance(kid, str) or not kid.startswith(prefix) or kid == prefix:
            raise TokenRejected(f"kid {kid!r} is not a key of the trusted verifier {self.trusted_issuer}")
        try:
            jwk = self.token_key(kid)
        except CredentialError as error:
            raise TokenRejected(f"key {kid} cannot be used: {error}") from None
        except Exception as error:
            log.exception("resolving the access-token key %s failed", kid)
            raise KeyUnavailable(f"the verifier's key {kid} cannot be resolved now") from error
        if jwk is None:
            raise TokenRejected(f"key {kid} is not a registered key of the verifier")
        return jwk

    def _check_claims(self, claims: dict[str, Any]) -> None:
        now = current_time(self.clock())
        if claims.get("iss") != self.trusted_issuer:
            raise IssuerMismatch(f"iss {claims.get('iss')!r} is not the trusted verifier")
        check_audience(claims, self.audience)
        check_validity(claims, now=now, require_exp=True)
        try:
            iat = numeric_date(claims, "iat", required=True)
        except CredentialError as error:
            raise IatInvalid(str(error)) from None
        if iat is not None and iat > now + self.max_clock_skew:
            raise IatInvalid(f"iat {iat} is in the future (now {now})")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise MalformedToken("the token has no sub")


def vouchers(claim: Any) -> list[Voucher]:
    """The ``credentials`` claim (``[{type, issuer, roles: [{target, names}]}]``, what the verifier
    mints: api.verifier.tokens), or ``TokenRejected`` when it is missing or malformed."""
    if not isinstance(claim, list) or not claim:
        raise TokenRejected("the token names no credentials behind its roles (credentials claim)")
    found = []
    for entry in claim:
        if not isinstance(entry, dict):
            raise TokenRejected("malformed credentials claim: an entry is not an object")
        credential_type, issuer, roles = entry.get("type"), entry.get("issuer"), entry.get("roles")
        if not isinstance(credential_type, str) or not isinstance(issuer, str):
            raise TokenRejected("malformed credentials claim: an entry has no type or issuer")
        if not isinstance(roles, list):
            raise TokenRejected("malformed credentials claim: an entry's roles are not a list")
        grants = []
        for grant in roles:
            if not isinstance(grant, dict) or not isinstance(grant.get("target"), str):
                raise TokenRejected("malformed credentials claim: a role has no target")
            names = grant.get("names")
            if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
                raise TokenRejected("malformed credentials claim: a role's names are not strings")
            grants.append(RoleGrant.of(grant["target"], names))
        found.append(Voucher(credential_type, issuer, tuple(grants)))
    return found


def bearer_token(authorization: str | None) -> str | None:
    """The credentials of an ``Authorization: Bearer`` header; ``None`` for no header or another scheme."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip()


def _printable(text: str, limit: int = 300) -> str:
    """``text`` restricted to what an RFC 6750 error_description (and a log line) may carry."""
    cleaned = "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in text.replace('"', "'"))
    return cleaned[:limit]


def challenge(error: str | None = None, description: str | None = None) -> str:
    """An RFC 6750 ``WWW-Authenticate`` value (bare ``Bearer`` without an error)."""
    if error is None:
        return "Bearer"
    params = [f'error="{error}"']
    if description:
        params.append(f'error_description="{_printable(description)}"')
    return "Bearer " + ", ".join(params)


def create_pep_app(
    *,
    target_did: str,
    audience: str,
    token_key: TokenKey,
    trusted_issuer: str,
    store: DeliveryOrderStore,
    views: TrustViews,
    clock: Callable[[], float] = time.time,
    max_clock_skew: int = 60,
) -> FastAPI:
    """The PEP in front of ``store``: accepts access tokens of ``trusted_issuer`` for ``audience``
    whose credentials still pass the accreditation rule in ``views``, and applies the policy to the
    roles they grant for ``target_did``."""
    checker = AccessTokenChecker(
        target_did=target_did,
        audience=audience,
        token_key=token_key,
        trusted_issuer=trusted_issuer,
        views=views,
        clock=clock,
        max_clock_skew=max_clock_skew,
    )
    app = FastAPI(
        title="PacketDelivery PEP",
        description="NGSI-LD DELIVERYORDER entities behind the verifier's access token and the role policy.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.store = store
    app.state.checker = checker
    _install_problem_handlers(app)

    def authorize(request: Request, path_kind: PathKind, attr: str | None = None) -> AccessGrant:
        what = f"{request.method} {_printable(request.url.path)}"
        client = request.client.host if request.client else "?"
        token = bearer_token(request.headers.get("authorization"))
        if not token:
            log.info("PEP %s by unauthenticated client %s: refused, no bearer token", what, client)
            raise Problem(
                401,
                ABOUT_BLANK,
                "an access token is required: Authorization: Bearer <at+jwt>",
                headers={"WWW-Authenticate": challenge()},
            )
        try:
            grant = checker.check(token)
        except TokenRejected as error:
            log.info("PEP %s by client %s: refused, invalid token (%s)", what, client, _printable(str(error)))
            raise Problem(
                401,
                ABOUT_BLANK,
                f"invalid access token: {error}",
                headers={"WWW-Authenticate": challenge("invalid_token", str(error))},
            ) from None
        except KeyUnavailable as error:
            log.warning("PEP %s by client %s: refused, %s", what, client, _printable(str(error)))
            raise Problem(503, ABOUT_BLANK, str(error), headers={"Retry-After": "5"}) from None
        decision = decide(request.method, path_kind, attr, grant.roles, target=target_did)
        who = _printable(grant.subject)
        if not decision.allowed:
            log.info("PEP %s by %s: denied, %s", what, who, _printable(decision.reason))
            detail = decision.reason
            raise Problem(
                403,
                ABOUT_BLANK,
                detail,
                headers={"WWW-Authenticate": challenge("insufficient_scope", detail)},
            )
        log.info("PEP %s by %s: allowed, %s", what, who, _printable(decision.reason))
        return grant

    @app.api_route(ENTITIES, methods=METHODS)
    async def entities(request: Request) -> Response:
        authorize(request, "entities")
        if request.method != "POST":
            raise _unsupported(request, "entities")
        entity = await _json_body(request)
        try:
            entity_id = store.create(entity)
        except InvalidOrder as error:
            raise Problem(400, BAD_REQUEST_DATA, str(error)) from None
        except OrderExists as error:
            raise Problem(409, ALREADY_EXISTS, str(error)) from None
        return Response(status_code=201, headers={"Location": f"{ENTITIES}/{entity_id}"})

    @app.api_route(ENTITIES + "/{entity_id}", methods=METHODS)
    async def entity(request: Request, entity_id: str) -> Response:
        authorize(request, "entity")
        if request.method != "GET":
            raise _unsupported(request, "entity")
        order = _found(store.get, entity_id)
        view = {"id": order["id"], "type": order["type"]}
        view.update({attr: order[attr] for attr in READABLE_ATTRS if attr in order})
        return JSONResponse(view)

    @app.api_route(ENTITIES + "/{entity_id}/attrs/{attr}", methods=METHODS)
    async def attribute(request: Request, entity_id: str, attr: str) -> Response:
        authorize(request, "attr", attr)
        if request.method == "GET":
            return JSONResponse(_found(store.get_attr, entity_id, attr))
        if request.method != "PATCH":
            raise _unsupported(request, "attr", attr)
        prop = await _json_body(request)
        try:
            _found(store.patch_attr, entity_id, attr, prop)
        except InvalidOrder as error:
            raise Problem(400, BAD_REQUEST_DATA, str(error)) from None
        return Response(status_code=204)

    @app.api_route("/{path:path}", methods=METHODS)
    async def elsewhere(request: Request, path: str) -> Response:
        authorize(request, "other")
        raise _unsupported(request, "other")

    return app


def _found(read: Callable[..., Any], *args: Any) -> Any:
    try:
        return read(*args)
    except OrderNotFound as error:
        raise Problem(404, RESOURCE_NOT_FOUND, str(error)) from None


def _unsupported(request: Request, path_kind: str, attr: str | None = None) -> Problem:
    """A method the policy allowed but this PEP does not serve (only if the table grows)."""
    return Problem(405, ABOUT_BLANK, f"{describe(request.method, path_kind, attr)} is not served")


async def _json_body(request: Request) -> Any:
    """The request body as JSON (no NaN/Infinity, valid UTF-8 text), else 400 InvalidRequest."""
    body = await request.body()
    if len(body) > MAX_BODY:
        raise Problem(413, ABOUT_BLANK, f"the body exceeds {MAX_BODY} bytes")
    if not body.strip():
        raise Problem(400, INVALID_REQUEST, "the request has no JSON body")
    try:
        value = json.loads(body, parse_constant=_no_constant)
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeError, RecursionError) as error:
        raise Problem(400, INVALID_REQUEST, f"the body is not JSON: {_printable(str(error), 200)}") from None
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _install_problem_handlers(app: FastAPI) -> None:
    """Every failure of the PEP as an NGSI-LD ProblemDetails; a bug is 500 InternalError, logged."""

    @app.middleware("http")
    async def internal_errors(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        try:
            return await call_next(request)
        except Exception as error:
            log.exception("unexpected error answering %s %s", request.method, request.url.path)
            return Problem(500, INTERNAL_ERROR, f"internal error ({type(error).__name__})").response()

    @app.exception_handler(Problem)
    async def problem(request: Request, error: Problem) -> Response:
        return error.response()

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        return Problem(400, BAD_REQUEST_DATA, "the request does not validate").response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        type_ = RESOURCE_NOT_FOUND if error.status_code == 404 else ABOUT_BLANK
        return Problem(
            error.status_code, type_, str(error.detail), headers=dict(error.headers or {})
        ).response()

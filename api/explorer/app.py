"""The explorer's FastAPI application: `create_explorer_app(issuer_base, issuer_token, verifier_base,
verifier_token, ...)`.

It serves a static page (HTML, vanilla JS, CSS; nothing from elsewhere) that reads the resolver's
JSON APIs from the same origin (the trust list, entities, DID documents, status lists), and a few
server-side endpoints for the demos: the server holds the issuer's and the verifier's Access-Tokens
and calls DWVC-101, DWVP-01-101 and DWVP-01-201 with httpx; the browser never sees a token.

Routes are relative to where the app is mounted (`/explorer`: `under_prefix` for one_port_app, or
`app.mount` in a FastAPI app):

- `GET /`: the page; `GET /static/...`: its script and style sheet;
- `GET /api/config`: which demos are configured (DIDs, templates, refs; never a token);
- `POST /api/issuer/offer` `{vcUid?, fields: {ename: content}}`: DWVC-101 at the issuer, answers
  201 `{transactionId, qrCode, deepLink, vcUid}` (+ `txCode`);
- `POST /api/verifier/requests` `{ref?}`: DWVP-01-101 at the verifier under a fresh transaction id,
  answers 201 `{transactionId, ref, qrcodeImage, authUri}`;
- `GET /api/verifier/requests/{transactionId}/result`: DWVP-01-201 for a request this explorer
  opened, answers `{transactionId, state: "pending" | "expired" | "done", message?, result?}`.

Failures are `{error, message}`: 400 for a request that does not validate, 404 for an unknown path,
template or transaction, or a demo that is not configured; the issuer's or verifier's own refusal of
the user's input keeps its 4xx (with `upstream`); 502 / 504 when the issuer or verifier is
unreachable, slow, or refuses the explorer's token. Bodies are capped at 64 KiB and 64 levels of
nesting before they are parsed (trust_ledger.http_limits): 413, 408 or 400 `invalid_request`.
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
from fastapi import Body, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from projections.api import TrustViews
from resolver.app import create_app as create_resolver_app
from trust_ledger.http_limits import BodyLimits, Refusal, Scope

log = logging.getLogger(__name__)

EXPLORER_PREFIX = "/explorer"
STATIC = Path(__file__).with_name("static")
DATA_TAG = "explorer"
"""The DWVC-101 dataTag of the issuer demo's offers (DWVC-202 lists them)."""
MAX_OPEN_TRANSACTIONS = 1000
"""Verifier transactions the explorer remembers (the oldest are forgotten first)."""
NO_RESULT = "4002"
"""DWVP-01-201: no result yet (waiting for the holder, or expired)."""

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""Everything from this origin: no CDN, no external font or script, images also as data: URLs."""


class ExplorerError(Exception):
    """A refusal, rendered as `{error, message, ...extra}` with `status`."""

    def __init__(self, status: int, error: str, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.extra = extra

    def response(self) -> JSONResponse:
        body = {"error": self.error, "message": self.message, **self.extra}
        return JSONResponse(body, status_code=self.status, headers={"Cache-Control": "no-store"})


@dataclass(frozen=True)
class Upstream:
    """The issuer or verifier module the explorer calls, with the Access-Token it holds."""

    what: str
    base: str
    token: str
    did: str | None

    def url(self, path: str) -> str:
        return self.base.rstrip("/") + path


class OfferRequest(BaseModel):
    """The issuer demo's form: a template and the content of its fields."""

    model_config = ConfigDict(extra="forbid")
    vcUid: Annotated[str | None, Field(max_length=100)] = None
    fields: Annotated[dict[str, Annotated[str, Field(max_length=500)]], Field(max_length=50)] = Field(
        default_factory=dict
    )


class PresentationRequest(BaseModel):
    """The verifier demo's form: a verification template (TW DIW `ref`)."""

    model_config = ConfigDict(extra="forbid")
    ref: Annotated[str | None, Field(max_length=100)] = None


def _upstream(what: str, base: str | None, token: str | None, did: str | None) -> Upstream | None:
    if base is None and token is None:
        return None
    if not base or not token:
        raise ValueError(f"the {what} demo needs both a base URL and an Access-Token")
    return Upstream(what, base, token, did)


def demo_origins(base_url: str) -> tuple[str, ...]:
    """The origins whose pages may call the demo endpoints: `base_url`'s, and 127.0.0.1 / localhost
    on its port (the same dev server reached under either loopback name)."""
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    own = f"{parts.scheme}://{parts.netloc}".lower()
    loopback = (f"{parts.scheme}://{name}:{port}" for name in ("127.0.0.1", "localhost"))
    return tuple(dict.fromkeys([own, *loopback]))


@dataclass(frozen=True)
class SameOrigin:
    """The same-origin rule of the demo endpoints, which act with a module's Access-Token.

    The `Host` must be one of the allowed origins' (a DNS-rebinding page reaches 127.0.0.1 under its
    own name), and so must `Origin`; a state-changing request without `Origin` is refused (browsers
    send it on every cross-origin request and every POST)."""

    origins: tuple[str, ...]

    def check(self, request: Request) -> None:
        hosts = {urlsplit(origin).netloc for origin in self.origins}
        host = request.headers.get("host", "").lower()
        if host not in hosts:
            raise ExplorerError(
                403,
                "foreign_host",
                f"Host {host!r} is not this explorer's (allowed: {', '.join(sorted(hosts))})",
            )
        origin = request.headers.get("origin")
        if origin is None and request.method in ("GET", "HEAD"):
            return
        if origin is None:
            raise ExplorerError(403, "cross_origin", "a request that acts for the demo must carry Origin")
        if origin.lower() not in self.origins:
            raise ExplorerError(403, "cross_origin", f"Origin {origin!r} may not use this explorer's demos")


def _where(loc: Sequence[Any]) -> str:
    """A validation error's location in the request body, e.g. `fields.name` (or `body`)."""
    return ".".join(str(p) for p in loc if p != "body" and not isinstance(p, int)) or "body"


def create_explorer_app(
    issuer_base: str | None = None,
    issuer_token: str | None = None,
    verifier_base: str | None = None,
    verifier_token: str | None = None,
    *,
    issuer_did: str | None = None,
    verifier_did: str | None = None,
    issuer_templates: Mapping[str, Sequence[str]] | None = None,
    verifier_refs: Sequence[str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 120.0,
    origins: Sequence[str] = (),
) -> FastAPI:
    """The explorer. Without an issuer (verifier) base URL and token its issuer (verifier) demo is not
    configured: the page says so and the demo endpoints answer 404 `demo_not_configured`.

    `issuer_templates` maps each vcUid the demo may offer to its field names (default
    `employee: name, employee_no`, the dev issuer's); `verifier_refs` are the verification
    templates it may open (default `employee`). `transport` replaces httpx's network transport (tests).
    `origins` are the only origins whose pages may call the demo endpoints (`demo_origins(base_url)`);
    a configured demo needs them.
    """
    issuer = _upstream("issuer", issuer_base, issuer_token, issuer_did)
    verifier = _upstream("verifier", verifier_base, verifier_token, verifier_did)
    offered = issuer_templates or {"employee": ("name", "employee_no")}
    templates = {uid: list(fields) for uid, fields in offered.items()}
    refs = list(verifier_refs or ("employee",))
    if (issuer or verifier) and not origins:
        raise ValueError("a configured demo needs the origins allowed to call it (demo_origins(base_url))")
    same_origin = SameOrigin(tuple(origin.lower().rstrip("/") for origin in origins))
    opened: OrderedDict[str, str] = OrderedDict()  # transactionId -> ref, this explorer's requests only

    app = FastAPI(
        title="trust-ledger explorer",
        version="1.0",
        description="The trust hierarchy, entities, status lists and the issuer / verifier demos.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        try:
            response = await call_next(request)
        except Exception as error:
            log.exception("unexpected error answering %s %s", request.method, request.url.path)
            response = ExplorerError(500, "internal_error", f"unexpected {type(error).__name__}").response()
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    def refused(scope: Scope, refusal: Refusal) -> Response:
        return ExplorerError(refusal.status, "invalid_request", refusal.detail).response()

    app.add_middleware(BodyLimits, render=refused)

    @app.exception_handler(ExplorerError)
    async def explorer_error(request: Request, error: ExplorerError) -> Response:
        return error.response()

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        details = "; ".join(f"{_where(e.get('loc', ()))}: {e.get('msg')}" for e in error.errors())
        return ExplorerError(400, "invalid_request", details or "invalid request").response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return ExplorerError(404, "not_found", f"no resource at {request.url.path}").response()
        return ExplorerError(error.status_code, "http_error", str(error.detail)).response()

    @app.get("/", include_in_schema=False)
    def page() -> Response:
        return FileResponse(
            STATIC / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"}
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/config")
    def config() -> dict[str, Any]:
        return {
            "issuer": {
                "configured": issuer is not None,
                "did": issuer.did if issuer else None,
                "templates": templates if issuer else {},
            },
            "verifier": {
                "configured": verifier is not None,
                "did": verifier.did if verifier else None,
                "refs": refs if verifier else [],
            },
        }

    async def call(upstream: Upstream, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            async with httpx.AsyncClient(transport=transport, timeout=timeout) as client:
                return await client.request(
                    method, upstream.url(path), headers={"Access-Token": upstream.token}, **kwargs
                )
        except httpx.TimeoutException:
            raise ExplorerError(
                504, "upstream_timeout", f"the {upstream.what} did not answer within {timeout:.0f}s"
            ) from None
        except httpx.HTTPError as error:
            raise ExplorerError(
                502,
                "upstream_unreachable",
                f"the {upstream.what} at {upstream.base} is unreachable ({type(error).__name__})",
            ) from None

    def answer(upstream: Upstream, response: httpx.Response) -> dict[str, Any]:
        """The JSON body of a 2xx answer; a refusal becomes an ExplorerError."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success and isinstance(body, dict):
            return body
        summary = body if isinstance(body, dict) else {"text": response.text[:200]}
        upstream_info = {"status": response.status_code, **summary}
        message = str(summary.get("message") or summary.get("error_description") or summary.get("text") or "")
        if response.is_success:
            raise ExplorerError(502, "upstream_invalid", f"the {upstream.what} answered no JSON object")
        if response.status_code == 401:
            raise ExplorerError(
                502,
                "upstream_token_refused",
                f"the {upstream.what} refused the explorer's Access-Token: {message}",
                upstream=upstream_info,
            )
        if 400 <= response.status_code < 500:
            raise ExplorerError(
                response.status_code,
                f"{upstream.what}_refused",
                f"the {upstream.what} refused: {message or response.reason_phrase}",
                upstream=upstream_info,
            )
        raise ExplorerError(
            502,
            "upstream_error",
            f"the {upstream.what} failed (HTTP {response.status_code}): {message}",
            upstream=upstream_info,
        )

    def configured(upstream: Upstream | None, what: str) -> Upstream:
        if upstream is None:
            raise ExplorerError(
                404,
                "demo_not_configured",
                f"the {what} demo is not configured on this server (it runs under `trust-ledger dev`)",
            )
        return upstream

    def issuer_demo(request: Request) -> None:
        """Runs before the body is validated: a foreign page learns nothing about the demo."""
        if issuer is not None:
            same_origin.check(request)

    def verifier_demo(request: Request) -> None:
        if verifier is not None:
            same_origin.check(request)

    @app.post("/api/issuer/offer", status_code=201, dependencies=[Depends(issuer_demo)])
    async def issuer_offer(body: Annotated[OfferRequest, Body()]) -> dict[str, Any]:
        upstream = configured(issuer, "issuer")
        vc_uid = body.vcUid or next(iter(templates))
        if vc_uid not in templates:
            raise ExplorerError(
                404, "unknown_template", f"no template {vc_uid!r} here; known: {', '.join(templates)}"
            )
        wanted = templates[vc_uid]
        unknown = sorted(set(body.fields) - set(wanted))
        missing = [name for name in wanted if not body.fields.get(name, "").strip()]
        if unknown:
            raise ExplorerError(400, "unknown_fields", f"{vc_uid} has no field(s) {', '.join(unknown)}")
        if missing:
            raise ExplorerError(400, "missing_fields", f"fill in {', '.join(missing)}")
        request = {
            "vcUid": vc_uid,
            "dataTag": DATA_TAG,
            "fields": [{"ename": name, "content": body.fields[name]} for name in wanted],
        }
        offer = answer(upstream, await call(upstream, "POST", "/api/qrcode/data", json=request))
        return {
            key: offer[key] for key in ("transactionId", "qrCode", "deepLink", "txCode") if key in offer
        } | {"vcUid": vc_uid}

    @app.post("/api/verifier/requests", status_code=201, dependencies=[Depends(verifier_demo)])
    async def verifier_request(body: Annotated[PresentationRequest, Body()]) -> dict[str, Any]:
        upstream = configured(verifier, "verifier")
        ref = body.ref or refs[0]
        if ref not in refs:
            raise ExplorerError(
                404, "unknown_ref", f"no verification template {ref!r}; known: {', '.join(refs)}"
            )
        transaction_id = str(uuid.uuid4())
        params = {"ref": ref, "transactionId": transaction_id}
        opened_request = answer(upstream, await call(upstream, "GET", "/api/oidvp/qrcode", params=params))
        opened[transaction_id] = ref
        while len(opened) > MAX_OPEN_TRANSACTIONS:
            opened.popitem(last=False)
        return {
            "transactionId": transaction_id,
            "ref": ref,
            "qrcodeImage": opened_request.get("qrcodeImage"),
            "authUri": opened_request.get("authUri"),
        }

    @app.get("/api/verifier/requests/{transaction_id}/result", dependencies=[Depends(verifier_demo)])
    async def verifier_result(transaction_id: str, response: Response) -> dict[str, Any]:
        upstream = configured(verifier, "verifier")
        response.headers["Cache-Control"] = "no-store"
        if transaction_id not in opened:
            raise ExplorerError(
                404, "unknown_transaction", f"this explorer opened no presentation request {transaction_id}"
            )
        reply = await call(upstream, "POST", "/api/oidvp/result", json={"transactionId": transaction_id})
        try:
            body = reply.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and str(body.get("code")) == NO_RESULT and not reply.is_success:
            message = str(body.get("message", ""))
            state = "expired" if "expired" in message else "pending"
            return {"transactionId": transaction_id, "state": state, "message": message}
        return {"transactionId": transaction_id, "state": "done", "result": answer(upstream, reply)}

    return app


def under_prefix(app: Any, prefix: str = EXPLORER_PREFIX) -> Starlette:
    """`app` mounted at `prefix`, for api.one_port.one_port_app (which passes paths unchanged);
    `prefix` alone redirects to `prefix/`, where the page is."""

    async def not_found(request: Request, error: Exception) -> Response:
        return ExplorerError(404, "not_found", f"no resource at {request.url.path}").response()

    return Starlette(routes=[Mount(prefix, app=app)], exception_handlers={404: not_found})


def resolver_with_explorer(views: TrustViews, **options: Any) -> FastAPI:
    """The resolver (resolver.app.create_app with `options`) with the read-only explorer under
    /explorer/ and the root leading to it: what `serve resolver` and the demos run."""
    return create_resolver_app(
        views, mounts={EXPLORER_PREFIX: create_explorer_app()}, home=f"{EXPLORER_PREFIX}/", **options
    )

"""OID4VP authorization requests: read the deep link, fetch the signed request object, check it.

Links of any scheme (``openid4vp://?...``, ``openid4vp://authorize?...``,
``modadigitalwallet://authorize?...``) carry ``client_id`` and ``request_uri`` (or ``request`` by
value). The request object must be a JWS with ``typ: oauth-authz-req+jwt`` whose ``client_id``
equals the link's, signed by the key its ``kid`` names in the verifier's DID document:

- final (OID4VP 1.0): ``client_id = decentralized_identifier:<did>``, a ``dcql_query``;
- twdiw (pre-final, TW DIW): a bare DID with ``client_id_scheme: did``, a ``presentation_definition``.

Only ``response_mode: direct_post`` is supported. The verifier's place on the trust list is a
warning, not a refusal (as TW DIW's wallet does): the holder decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from api.credentials.claims import check_validity
from api.credentials.errors import CredentialError
from api.credentials.keys import read_header, read_payload, verify_jws
from api.wallet.errors import WalletError
from api.wallet.http import refusal, require_https
from api.wallet.verifier_identity import check_trust_list, resolve_request_key

LINK_STEP = "authorization request"
FETCH_STEP = "request object fetch"
SIGNATURE_STEP = "request object signature"
CHECK_STEP = "request object"
REQUEST_TYP = "oauth-authz-req+jwt"
REQUEST_MEDIA_TYPE = "application/oauth-authz-req+jwt"
DID_PREFIX = "decentralized_identifier:"
LEEWAY = 60


@dataclass(frozen=True)
class PresentationRequest:
    """A verified OID4VP authorization request.

    ``client_id``: exactly as the verifier sent it (presentations are bound to it);
    ``query``: the ``dcql_query``, or the ``presentation_definition`` when ``profile`` is twdiw;
    ``siop``: ``response_type`` asks for a self-issued ``id_token`` too;
    ``warnings``: what the holder should know before answering (e.g. an untrusted verifier).
    """

    client_id: str
    verifier_did: str
    verifier_trusted: bool
    warnings: tuple[str, ...]
    nonce: str
    state: str | None
    response_uri: str
    response_type: str
    query: dict[str, Any] | None
    profile: str
    siop: bool
    claims: dict[str, Any] = field(repr=False)

    @property
    def dcql_query(self) -> dict[str, Any] | None:
        return self.query if self.profile == "final" else None

    @property
    def presentation_definition(self) -> dict[str, Any] | None:
        return self.query if self.profile == "twdiw" else None

    @property
    def verifier_name(self) -> str | None:
        """``client_metadata.client_name``, as the verifier calls itself (unverified by the registry)."""
        metadata = self.claims.get("client_metadata")
        name = metadata.get("client_name") if isinstance(metadata, dict) else None
        return name if isinstance(name, str) and name else None


def link_parameters(link: str) -> dict[str, str]:
    """The single-valued query parameters of an authorization request link (any scheme)."""
    parts = urlsplit(link.strip())
    if not parts.scheme or not parts.query:
        raise WalletError(
            LINK_STEP, "the link has no scheme or no query (expected openid4vp://?client_id=...)"
        )
    params: dict[str, str] = {}
    for name, values in parse_qs(parts.query, keep_blank_values=True).items():
        if len(values) != 1:
            raise WalletError(LINK_STEP, f"parameter {name} appears {len(values)} times")
        params[name] = values[0]
    return params


def fetch_request_object(client: httpx.Client, params: dict[str, str]) -> str:
    """The request object: by reference (GET ``request_uri``, no redirects) or by value (``request``)."""
    if "request_uri" in params and "request" in params:
        raise WalletError(LINK_STEP, "the link carries both request and request_uri")
    if "request" in params:
        return params["request"].strip()
    if "request_uri" not in params:
        raise WalletError(LINK_STEP, "the link has no request_uri (the wallet accepts signed requests only)")
    url = require_https(params["request_uri"], LINK_STEP, "request_uri")
    try:
        response = client.get(url, headers={"Accept": REQUEST_MEDIA_TYPE}, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise WalletError(FETCH_STEP, f"cannot reach {url}: {exc}") from None
    if response.is_redirect:
        raise WalletError(
            FETCH_STEP,
            f"{url} answered HTTP {response.status_code} (a redirect; the wallet does not follow it)",
        )
    if response.status_code != 200:
        raise refusal(FETCH_STEP, response)
    return response.text.strip()


def verifier_did(client_id: str, client_id_scheme: Any) -> str:
    """The DID behind a client identifier: ``decentralized_identifier:<did>``, or a bare DID when the
    request says ``client_id_scheme: did`` (pre-final drafts)."""
    if client_id.startswith(DID_PREFIX):
        did = client_id[len(DID_PREFIX) :]
    elif client_id.startswith("did:") and client_id_scheme == "did":
        did = client_id
    elif client_id.startswith("did:"):
        raise WalletError(
            CHECK_STEP, f"a bare DID client_id needs client_id_scheme 'did', not {client_id_scheme!r}"
        )
    else:
        prefix = client_id.partition(":")[0] if ":" in client_id else "(none: a pre-registered client)"
        raise WalletError(
            CHECK_STEP, f"client identifier prefix {prefix} is not supported (only {DID_PREFIX}<did>)"
        )
    if did.count(":") < 2 or "#" in did or "?" in did or "/" in did:
        raise WalletError(CHECK_STEP, f"{did!r} is not a DID")
    return did


def _check_typ(header: dict[str, Any]) -> None:
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower().removeprefix("application/") != REQUEST_TYP:
        raise WalletError(SIGNATURE_STEP, f"header typ must be {REQUEST_TYP!r}, not {typ!r}")


def verify_request_object(
    client: httpx.Client, token: str, outer_client_id: str, resolver_url: str, now: float | None
) -> tuple[str, dict[str, Any]]:
    """Verify the request object's JWS against the verifier's DID key: ``(did, claims)``."""
    try:
        header = read_header(token)
        unverified = read_payload(token)
    except CredentialError as exc:
        raise WalletError(CHECK_STEP, f"not a signed request object: {exc}") from None
    _check_typ(header)
    did = verifier_did(outer_client_id, unverified.get("client_id_scheme"))
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise WalletError(SIGNATURE_STEP, "the header has no kid (a DID URL of the verifier's key)")
    jwk = resolve_request_key(client, resolver_url, did, kid)
    try:
        claims = verify_jws(token, jwk).claims()
    except CredentialError as exc:
        raise WalletError(SIGNATURE_STEP, f"{exc} (key {kid})") from None
    if claims.get("client_id") != outer_client_id:
        raise WalletError(
            CHECK_STEP, f"client_id {claims.get('client_id')!r} differs from the link's {outer_client_id!r}"
        )
    try:
        check_validity(claims, now=now, leeway=LEEWAY, require_exp=True)
    except CredentialError as exc:
        raise WalletError(CHECK_STEP, f"the request object is not valid now: {exc}") from None
    return did, claims


def _string(claims: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = claims.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise WalletError(CHECK_STEP, f"{name} is missing or not a string")
    return value


def _query(claims: dict[str, Any], wants_vp: bool) -> tuple[dict[str, Any] | None, str]:
    """The credential query and the profile it implies."""
    for name in ("presentation_definition_uri", "transaction_data"):
        if name in claims:
            raise WalletError(CHECK_STEP, f"{name} is not supported")
    dcql, definition = claims.get("dcql_query"), claims.get("presentation_definition")
    twdiw = claims.get("client_id_scheme") == "did" or (definition is not None and dcql is None)
    if not wants_vp:
        return None, "twdiw" if twdiw else "final"
    if dcql is not None and definition is not None:
        raise WalletError(CHECK_STEP, "the request has both dcql_query and presentation_definition")
    if dcql is None and definition is None:
        scopes = set(str(claims.get("scope") or "").split()) - {"openid"}
        reason = " (a scope-mapped query is not supported)" if scopes else ""
        raise WalletError(CHECK_STEP, f"the request has no dcql_query{reason}")
    query = dcql if dcql is not None else definition
    if not isinstance(query, dict):
        raise WalletError(CHECK_STEP, "the credential query is not a JSON object")
    return query, "final" if dcql is not None else "twdiw"


def check_request_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """The parts of a verified request the wallet acts on, each checked."""
    response_type = _string(claims, "response_type", required=True)
    assert response_type is not None
    kinds = set(response_type.split())
    if not kinds or kinds - {"vp_token", "id_token"}:
        raise WalletError(CHECK_STEP, f"response_type {response_type!r} is not supported")
    mode = claims.get("response_mode")
    if mode != "direct_post":
        raise WalletError(CHECK_STEP, f"response_mode must be direct_post, not {mode!r}")
    if "redirect_uri" in claims:
        raise WalletError(CHECK_STEP, "redirect_uri must not be present with direct_post")
    response_uri = require_https(claims.get("response_uri"), CHECK_STEP, "response_uri")
    nonce = _string(claims, "nonce", required=True)
    state = _string(claims, "state", required=False)
    query, profile = _query(claims, "vp_token" in kinds)
    return {
        "response_type": response_type,
        "response_uri": response_uri,
        "nonce": nonce,
        "state": state,
        "query": query,
        "profile": profile,
        "siop": "id_token" in kinds,
    }


def read_request(
    client: httpx.Client, link: str, *, resolver_url: str, now: float | None = None
) -> PresentationRequest:
    """Parse the link, fetch and verify the request object, look the verifier up on the trust list."""
    resolver_url = require_https(resolver_url, LINK_STEP, "the resolver URL").rstrip("/")
    params = link_parameters(link)
    client_id = params.get("client_id")
    if not client_id:
        raise WalletError(LINK_STEP, "the link has no client_id")
    token = fetch_request_object(client, params)
    did, claims = verify_request_object(client, token, client_id, resolver_url, now)
    checked = check_request_claims(claims)
    trust = check_trust_list(client, resolver_url, did)
    return PresentationRequest(
        client_id=client_id,
        verifier_did=did,
        verifier_trusted=trust.trusted,
        warnings=(trust.warning,) if trust.warning else (),
        claims=claims,
        **checked,
    )

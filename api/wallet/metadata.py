"""Discovery: Credential Issuer metadata (OID4VCI §12.2) and the token endpoint (RFC 8414).

Well-known URLs are built by inserting ``/.well-known/<name>`` between host and path, as the
specs say; for issuers with a path, the pre-final form (appended to the path, as TW DIW serves
it) is tried when the first answers 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from api.wallet.errors import WalletError
from api.wallet.http import json_object, require_https, send
from api.wallet.offer import CredentialOffer

ISSUER_WELL_KNOWN = "openid-credential-issuer"
AS_WELL_KNOWN = ("oauth-authorization-server", "openid-configuration")


@dataclass(frozen=True)
class IssuerMetadata:
    """The parts of Credential Issuer metadata the wallet uses."""

    credential_issuer: str
    credential_endpoint: str
    nonce_endpoint: str | None
    notification_endpoint: str | None
    configurations: dict[str, dict[str, Any]]
    raw: dict[str, Any] = field(repr=False)


def well_known_urls(identifier: str, name: str) -> list[str]:
    """``/.well-known/<name>`` inserted before the identifier's path, then (with a path) appended."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    urls = [f"{parts.scheme}://{parts.netloc}/.well-known/{name}{path}"]
    if path:
        urls.append(f"{identifier.rstrip('/')}/.well-known/{name}")
    return urls


def same_identifier(a: object, b: str) -> bool:
    """Whether ``a`` names the identifier ``b``: equal strings, or equal once an empty path's
    ``/`` is dropped (RFC 3986 §6.2.3 scheme-based normalisation: ``https://x`` is ``https://x/``;
    a TW DIW offer names its issuer with the trailing ``/``, its metadata may not)."""
    if not isinstance(a, str):
        return False
    if a == b:
        return True
    split_a, split_b = urlsplit(a), urlsplit(b)
    return (
        split_a.path in ("", "/")
        and split_b.path in ("", "/")
        and (split_a.scheme, split_a.netloc, split_a.query, split_a.fragment)
        == (split_b.scheme, split_b.netloc, split_b.query, split_b.fragment)
    )


def _first_found(client: httpx.Client, step: str, urls: list[str]) -> dict[str, Any] | None:
    for url in urls:
        response = send(client, step, "GET", url, ok=(200, 404), headers={"Accept": "application/json"})
        if response.status_code == 200:
            return json_object(step, response)
    return None


def fetch_issuer_metadata(client: httpx.Client, issuer: str) -> IssuerMetadata:
    """Fetch and check the issuer's metadata: ``credential_issuer`` must be ``issuer`` (the same
    identifier: ``same_identifier``)."""
    step = "issuer metadata"
    data = _first_found(client, step, well_known_urls(issuer, ISSUER_WELL_KNOWN))
    if data is None:
        raise WalletError(step, f"{issuer} publishes no /.well-known/{ISSUER_WELL_KNOWN}")
    if not same_identifier(data.get("credential_issuer"), issuer):
        raise WalletError(step, f"credential_issuer {data.get('credential_issuer')!r} is not {issuer!r}")
    configurations = data.get("credential_configurations_supported")
    if not isinstance(configurations, dict) or not all(isinstance(c, dict) for c in configurations.values()):
        raise WalletError(step, "credential_configurations_supported is not a map of objects")
    optional = {}
    for name in ("nonce_endpoint", "notification_endpoint"):
        optional[name] = require_https(data[name], step, name) if data.get(name) is not None else None
    return IssuerMetadata(
        credential_issuer=issuer,
        credential_endpoint=require_https(data.get("credential_endpoint"), step, "credential_endpoint"),
        nonce_endpoint=optional["nonce_endpoint"],
        notification_endpoint=optional["notification_endpoint"],
        configurations=configurations,
        raw=data,
    )


def authorization_server(offer: CredentialOffer, metadata: Mapping[str, Any]) -> str:
    """The AS to use: the grant's ``authorization_server``, the first of ``authorization_servers``,
    or the issuer itself."""
    servers = metadata.get("authorization_servers")
    if servers is not None and (
        not isinstance(servers, list) or not servers or not all(isinstance(s, str) for s in servers)
    ):
        raise WalletError("issuer metadata", "authorization_servers is not a non-empty array of strings")
    if offer.authorization_server is not None:
        if servers is not None and offer.authorization_server not in servers:
            raise WalletError(
                "credential offer",
                f"authorization_server {offer.authorization_server!r} is not one of the issuer's",
            )
        return offer.authorization_server
    if servers:
        return require_https(servers[0], "issuer metadata", "authorization_servers[0]")
    return offer.credential_issuer


def token_endpoint(client: httpx.Client, offer: CredentialOffer, metadata: IssuerMetadata) -> str:
    """The token endpoint from the AS metadata (RFC 8414 ``issuer`` checked); for an issuer that is
    its own AS and has none, a pre-final ``token_endpoint`` in the issuer metadata."""
    step = "authorization server metadata"
    server = authorization_server(offer, metadata.raw)
    urls = [url for name in AS_WELL_KNOWN for url in well_known_urls(server, name)]
    data = _first_found(client, step, urls)
    if data is None:
        legacy = metadata.raw.get("token_endpoint")
        if same_identifier(server, metadata.credential_issuer) and legacy is not None:
            return require_https(legacy, "issuer metadata", "token_endpoint")
        raise WalletError(step, f"{server} publishes no authorization server metadata")
    if not same_identifier(data.get("issuer"), server):
        raise WalletError(step, f"issuer {data.get('issuer')!r} is not {server!r}")
    return require_https(data.get("token_endpoint"), step, "token_endpoint")

"""JSON over HTTP for the wallet: every transport or protocol failure becomes a ``WalletError``.

URLs must be https, except on loopback hosts (localhost, 127.0.0.0/8, ::1) so a wallet can talk
to an issuer on the same machine.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from api.wallet.errors import WalletError

TIMEOUT = 15.0


def is_loopback(host: str | None) -> bool:
    """True for localhost and loopback IP addresses."""
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_https(url: Any, step: str, what: str) -> str:
    """``url`` if it is an absolute https URL (http only for loopback hosts), else ``WalletError``."""
    if not isinstance(url, str) or not url:
        raise WalletError(step, f"{what} is missing or not a string")
    parts = urlsplit(url)
    if not parts.netloc or parts.scheme not in ("https", "http"):
        raise WalletError(step, f"{what} {url!r} is not an absolute https URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise WalletError(step, f"{what} {url!r} must use https")
    if parts.fragment:
        raise WalletError(step, f"{what} {url!r} must not have a fragment")
    return url


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def refusal(step: str, response: httpx.Response) -> WalletError:
    """The ``WalletError`` for an error response: its OAuth error (body, else WWW-Authenticate)."""
    body = _body(response)
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        description = body.get("error_description")
        return WalletError(
            step,
            error=body["error"],
            description=description if isinstance(description, str) else None,
            status=response.status_code,
        )
    challenge = _www_authenticate(response.headers.get("www-authenticate", ""))
    if "error" in challenge:
        return WalletError(
            step,
            error=challenge["error"],
            description=challenge.get("error_description"),
            status=response.status_code,
        )
    text = response.text.strip().replace("\n", " ")[:200]
    return WalletError(
        step, f"HTTP {response.status_code}" + (f": {text}" if text else ""), status=response.status_code
    )


def _www_authenticate(header: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for part in header.partition(" ")[2].split(","):
        name, _, value = part.strip().partition("=")
        if name and value:
            params[name.strip()] = value.strip().strip('"')
    return params


def response_member(response: httpx.Response, name: str) -> str | None:
    """A string member of a JSON object body (e.g. ``c_nonce`` in an error response), else None."""
    body = _body(response)
    value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, str) and value else None


def json_object(step: str, response: httpx.Response) -> dict[str, Any]:
    """The body of a successful response as a JSON object, or ``WalletError``."""
    body = _body(response)
    if not isinstance(body, dict):
        raise WalletError(step, f"the response is not a JSON object (HTTP {response.status_code})")
    return body


def send(
    client: httpx.Client,
    step: str,
    method: str,
    url: str,
    *,
    ok: tuple[int, ...] = (200,),
    **kwargs: Any,
) -> httpx.Response:
    """Send a request; a network failure or a status outside ``ok`` is a ``WalletError``."""
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise WalletError(step, f"cannot reach {url}: {exc}") from None
    if response.status_code not in ok:
        raise refusal(step, response)
    return response


def get_json(client: httpx.Client, step: str, url: str) -> dict[str, Any]:
    """GET a JSON object."""
    return json_object(step, send(client, step, "GET", url, headers={"Accept": "application/json"}))


def post_json(
    client: httpx.Client, step: str, url: str, body: Mapping[str, Any], *, token: str | None = None
) -> httpx.Response:
    """POST a JSON body (with a Bearer token); the raw response, any status, for the caller to judge."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    try:
        return client.post(url, content=json.dumps(body), headers=headers)
    except httpx.HTTPError as exc:
        raise WalletError(step, f"cannot reach {url}: {exc}") from None

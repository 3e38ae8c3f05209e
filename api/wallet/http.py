"""JSON over HTTP for the wallet: every transport or protocol failure becomes a ``WalletError``.

URLs must be https, except on loopback hosts (localhost, 127.0.0.0/8, ::1) so a wallet can talk
to an issuer on the same machine.

Everything the wallet fetches comes from parties it does not control, so ``wallet_client`` bounds
each exchange: an answer over ``MAX_RESPONSE_BYTES`` is dropped as it streams in (the declared
Content-Length is checked first), the whole exchange (connect, send, headers, body) must end within
``DEADLINE`` seconds (checked as each chunk arrives; a single wait is at most ``TIMEOUT``), answers
are asked for uncompressed and a compressed one is refused (no decompression bomb), and JSON nested
deeper than ``MAX_JSON_DEPTH`` is refused before it is decoded.
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from api.wallet.errors import WalletError
from trust_ledger.http_limits import MAX_JSON_DEPTH, MIB, nesting_exceeds

TIMEOUT = 15.0
"""Seconds for any single wait (connecting, sending, the next bytes of the answer)."""
DEADLINE = 30.0
"""Seconds for a whole exchange."""
MAX_RESPONSE_BYTES = MIB
"""An answer's bytes (offers, metadata, request objects, DID documents and credentials take a few KiB)."""


class ResponseLimitExceeded(httpx.TransportError):  # an httpx error: every caller already reports those
    """An answer too large, too slow, or compressed against the wallet's ask (see the module)."""


class _LimitedBody(httpx.SyncByteStream):
    """An answer's raw bytes, stopped once its transport's limits are exceeded."""

    def __init__(
        self, inner: httpx.SyncByteStream, request: httpx.Request, limits: LimitedTransport, ends: float
    ):
        self.inner, self.request, self.limits, self.ends = inner, request, limits, ends

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        for chunk in self.inner:
            received += len(chunk)
            if received > self.limits.max_bytes:
                raise ResponseLimitExceeded(self.limits.too_large, request=self.request)
            if self.limits.clock() > self.ends:
                raise ResponseLimitExceeded(self.limits.too_slow, request=self.request)
            yield chunk

    def close(self) -> None:
        self.inner.close()


class LimitedTransport(httpx.BaseTransport):
    """An httpx transport bounding each answer's size and each exchange's duration."""

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        *,
        max_bytes: int = MAX_RESPONSE_BYTES,
        deadline: float = DEADLINE,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.inner = inner or httpx.HTTPTransport()
        self.max_bytes, self.deadline, self.clock = max_bytes, deadline, clock
        self.too_large = f"the answer exceeds the wallet's limit of {max_bytes} bytes"
        self.too_slow = f"the answer did not arrive within {deadline:g}s"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        ends = self.clock() + self.deadline
        waits = request.extensions.get("timeout", {})
        request.extensions["timeout"] = {
            name: min(self.deadline, waits.get(name) or self.deadline)
            for name in ("connect", "read", "write", "pool")
        }
        response = self.inner.handle_request(request)
        problem = self._refusal(response, ends)
        if problem is not None:
            response.close()
            raise ResponseLimitExceeded(problem, request=request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _LimitedBody(response.stream, request, self, ends)
        return response

    def _refusal(self, response: httpx.Response, ends: float) -> str | None:
        """Why the answer is refused on its head alone, or None."""
        if self.clock() > ends:
            return self.too_slow
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return self.too_large
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            return f"the answer is compressed ({encoding}) though the wallet asked for identity"
        return None

    def close(self) -> None:
        self.inner.close()


def wallet_client(**limits: Any) -> httpx.Client:
    """The wallet's HTTP client, within the limits (``LimitedTransport`` keyword arguments override them)."""
    return httpx.Client(
        timeout=TIMEOUT,
        transport=LimitedTransport(**limits),
        headers={"Accept-Encoding": "identity"},
        follow_redirects=False,
    )


def decode_json(data: bytes | str) -> Any:
    """JSON from elsewhere: ``ValueError`` if it is not JSON or nests deeper than ``MAX_JSON_DEPTH``."""
    if nesting_exceeds(data):
        raise ValueError(f"it nests deeper than {MAX_JSON_DEPTH} levels")
    return json.loads(data)


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


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON body (``decode_json``), or None when it is not acceptable JSON."""
    try:
        return decode_json(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def refusal(step: str, response: httpx.Response) -> WalletError:
    """The ``WalletError`` for an error response: its OAuth error (body, else WWW-Authenticate)."""
    body = json_body(response)
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
    body = json_body(response)
    value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, str) and value else None


def json_object(step: str, response: httpx.Response) -> dict[str, Any]:
    """The body of a successful response as a JSON object, or ``WalletError``."""
    if nesting_exceeds(response.content):
        raise WalletError(step, f"the response nests deeper than {MAX_JSON_DEPTH} levels")
    body = json_body(response)
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

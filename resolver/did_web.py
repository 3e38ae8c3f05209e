"""Where a did:web DID's document is published (did:web Method Specification, w3c-ccg/did-method-web,
"Read (Resolve)"): ``did:web:<domain>[%3A<port>][:<path>...]`` -> ``https://<domain>[:<port>]/<path>/did.json``,
or ``/.well-known/did.json`` without a path. Pure functions.

The model: the registry attests an entity's keys and services (the ledger's document is the
authoritative one, and resolution metadata says so); the document at the did:web location is a
published copy of it, which the issuer and verifier modules serve from the same views
(api/did_web.py) and ``trust-ledger did export`` writes out for hosting elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from resolver.did_syntax import is_did

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_IP_ADDRESS = re.compile(r"[0-9.]+")
_PORT = re.compile(r"[0-9]{1,5}")
_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")


@dataclass(frozen=True)
class WebLocation:
    """The HTTPS authority (host, and port if any) and the path of a did:web document."""

    authority: str
    path: str

    @property
    def url(self) -> str:
        return f"https://{self.authority}{self.path}"


def web_location(did: str) -> WebLocation | None:
    """The did:web location of `did`; None for another method or a did:web whose domain is not a
    host name (an IP address is not allowed), whose port is not a number, or whose path segments
    are not plain URL path segments once percent-decoded."""
    if not did.startswith("did:web:") or not is_did(did):
        return None
    domain, *segments = did.removeprefix("did:web:").split(":")
    host, _, port = unquote(domain).partition(":")
    if not _HOST.fullmatch(host) or _IP_ADDRESS.fullmatch(host) or (port and not _PORT.fullmatch(port)):
        return None
    decoded = [unquote(segment) for segment in segments]
    if any(not _SEGMENT.fullmatch(s) or s in (".", "..") for s in decoded):
        return None
    path = "/" + "/".join(decoded) + "/did.json" if decoded else "/.well-known/did.json"
    return WebLocation(f"{host}:{port}" if port else host, path)

"""The issuer signer the publishers need, and a local P-256 implementation of it."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from joserfc import jwt
from joserfc.jwk import ECKey

from trust_ledger.codecs import public_jwk


@runtime_checkable
class JwsSigner(Protocol):
    """Whoever signs for an issuer: a DID, the DID URL of its key and the JWS algorithm.

    `sign` returns a compact JWS over `payload` (a JSON object) whose protected header is
    `header` plus `alg` and `kid`; it must not change any other header field (notably `typ`).
    """

    did: str
    kid: str
    alg: str

    def sign(self, header: dict[str, Any], payload: dict[str, Any]) -> str: ...


class LocalEcSigner:
    """A JwsSigner holding a joserfc EC key in memory (ES256 on P-256 by default)."""

    def __init__(self, key: ECKey, did: str, kid: str | None = None, alg: str = "ES256"):
        if not key.is_private:
            raise ValueError("a signer needs a private key")
        self.key = key
        self.did = did
        self.kid = kid or f"{did}#{key.thumbprint()}"
        self.alg = alg

    @classmethod
    def generate(cls, did: str, kid: str | None = None) -> LocalEcSigner:
        """A signer with a fresh P-256 key."""
        return cls(ECKey.generate_key("P-256"), did, kid)

    def public_jwk(self) -> dict[str, Any]:
        """The public key as a JWK (what the issuer's DID document should list under `kid`)."""
        return public_jwk(self.key.as_dict(private=False))

    def public_key(self) -> ECKey:
        """The public key as a joserfc key, for verifying."""
        return ECKey.import_key(self.public_jwk())

    def sign(self, header: dict[str, Any], payload: dict[str, Any]) -> str:
        """Compact JWS of `payload` with `header` + this signer's `alg` and `kid`."""
        protected = {**header, "alg": self.alg, "kid": self.kid}
        return jwt.encode(protected, payload, self.key, algorithms=[self.alg])

"""Signing keys (issuer and holder) and algorithm-pinned JWS verification.

Keys are P-256 (ES256, the default), secp256k1 (ES256K) or Ed25519 (EdDSA). Key pairs are generated
with ``cryptography`` and handled as ``joserfc`` JWKs; all JWS work is joserfc's. Verification never
trusts the token's ``alg`` on its own: it must belong to the verification key's type.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError, UnsupportedAlgorithmError
from joserfc.jwk import ECKey, OKPKey, import_key
from joserfc.jws import CompactSignature, JWSRegistry

from api.credentials.errors import (
    AlgKeyMismatch,
    AlgNone,
    AlgSymmetric,
    KeyUnsupported,
    MalformedToken,
    SignatureInvalid,
)
from trust_ledger.codecs import private_jwk_members, required_jwk
from trust_ledger.http_limits import MAX_JSON_DEPTH, nesting_exceeds

Curve = Literal["P-256", "secp256k1", "Ed25519"]

SIGNING_ALG: dict[str, str] = {"P-256": "ES256", "secp256k1": "ES256K", "Ed25519": "EdDSA"}
"""The JOSE ``alg`` we sign with, per curve."""

ACCEPTED_ALGS: dict[str, tuple[str, ...]] = {
    "P-256": ("ES256",),
    "secp256k1": ("ES256K",),
    "Ed25519": ("EdDSA", "Ed25519"),
}
"""The ``alg`` values a key of each curve may verify (``Ed25519`` is the RFC 9864 name)."""

_KTY_FOR_CURVE = {"P-256": "EC", "secp256k1": "EC", "Ed25519": "OKP"}


class _PinnedRegistry(JWSRegistry):
    """A joserfc registry that allows exactly the given algorithms (no 'recommended' fallback)."""

    max_header_length = 8192

    def get_alg(self, name: str) -> Any:
        if not self.allowed or name not in self.allowed or name not in self.algorithms:
            raise UnsupportedAlgorithmError(f"Algorithm of '{name}' is not allowed")
        return self.algorithms[name]


@functools.cache
def _registry(alg: str) -> JWSRegistry:
    """The registry pinned to ``alg`` (one per algorithm: a registry is only read once made)."""
    return _PinnedRegistry(algorithms=[alg], strict_check_header=False)


_READING = _PinnedRegistry(algorithms=[], strict_check_header=False)
"""For reading a header or payload before verification: joserfc's default registry refuses a
protected header over 512 bytes, which the ``kid`` of a jwk_jcs-pub did:key (DID#DID, ~350
characters for P-256) alone nearly fills."""


def curve_of(jwk: Mapping[str, Any]) -> Curve:
    """The curve of a supported JWK, or ``KeyUnsupported``."""
    if not isinstance(jwk, Mapping):
        raise KeyUnsupported("JWK is not a JSON object")
    crv = jwk.get("crv")
    if crv not in _KTY_FOR_CURVE or jwk.get("kty") != _KTY_FOR_CURVE[crv]:
        raise KeyUnsupported(f"unsupported key kty={jwk.get('kty')!r} crv={crv!r}")
    return crv


def public_jwk(jwk: Mapping[str, Any]) -> dict[str, Any]:
    """Only the key-defining members (kty, crv, x, y; RFC 7638) of a supported JWK, private or not."""
    curve_of(jwk)
    return required_jwk(jwk)


def import_public_jwk(jwk: Mapping[str, Any]) -> ECKey | OKPKey:
    """A joserfc key for a *public* JWK; refuses private members and unsupported curves."""
    curve_of(jwk)
    private = private_jwk_members(jwk)
    if private:
        raise KeyUnsupported(f"public JWK carries private members: {', '.join(sorted(private))}")
    try:
        key = import_key(dict(jwk))
    except (JoseError, ValueError, TypeError) as exc:
        raise KeyUnsupported(f"invalid JWK: {exc}") from None
    return key  # type: ignore[return-value]


class ImportedJwk(Mapping[str, Any]):
    """A read-only public JWK imported once (a registered key parsed once per key material):
    ``verify_jws`` verifies with its joserfc key instead of importing the JWK again."""

    def __init__(self, jwk: Mapping[str, Any]):
        self._jwk = dict(jwk)
        self.key = import_public_jwk(self._jwk)

    def __getitem__(self, name: str) -> Any:
        return self._jwk[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._jwk)

    def __len__(self) -> int:
        return len(self._jwk)


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint of a JWK's public part."""
    return import_public_jwk(public_jwk(jwk)).thumbprint()


@dataclass(frozen=True)
class SigningKey:
    """A private signing key with the identifiers used to publish it.

    ``key_id`` is the verification-method fragment (default: the RFC 7638 thumbprint); with a
    ``did`` the JWS ``kid`` is ``"<did>#<key_id>"`` (a DID URL), otherwise just ``key_id``.
    """

    key: ECKey | OKPKey = field(repr=False)
    key_id: str
    did: str | None = None

    @classmethod
    def generate(
        cls, curve: Curve = "P-256", *, did: str | None = None, key_id: str | None = None
    ) -> SigningKey:
        """A fresh key pair on ``curve`` (P-256 default, secp256k1, Ed25519)."""
        if curve == "P-256":
            key: ECKey | OKPKey = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
        elif curve == "secp256k1":
            key = ECKey.import_key(ec.generate_private_key(ec.SECP256K1()))
        elif curve == "Ed25519":
            key = OKPKey.import_key(ed25519.Ed25519PrivateKey.generate())
        else:
            raise KeyUnsupported(f"unsupported curve {curve!r}")
        return cls(key=key, key_id=key_id or key.thumbprint(), did=did)

    @classmethod
    def from_jwk(
        cls, jwk: Mapping[str, Any] | str, *, did: str | None = None, key_id: str | None = None
    ) -> SigningKey:
        """Load a private JWK (a mapping or its JSON text)."""
        data = json.loads(jwk) if isinstance(jwk, str) else dict(jwk)
        curve_of(data)
        if "d" not in data:
            raise KeyUnsupported("JWK has no private part 'd'")
        try:
            key = import_key(data)
        except (JoseError, ValueError, TypeError) as exc:
            raise KeyUnsupported(f"invalid JWK: {exc}") from None
        return cls(key=key, key_id=key_id or key.thumbprint(), did=did)  # type: ignore[arg-type]

    @property
    def curve(self) -> Curve:
        return curve_of(self.key.as_dict(private=False))

    @property
    def alg(self) -> str:
        """The JOSE algorithm this key signs with (ES256 / ES256K / EdDSA)."""
        return SIGNING_ALG[self.curve]

    @property
    def kid(self) -> str:
        """``"<did>#<key_id>"`` when the key belongs to a DID, else ``key_id``."""
        return f"{self.did}#{self.key_id}" if self.did else self.key_id

    @property
    def public_jwk(self) -> dict[str, Any]:
        """The public JWK (kty, crv, x, y; no private members), e.g. for a JsonWebKey2020 on chain."""
        return public_jwk(self.key.as_dict(private=False))

    def private_jwk(self) -> dict[str, Any]:
        """The private JWK, for storage in a secret store."""
        return {**self.public_jwk, "d": self.key.as_dict(private=True)["d"]}

    def verification_method(self) -> dict[str, Any]:
        """A ``JsonWebKey2020`` verification method for the DID document (needs ``did``)."""
        if not self.did:
            raise ValueError("a verification method needs the key's DID")
        return {
            "id": self.kid,
            "type": "JsonWebKey2020",
            "controller": self.did,
            "publicKeyJwk": self.public_jwk,
        }

    def sign(
        self,
        payload: Mapping[str, Any] | bytes,
        header: Mapping[str, Any] | None = None,
        *,
        include_kid: bool = True,
    ) -> str:
        """A compact JWS over ``payload`` (a claims mapping is JSON-encoded) with ``alg`` set for this key.

        ``header`` adds members (typ, jku, jwk, ...); a conflicting ``alg`` is refused.
        """
        protected: dict[str, Any] = {"alg": self.alg}
        if include_kid:
            protected["kid"] = self.kid
        for name, value in (header or {}).items():
            if name == "alg" and value != self.alg:
                raise ValueError(f"header alg {value!r} does not match the key's {self.alg}")
            protected[name] = value
        body = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
        return jws.serialize_compact(protected, body, self.key, registry=_registry(self.alg))


class CompactJws:
    """A compact JWS split and decoded once, *unverified*: its protected header, its payload and,
    when first asked, its claims. ``issuer_jwk`` and ``verify_jws`` take it as it is, so a token is
    decoded once however many checks read it."""

    def __init__(self, token: str):
        """``MalformedToken`` unless ``token`` is a compact JWS with a JSON object header."""
        if not isinstance(token, str) or token.count(".") != 2:
            raise MalformedToken("not a compact JWS")
        try:
            self.signature: CompactSignature = jws.extract_compact(token.encode("ascii"), registry=_READING)
        except (JoseError, ValueError, UnicodeError, RecursionError) as exc:
            raise MalformedToken(f"not a compact JWS: {exc}") from None
        self.token = token
        self.header: dict[str, Any] = dict(self.signature.headers())

    @property
    def payload(self) -> bytes:
        return self.signature.payload

    @functools.cached_property
    def claims(self) -> dict[str, Any]:
        """The payload as a JSON object (decoded once), or ``MalformedToken``."""
        return json_object(self.payload, "JWS payload")


def compact_jws(token: str | CompactJws) -> CompactJws:
    """``token`` decoded (``MalformedToken`` if it is no compact JWS), unless it is already."""
    return token if isinstance(token, CompactJws) else CompactJws(token)


@dataclass(frozen=True)
class VerifiedJws:
    """A compact JWS whose signature has been verified."""

    header: dict[str, Any]
    jws: CompactJws = field(repr=False)
    key: ImportedJwk = field(repr=False)
    """The key it verified with, imported (hand it on rather than import the JWK again)."""

    @property
    def payload(self) -> bytes:
        return self.jws.payload

    def claims(self) -> dict[str, Any]:
        """The payload as a JSON object, or ``MalformedToken``."""
        return self.jws.claims


def json_object(data: bytes | str, what: str) -> dict[str, Any]:
    """Decode a JSON object (anything else is ``MalformedToken``): RFC 8259 JSON only (no NaN or
    Infinity), nested at most ``MAX_JSON_DEPTH`` levels (checked before decoding)."""
    if nesting_exceeds(data):
        raise MalformedToken(f"{what} nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        value = json.loads(data, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise MalformedToken(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise MalformedToken(f"{what} is not a JSON object")
    return value


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def read_header(token: str) -> dict[str, Any]:
    """The protected header of a compact JWS, *unverified*."""
    return CompactJws(token).header


def read_payload(token: str) -> dict[str, Any]:
    """The claims of a compact JWS, *unverified* (to find the issuer before resolving its key)."""
    return CompactJws(token).claims


def check_alg(alg: Any, jwk: Mapping[str, Any], allowed_algs: Collection[str] | None = None) -> str:
    """Pin ``alg`` to the key: refuse none, HMAC, and any alg not made for this key type."""
    if not isinstance(alg, str) or not alg:
        raise MalformedToken("JOSE header has no alg")
    if alg.lower() == "none":
        raise AlgNone("alg 'none' (unsecured JWS) is refused")
    if alg.upper().startswith("HS"):
        raise AlgSymmetric(f"symmetric alg {alg!r} is refused")
    curve = curve_of(jwk)
    if alg not in ACCEPTED_ALGS[curve]:
        raise AlgKeyMismatch(f"alg {alg!r} does not match a {curve} key")
    if allowed_algs is not None and alg not in allowed_algs:
        raise AlgKeyMismatch(f"alg {alg!r} is not in the allowed list {sorted(allowed_algs)}")
    return alg


def verify_jws(
    token: str | CompactJws, jwk: Mapping[str, Any], *, allowed_algs: Collection[str] | None = None
) -> VerifiedJws:
    """Verify a compact JWS (or one decoded already) with a public JWK, the ``alg`` pinned to the
    key type.

    Raises ``MalformedToken``, ``AlgNone``, ``AlgSymmetric``, ``AlgKeyMismatch``, ``KeyUnsupported``
    or ``SignatureInvalid``.
    """
    parsed = compact_jws(token)
    alg = check_alg(parsed.header.get("alg"), jwk, allowed_algs)
    key = jwk if isinstance(jwk, ImportedJwk) else ImportedJwk(jwk)
    try:
        valid = jws.validate_compact(parsed.signature, key.key, registry=_registry(alg))
    except BadSignatureError:
        valid = False
    except (JoseError, ValueError, TypeError, RecursionError) as exc:  # TypeError: joserfc on "crit": 5
        raise MalformedToken(f"JWS rejected: {exc}") from None
    if not valid:
        raise SignatureInvalid("JWS signature does not verify")
    return VerifiedJws(header=parsed.header, jws=parsed, key=key)


IssuerKeySource = Mapping[str, Any] | Callable[[dict[str, Any], dict[str, Any]], Mapping[str, Any]]
"""A public JWK, or a resolver ``(header, unverified payload) -> public JWK`` (e.g. DID resolution of
``kid``, checked against ``iss``); the resolver raises when the key cannot be validated."""


def issuer_jwk(source: IssuerKeySource, token: str | CompactJws) -> Mapping[str, Any]:
    """The verification key for ``token`` from a JWK or a resolver (given the token's decoded
    header and claims, which it reads and does not change)."""
    if isinstance(source, Mapping):
        return source
    parsed = compact_jws(token)
    return source(parsed.header, parsed.claims)

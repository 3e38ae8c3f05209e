"""One error taxonomy for the credential layer: every failure has its own class and reason code.

``reason`` is a stable machine-readable code (logged, mapped to HTTP/OAuth errors at the edge);
the message is for humans. Classes nest so callers can catch a family (e.g. ``AlgNotAllowed``).
"""

from __future__ import annotations


class CredentialError(Exception):
    """Base of every credential-layer failure."""

    reason = "CREDENTIAL_INVALID"


class MalformedToken(CredentialError):
    """Not a well-formed compact JWS / SD-JWT / claim set."""

    reason = "MALFORMED"


class KeyUnsupported(CredentialError):
    """A key that is not an asymmetric P-256, secp256k1 or Ed25519 key (or holds private members)."""

    reason = "KEY_UNSUPPORTED"


class AlgNotAllowed(CredentialError):
    """The JWS ``alg`` is refused."""

    reason = "ALG_NOT_ALLOWED"


class AlgNone(AlgNotAllowed):
    """``alg: none`` (unsecured JWS)."""


class AlgSymmetric(AlgNotAllowed):
    """An HMAC ``alg`` (HS256/384/512): the public key must never be used as a MAC secret."""


class AlgKeyMismatch(AlgNotAllowed):
    """An ``alg`` that does not belong to the verification key's type (or is not in the allow-list)."""


class SignatureInvalid(CredentialError):
    """The signature does not verify with the given key."""

    reason = "SIGNATURE_INVALID"


class TypInvalid(CredentialError):
    """The JOSE header ``typ`` is missing or not the one this token type requires."""

    reason = "TYP_INVALID"


class ClaimMissing(CredentialError):
    """A required claim is absent or has the wrong JSON type."""

    reason = "CLAIM_MISSING"


class Expired(CredentialError):
    """``exp`` is in the past (beyond leeway)."""

    reason = "EXPIRED"


class NotYetValid(CredentialError):
    """``nbf`` is in the future (beyond leeway)."""

    reason = "NOT_YET_VALID"


class IatInvalid(CredentialError):
    """``iat`` is outside the accepted freshness window."""

    reason = "IAT_INVALID"


class NonceMismatch(CredentialError):
    """``nonce`` is not the expected one."""

    reason = "NONCE_MISMATCH"


class AudienceMismatch(CredentialError):
    """``aud`` is not the expected audience."""

    reason = "AUDIENCE_MISMATCH"


class IssuerMismatch(CredentialError):
    """``iss`` (or the signing key's DID) is not the expected issuer."""

    reason = "ISSUER_MISMATCH"


class DisclosureMismatch(CredentialError):
    """A disclosure is malformed, unreferenced, duplicated, or discloses a protected claim."""

    reason = "DISCLOSURE_MISMATCH"


class SdAlgUnsupported(DisclosureMismatch):
    """``_sd_alg`` is not ``sha-256``."""

    reason = "SD_ALG_UNSUPPORTED"


class HolderBindingInvalid(CredentialError):
    """Holder binding failed: no ``cnf`` key, bad KB-JWT / VP signature, or a different holder."""

    reason = "HOLDER_BINDING_INVALID"


class HolderBindingMissing(HolderBindingInvalid):
    """Key binding is required but the presentation carries no KB-JWT."""

    reason = "HOLDER_BINDING_MISSING"


class SdHashMismatch(HolderBindingInvalid):
    """The KB-JWT ``sd_hash`` does not match the presented SD-JWT."""

    reason = "SD_HASH_MISMATCH"


class DidInvalid(CredentialError):
    """A holder DID / DID URL that cannot be parsed or resolved."""

    reason = "DID_INVALID"


class DidMethodUnsupported(DidInvalid):
    """A DID method other than did:jwk and did:key."""

    reason = "DID_METHOD_UNSUPPORTED"


class DidKeyMismatch(DidInvalid):
    """The resolved verification method's key differs from the key the DID encodes."""

    reason = "DID_KEY_MISMATCH"

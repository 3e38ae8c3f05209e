"""Reason codes of the trust decision: one per way a presentation can fail.

The credential layer's own codes (``api.credentials.errors``: SIGNATURE_INVALID, ALG_NOT_ALLOWED,
NONCE_MISMATCH, ...) pass through unchanged; the codes below are the verifier's.
"""

from __future__ import annotations

from projections.trust_freshness import TRUST_DATA_STALE as _TRUST_DATA_STALE

ISSUER_UNKNOWN = "ISSUER_UNKNOWN"
"""The credential's issuer DID is not an entity of the registry."""
ISSUER_NOT_ACTIVE = "ISSUER_NOT_ACTIVE"
"""The issuer itself is suspended or revoked."""
ANCESTOR_NOT_ACTIVE = "ANCESTOR_NOT_ACTIVE"
"""An ancestor of the issuer (up to the root) is suspended or revoked."""
DID_CONTROL_UNPROVEN = "DID_CONTROL_UNPROVEN"
"""The issuer (or an ancestor) was registered with a proof of control of its DID that does not
verify: the DID is claimed, not proven (contracts/README.md, "Proof of control")."""
NOT_ACCREDITED = "NOT_ACCREDITED"
"""The issuer (or an ancestor) holds no accreditation for this credential type at issuance time."""
ROLE_NOT_ACCREDITED = "ROLE_NOT_ACCREDITED"
"""A role the credential grants is beyond what the issuer (or an ancestor) is accredited for."""
KEY_UNKNOWN = "KEY_UNKNOWN"
"""The signing key (``kid``) is not a key of the issuer, or not an assertion key."""
KEY_NOT_VALID_AT_ISSUANCE = "KEY_NOT_VALID_AT_ISSUANCE"
"""The signing key was not valid when the credential was issued (not yet added, expired or revoked)."""
KEY_COMPROMISED = "KEY_COMPROMISED"
"""The signing key was revoked as compromised: every signature by it is refused, whatever its date
(the signer chose the date; see the README's "Compromised keys")."""
REVOKED = "REVOKED"
SUSPENDED = "SUSPENDED"
STATUS_UNKNOWN = "STATUS_UNKNOWN"
"""The credential points at a status list the registry does not hold for its issuer."""
STATUS_MISSING = "STATUS_MISSING"
"""The query requires a status reference and the credential carries none."""
TYPE_MISMATCH = "TYPE_MISMATCH"
"""The credential is not of the type (or format) the query asked for."""
CLAIMS_NOT_DISCLOSED = "CLAIMS_NOT_DISCLOSED"
"""A claim the query requires was not disclosed."""
HOLDER_MISMATCH = "HOLDER_MISMATCH"
"""The credentials, or the SIOP id_token, are not all bound to the same holder."""
REPLAYED = "REPLAYED"
"""This request was already answered: a response is accepted once."""
REQUEST_UNKNOWN = "REQUEST_UNKNOWN"
"""No open presentation request has this ``state`` (unknown or expired)."""
QUERY_UNANSWERED = "QUERY_UNANSWERED"
"""The ``vp_token`` does not answer every credential query (or answers one twice)."""
ID_TOKEN_INVALID = "ID_TOKEN_INVALID"
"""The SIOPv2 self-issued ID token is missing or invalid."""
WALLET_ERROR = "WALLET_ERROR"
"""The wallet answered with an OAuth error instead of a presentation. The session stays open (the
holder may still present); this is its result only if nothing else came before it expired."""
REQUEST_ALREADY_FETCHED = "REQUEST_ALREADY_FETCHED"
"""The request object is served once (``request_object_single_fetch``): a second fetch is refused,
so whoever sees the QR code after the holder's wallet fetched it learns no ``state``."""
RESPONSE_CODE_REQUIRED = "RESPONSE_CODE_REQUIRED"
"""DWVP-01-201 of a same-device transaction (opened with ``redirectUri``) without ``responseCode``."""
RESPONSE_CODE_MISMATCH = "RESPONSE_CODE_MISMATCH"
"""DWVP-01-201 with a ``responseCode`` that no response of this transaction was given."""
TRUST_DATA_STALE = _TRUST_DATA_STALE
"""The trust data is halted or older than the freshness bound (projections.trust_freshness): the
verifier refuses rather than answer "trusted" from stale data; the message names the block, the age
and any halt reason."""


class Refused(Exception):
    """A presentation is not trusted; ``reason`` is one code, the message names what failed."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"

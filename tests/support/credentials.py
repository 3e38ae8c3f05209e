"""Helpers of the credentials tests (their fixtures are in tests/credentials/conftest.py)."""

from __future__ import annotations

from trust_ledger.codecs import JWK_JCS_PUB, multibase_encode

CURVES = ("P-256", "secp256k1", "Ed25519")
NOW = 1_800_000_000
ISSUER_DID = "did:web:issuer.trust-ledger.test"
ISSUER_ID = "https://issuer.trust-ledger.test"

EBSI_DID_KEY = (
    "did:key:z2dmzD81cgPx8Vki7JbuuMmFYrWPgYoytykUZ3eyqht1j9KbsEYvdrjxMjQ4tpnje9BDBTzuNDP3knn6qLZErzd4bJ5go2C"
    "ChoPjd5GAH3zpFJP5fuwSk66U5Pq6EhF4nKnHzDnznEP8fX99nZGgwbAh1o7Gj1X52Tdhf7U4KTk66xsA5r"
)
"""The example jwk_jcs-pub did:key of EBSI's did:key resolver (npm @cef-ebsi/key-did-resolver, README)."""
EBSI_DID_KEY_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "ngy44T1vxAT6Di4nr-UaM9K3Tlnz9pkoksDokKFkmNc",
    "y": "QCRfOKlSM31GTkb4JHx3nXB4G_jSPMsbdjzlkT_UpPc",
}
"""Its publicKeyJwk as published with it (Sphereon's did:key resolver test fixture jwk_jcs_did_doc.json)."""


def jwk_jcs_did_key(body: bytes) -> str:
    """A did:key of the jwk_jcs-pub multicodec around any ``body`` (JCS or not, a key or not)."""
    return "did:key:" + multibase_encode(JWK_JCS_PUB.header + body)

"""Helpers of the credentials tests (their fixtures are in tests/credentials/conftest.py)."""

from __future__ import annotations

CURVES = ("P-256", "secp256k1", "Ed25519")
NOW = 1_800_000_000
ISSUER_DID = "did:web:issuer.trust-ledger.test"
ISSUER_ID = "https://issuer.trust-ledger.test"

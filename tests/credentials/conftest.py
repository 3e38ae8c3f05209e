"""Fixtures for credential-format tests: fresh keys per curve, a fixed clock."""

from __future__ import annotations

import pytest

from api.credentials.keys import SigningKey
from tests.support.credentials import CURVES, ISSUER_DID


@pytest.fixture(params=CURVES)
def curve(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def issuer_key(curve: str) -> SigningKey:
    return SigningKey.generate(curve, did=ISSUER_DID, key_id="key-1")  # type: ignore[arg-type]


@pytest.fixture
def p256_issuer() -> SigningKey:
    return SigningKey.generate("P-256", did=ISSUER_DID, key_id="key-1")


@pytest.fixture
def holder_key() -> SigningKey:
    return SigningKey.generate("P-256")

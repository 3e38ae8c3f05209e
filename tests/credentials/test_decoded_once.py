"""A presentation's JWTs are decoded once and the holder's key imported once (issue 18, target 2):
the checks before the signature (typ, kid, iss) and the signature check share one decoding, and
the key that verified the holder's signature is the one its did:jwk is made from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jws

from api.credentials import dids, keys
from api.credentials.jwt_vc import create_vp_jwt, issue_jwt_vc, verify_vp_jwt
from api.credentials.keys import ImportedJwk, SigningKey
from api.credentials.sd_jwt import issue_sd_jwt_vc, present, verify_sd_jwt_vc
from tests.support.credentials import ISSUER_DID, NOW

AUD = "did:web:verifier.test"
NONCE = "n-0S6_WzA2Mj"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often a compact JWS is decoded and a JWK imported, from here on."""
    counts: Counter[str] = Counter()

    def counting(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return function(*args, **kwargs)

        return call

    monkeypatch.setattr(jws, "extract_compact", counting("decoded", jws.extract_compact))
    imported = counting("imported", keys.import_public_jwk)
    monkeypatch.setattr(keys, "import_public_jwk", imported)
    monkeypatch.setattr(dids, "import_public_jwk", imported)
    return counts


def test_an_sd_jwt_presentation_decodes_each_jwt_once_and_imports_the_cnf_key_once(
    p256_issuer: SigningKey, holder_key: SigningKey, counted: Counter[str]
) -> None:
    issued = issue_sd_jwt_vc(
        p256_issuer,
        vct="EmployeeCredential",
        claims={"name": "Alice"},
        holder_jwk=holder_key.public_jwk,
        expires_at=NOW + 3600,
        issued_at=NOW,
    )
    presentation = present(issued.sd_jwt, holder=holder_key, audience=AUD, nonce=NONCE, issued_at=NOW)
    issuer_jwk = ImportedJwk(p256_issuer.public_jwk)
    expected_holder = dids.did_jwk(holder_key.public_jwk)
    counted.clear()

    verified = verify_sd_jwt_vc(presentation, issuer_jwk, audience=AUD, nonce=NONCE, now=NOW)
    assert verified.holder_key is not None
    holder = dids.did_jwk(verified.holder_key)

    assert holder == expected_holder
    assert counted["decoded"] == 2  # the issuer's JWT, the KB-JWT
    assert counted["imported"] == 1  # the cnf key, for the KB-JWT and the holder's did:jwk


def test_a_vp_jwt_decodes_each_jwt_once_and_imports_the_holder_key_once(
    p256_issuer: SigningKey, counted: Counter[str]
) -> None:
    key = SigningKey.generate("P-256")
    did, kid = dids.holder_did(key.public_jwk, "jwk")
    holder = SigningKey(key=key.key, key_id=kid.partition("#")[2], did=did)
    credential = issue_jwt_vc(
        p256_issuer,
        holder_did=did,
        types=["EmployeeCredential"],
        credential_subject={"name": "Alice"},
        expires_at=NOW + 3600,
        issued_at=NOW,
        valid_from=NOW,
        issuer_id=ISSUER_DID,
    )
    vp_jwt = create_vp_jwt(holder, [credential], audience=AUD, nonce=NONCE, issued_at=NOW)
    issuer_jwk = ImportedJwk(p256_issuer.public_jwk)
    counted.clear()

    verified = verify_vp_jwt(vp_jwt, issuer_jwk, audience=AUD, nonce=NONCE, now=NOW)

    assert verified.holder == did
    assert counted["decoded"] == 2  # the VP-JWT, the credential in it
    assert counted["imported"] == 1  # the did:jwk's key, checked and then verifying the VP-JWT

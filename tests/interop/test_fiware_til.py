"""FIWARE VCVerifier's trusted-issuer check (tests/support/vcverifier.py, transcribed from its Go
source) applied over HTTP to our resolver's FIWARE TIL / EBSI TIR v4 answers on a real chain."""

from __future__ import annotations

import time
from typing import Any

import pytest

from api.credentials.jwt_vc import issue_jwt_vc
from api.credentials.keys import SigningKey, read_payload
from tests.support.interop import Interop
from tests.support.vcverifier import (
    ERROR_FORBIDDEN_CLAIMS,
    ERROR_NO_TIL_DEFINED,
    Credential,
    trust_context,
    validate_vc,
    verify_with_json_path,
)
from tests.support.verifier import AGENCY, EMPLOYEE, ISSUER, SUBJECT, TARGET


def _credential(interop: Interop, subject: dict[str, Any] | None = None, issuer: str = ISSUER) -> Credential:
    """A jwt_vc_json credential as the issuer issues it, read as VCVerifier reads it."""
    world = interop.world
    token = issue_jwt_vc(
        world.issuer_key if issuer == ISSUER else SigningKey.generate(did=issuer, key_id="key-1"),
        holder_did=world.holder_did,
        types=[EMPLOYEE],
        credential_subject=subject or SUBJECT,
        expires_at=int(time.time()) + 3600,
    )
    return Credential.from_jwt_vc(read_payload(token))


def _check(interop: Interop, credential: Credential) -> tuple[bool, str | None]:
    """What VCVerifier decides for `credential` with our resolver as the TIL of each of its types
    (a FIWARE service configures one for VerifiableCredential too: an unconfigured type has no TIL)."""
    configured = {EMPLOYEE: [interop.resolver_url], "VerifiableCredential": [interop.resolver_url]}
    return validate_vc(credential, trust_context(configured, credential.types))


def test_vcverifier_trusts_an_issuer_only_while_it_is_trusted(interop: Interop) -> None:
    """Issue 16 item 4: our /v4/issuers/{did} answered 200 for suspended (`issuerType: Revoked`)
    and revoked (`attributes: []`) issuers, and VCVerifier takes a 200 for a trusted issuer; nor did
    we publish an attribute for VerifiableCredential, so no W3C credential passed its type check."""
    world = interop.world
    credential = _credential(interop)
    assert credential.types == ["VerifiableCredential", EMPLOYEE]
    assert _check(interop, credential) == (True, None)

    world.on_chain("dev1", "set_status", ISSUER, "suspended")
    assert _check(interop, credential) == (False, ERROR_NO_TIL_DEFINED)
    world.on_chain("dev1", "set_status", ISSUER, "active")
    assert _check(interop, credential) == (True, None)

    world.on_chain("anchor", "set_status", AGENCY, "suspended")  # the issuer's parent
    assert _check(interop, credential) == (False, ERROR_NO_TIL_DEFINED)
    world.on_chain("anchor", "set_status", AGENCY, "active")
    assert _check(interop, credential) == (True, None)

    world.on_chain("dev1", "withdraw_accreditation", ISSUER, EMPLOYEE)
    assert _check(interop, credential) == (False, ERROR_FORBIDDEN_CLAIMS)
    world.on_chain("dev1", "accredit", ISSUER, EMPLOYEE, [(TARGET, ["reader"])])
    assert _check(interop, credential) == (True, None)

    world.on_chain("dev1", "set_status", ISSUER, "revoked")
    assert _check(interop, credential) == (False, ERROR_NO_TIL_DEFINED)


def test_vcverifier_refuses_an_unknown_issuer_and_roles_beyond_the_accreditation(interop: Interop) -> None:
    """The issuer is accredited for `reader` on TARGET (its parent for reader and writer): the
    published claims let VCVerifier refuse a `writer` role, as our own rule does."""
    reader = _credential(interop, {**SUBJECT, "roles": [{"target": TARGET, "names": ["reader"]}]})
    assert _check(interop, reader) == (True, None)
    for roles in (
        [{"target": TARGET, "names": ["reader", "writer"]}],
        [{"target": "did:web:elsewhere.verifier.test", "names": ["reader"]}],
    ):
        beyond = _credential(interop, {**SUBJECT, "roles": roles})
        assert _check(interop, beyond) == (False, ERROR_FORBIDDEN_CLAIMS), roles
    unknown = _credential(interop, issuer="did:web:nobody.verifier.test")
    assert _check(interop, unknown) == (False, ERROR_NO_TIL_DEFINED)


# VCVerifier's own cases for verifyWithJsonPath (verifier/trustedissuer_test.go TestVerifyWithJsonPath),
# run through the transcription: (path, allowed values, subject, expected).
FILTER = '$.test[?(@.a=="b")].role[*]'
JSON_PATH_CASES: list[tuple[str, list[Any], dict[str, Any], bool]] = [
    ("$.test", ["value"], {"test": "value"}, True),
    ("$.test", ["value", "otherValue"], {"test": "value"}, True),
    ("$.test", ["value"], {}, True),
    ("$.test", ["value"], {"test": "otherValue"}, False),
    ("$.test", ["value"], {"test": 1}, False),
    ("$.test", [1.0], {"test": 1}, True),
    ("$.test", [1.0, 2.0], {"test": 1}, True),
    ("$.test", [1.0], {"test": 2}, False),
    ("$.test", [True], {"test": True}, True),
    ("$.test", [True], {"test": False}, False),
    ("$.test", [{"a": "b"}], {"test": {"a": "b"}}, True),
    ("$.test", [{"a": "b"}, {"a": "c"}], {"test": {"a": "b"}}, True),
    ("$.test", [{"a": "b"}], {"test": {"a": "c"}}, False),
    ("$.test.sub", ["value"], {"test": {"sub": "value"}}, True),
    ("$.test.sub", ["value"], {"test": "t"}, True),
    ("$.test.sub", ["value"], {"test": {"sub": "otherValue"}}, False),
    ("$.test.sub", ["value"], {"test": {"sub": {"sub": "value"}}}, False),
    ("$.test", ["a", "b", "c"], {"test": ["a"]}, True),
    ("$.test", ["a", "b", "c"], {"test": []}, True),
    ("$.test", ["a", "b", "c"], {"test": ["a", "b"]}, True),
    ("$.test", ["a", "b", "c"], {"test": ["a", "b", "c"]}, True),
    ("$.test", ["a", "b", "c"], {"test": ["a", "b", "c", "d"]}, False),
    ("$.test", ["a", "b", "c"], {"test": ["d"]}, False),
    (FILTER, ["OPERATOR", "READER"], {"test": [{"a": "b", "role": ["OPERATOR"]}]}, True),
    (FILTER, ["OPERATOR", "READER"], {"test": [{"a": "c", "role": ["ADMIN"]}]}, True),
    (FILTER, ["OPERATOR", "READER"], {"test": [{"a": "b"}]}, True),
    (FILTER, ["OPERATOR", "READER"], {"test": [{"a": "b", "role": ["ADMIN"]}]}, False),
    (FILTER, ["OPERATOR", "READER"], {"test": [{"a": "b", "role": ["ADMIN", "OPERATOR", "READER"]}]}, False),
]


@pytest.mark.parametrize(("path", "allowed", "subject", "expected"), JSON_PATH_CASES)
def test_the_transcription_passes_vcverifiers_own_json_path_cases(
    path: str, allowed: list[Any], subject: dict[str, Any], expected: bool
) -> None:
    assert verify_with_json_path(subject, {"path": path, "allowedValues": allowed}) is expected

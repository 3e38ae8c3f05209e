"""Matching held credentials to DCQL queries and Presentation Exchange definitions (no network
beyond the stub issuer that fills the wallet)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from api.credentials.disclosures import conceal
from api.credentials.keys import SigningKey
from api.credentials.sd_jwt import SdJwt, issue_sd_jwt_vc, present, verify_sd_jwt_vc
from api.wallet import StoredCredential, Wallet, WalletError
from api.wallet.claim_paths import json_path
from api.wallet.matching import match_request
from api.wallet.store import CredentialStore, credential_id
from tests.wallet.issuer_stub import VCT, StubIssuer

DEGREE_TYPE = ["VerifiableCredential", "UniversityDegreeCredential"]


def person(claims: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    query: dict[str, Any] = {"id": "person", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]}, **extra}
    if claims is not None:
        query["claims"] = claims
    return query


def dcql(*queries: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"credentials": list(queries), **extra}


@pytest.fixture
def held(issuer: StubIssuer, wallet: Wallet) -> list[StoredCredential]:
    """A dc+sd-jwt Person and a jwt_vc_json degree."""
    return wallet.accept_offer(issuer.offer("Person", "Degree"))


def test_claim_values_and_claim_sets(held: list[StoredCredential]) -> None:
    [match] = match_request(dcql(person([{"path": ["given_name"], "values": ["Mei", "May"]}])), "final", held)
    assert match.disclose == ("given_name",)
    with pytest.raises(
        WalletError, match=r"no held credential answers 'person' \(dc\+sd-jwt of .* with given_name\)"
    ):
        match_request(dcql(person([{"path": ["given_name"], "values": ["Bob"]}])), "final", held)

    claims = [
        {"id": "a", "path": ["nickname"]},
        {"id": "b", "path": ["given_name"]},
        {"id": "c", "path": ["birthdate"]},
    ]
    [match] = match_request(dcql(person(claims, claim_sets=[["a"], ["b", "c"]])), "final", held)
    assert set(match.disclose) == {"given_name", "birthdate"}
    assert match.disclosed == {"given_name": "Mei", "birthdate": "1990-01-01"}


def test_no_claims_asked_discloses_none(held: list[StoredCredential]) -> None:
    [match] = match_request(dcql(person()), "final", held)
    assert match.disclose == () and match.disclosed == {} and match.selective
    presentation = present(match.credential.raw, disclose=match.disclose)
    assert SdJwt.parse(presentation).disclosures == ()


def test_credential_sets(held: list[StoredCredential]) -> None:
    licence = {"id": "licence", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:licence"]}}
    degree = {"id": "degree", "format": "jwt_vc_json", "meta": {"type_values": [DEGREE_TYPE]}}
    either = dcql(person(), licence, credential_sets=[{"options": [["licence"], ["person"]]}])
    assert [m.query_id for m in match_request(either, "final", held)] == ["person"]

    optional = dcql(
        person(),
        licence,
        degree,
        credential_sets=[{"options": [["person"]]}, {"options": [["licence", "degree"]], "required": False}],
    )
    assert [m.query_id for m in match_request(optional, "final", held)] == ["person"]

    required = dcql(person(), licence, credential_sets=[{"options": [["licence"]]}])
    with pytest.raises(
        WalletError, match=r"no held credential answers 'licence' \(dc\+sd-jwt of \['urn:licence'\]\)$"
    ):
        match_request(required, "final", held)
    with pytest.raises(WalletError, match="no held credential answers 'licence'"):
        match_request(dcql(person(), licence), "final", held)


def test_type_values_and_nested_paths_of_jwt_vc_json(held: list[StoredCredential]) -> None:
    query = {
        "id": "degree",
        "format": "jwt_vc_json",
        "meta": {"type_values": [["VerifiableCredential", "OtherCredential"], DEGREE_TYPE]},
        "claims": [{"path": ["credentialSubject", "degree", "name"]}],
    }
    [match] = match_request(dcql(query), "final", held)
    assert match.credential == held[1] and not match.selective
    query["claims"] = [{"path": ["credentialSubject", "degree", "grade"]}]
    with pytest.raises(WalletError, match="no held credential answers 'degree'"):
        match_request(dcql(query), "final", held)
    query["claims"] = []
    query["meta"] = {"type_values": [["VerifiableCredential", "OtherCredential"]]}
    with pytest.raises(WalletError, match="no held credential answers 'degree'"):
        match_request(dcql(query), "final", held)


def test_wrong_format_vct_or_expired_credentials_do_not_match(held: list[StoredCredential]) -> None:
    for query in (
        person(meta={"vct_values": ["urn:other"]}),
        person(format="vc+sd-jwt"),
        person(format="mso_mdoc"),
    ):
        with pytest.raises(WalletError, match="no held credential answers 'person'"):
            match_request(dcql(query), "final", held)
    with pytest.raises(WalletError, match="no held credential answers 'person'"):
        match_request(dcql(person()), "final", held, now=time.time() + 7200)


def test_malformed_queries_are_refused(held: list[StoredCredential]) -> None:
    with pytest.raises(WalletError, match=r"^credential matching failed: dcql_query.credentials must be"):
        match_request({"credentials": []}, "final", held)
    with pytest.raises(WalletError, match=r"credential query id 'person' is missing or repeated"):
        match_request(dcql(person(), person()), "final", held)
    with pytest.raises(WalletError, match=r"claims must be objects with a path"):
        match_request(dcql(person([{"path": []}])), "final", held)
    with pytest.raises(WalletError, match=r"credential_sets name unknown queries \['nope'\]"):
        match_request(dcql(person(), credential_sets=[{"options": [["nope"]]}]), "final", held)


def test_presentation_definition_fields(start_issuer, wallet: Wallet) -> None:
    held = wallet.accept_offer(start_issuer(profile="twdiw").offer("Person"))

    def definition(*fields: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": "def",
            "input_descriptors": [
                {"id": "p", "format": {"vc+sd-jwt": {}}, "constraints": {"fields": list(fields)}}
            ],
        }

    # the official verifier's type field (DwSandBoxVP401WService.generatePresentationDefinition)
    vct = {"path": ["$.type"], "filter": {"type": "array", "contains": {"const": VCT}}}
    [match] = match_request(
        definition(
            vct,
            {"path": ["$.nickname", "$.credentialSubject.given_name"]},
            {"path": ["$['credentialSubject']['birthdate']"], "filter": {"pattern": "^19"}},
            {"path": ["$.credentialSubject.nickname"], "optional": True},
        ),
        "twdiw",
        held,
    )
    assert set(match.disclose) == {"given_name", "birthdate"}
    assert match.disclosed == {
        "credentialSubject.given_name": "Mei",
        "credentialSubject.birthdate": "1990-01-01",
    }

    for fields in (
        [{"path": ["$.type"], "filter": {"type": "array", "contains": {"const": "urn:other"}}}],
        [{"path": ["$.type"], "filter": {"type": "string"}}],
        [vct, {"path": ["$.credentialSubject.nickname"]}],
        [vct, {"path": ["$.credentialSubject.birthdate"], "filter": {"const": "2000-01-01"}}],
    ):
        with pytest.raises(
            WalletError, match=r"no held credential answers input descriptor 'p' \(formats vc\+sd-jwt\)"
        ):
            match_request(definition(*fields), "twdiw", held)


def test_nested_disclosures_are_kept_together(wallet: Wallet) -> None:
    """A claim inside a disclosed object needs both disclosures; its sibling stays hidden."""
    issuer = SigningKey.generate("P-256", did="did:web:issuer.test", key_id="key-1")
    address, inner = conceal({"street": "Zhongshan Rd", "city": "Taipei"})
    issued = issue_sd_jwt_vc(
        issuer,
        vct=VCT,
        claims={"address": address, "given_name": "Mei"},
        holder_jwk=wallet.holder.key.public_jwk,
        expires_at=int(time.time()) + 600,
    )
    raw = issued.sd_jwt + "".join(f"{d.encoded}~" for d in inner)
    stored = StoredCredential(
        credential_id(raw), "dc+sd-jwt", raw, "Address", "https://issuer.test", "now", {}
    )
    CredentialStore(wallet.store_dir).save(stored)

    [match] = match_request(dcql(person([{"path": ["address", "street"]}])), "final", wallet.credentials())
    assert set(match.disclose) == {"address", "street"} and match.disclosed == {
        "address.street": "Zhongshan Rd"
    }
    shown = present(raw, disclose=match.disclose, holder=wallet.holder.key, audience="aud", nonce="n")
    verified = verify_sd_jwt_vc(shown, issuer.public_jwk, audience="aud", nonce="n")
    assert verified.claims["address"] == {"street": "Zhongshan Rd"} and "given_name" not in verified.claims

    [whole] = match_request(dcql(person([{"path": ["address"]}])), "final", wallet.credentials())
    assert set(whole.disclose) == {"address", "street", "city"}


def test_json_path() -> None:
    assert json_path("$.credentialSubject.given_name") == ["credentialSubject", "given_name"]
    assert json_path("$['vct']") == ["vct"]
    assert json_path('$.a[0]["b c"][*].d') == ["a", 0, "b c", None, "d"]
    assert json_path("$.a.*") == ["a", None]
    assert json_path("vct") is None and json_path("$..a") is None and json_path("$.a[?(@.x)]") is None

"""The pre-authorized code flow against a spec-faithful stub issuer over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from api.credentials.jwt_vc import verify_jwt_vc
from api.credentials.keys import read_header, read_payload
from api.credentials.sd_jwt import SdJwt, present, verify_sd_jwt_vc
from api.wallet import Wallet, WalletError
from tests.wallet.issuer_stub import DEGREE, PERSON, VCT, StubIssuer


def test_offer_by_value_dc_sd_jwt(issuer: StubIssuer, wallet: Wallet) -> None:
    [stored] = wallet.accept_offer(issuer.offer("Person"))
    assert stored.format == "dc+sd-jwt" and stored.configuration_id == "Person"
    assert stored.issuer == issuer.issuer_id and stored.received_at.endswith("Z")
    assert stored.claims == PERSON
    header = read_header(SdJwt.parse(stored.raw).issuer_jwt)
    payload = read_payload(SdJwt.parse(stored.raw).issuer_jwt)
    assert header["typ"] == "dc+sd-jwt" and payload["vct"] == VCT
    assert payload["cnf"]["jwk"] == wallet.holder.key.public_jwk
    # The issuer validated a did:jwk-bound proof for its own identifier, with a nonce-endpoint nonce.
    [proof] = issuer.proofs
    assert proof.holder_did == wallet.holder_did and wallet.holder_did.startswith("did:jwk:")
    assert proof.header["kid"] == wallet.holder.kid and proof.claims["aud"] == issuer.issuer_id
    assert "iss" not in proof.claims
    assert set(issuer.requests[0]) == {"credential_configuration_id", "proofs"}
    assert issuer.notifications == [
        {"notification_id": issuer.notifications[0]["notification_id"], "event": "credential_accepted"}
    ]
    assert wallet.credentials() == [stored]


def test_offer_by_reference(issuer: StubIssuer, wallet: Wallet) -> None:
    link = issuer.offer("Person", by_reference=True)
    assert link.startswith("openid-credential-offer://?credential_offer_uri=")
    [stored] = wallet.accept_offer(link)
    assert stored.claims == PERSON


@pytest.mark.parametrize("by_reference", [False, True])
def test_twdiw_deep_link(issuer: StubIssuer, wallet: Wallet, by_reference: bool) -> None:
    link = issuer.offer("Person", by_reference=by_reference, scheme="modadigitalwallet://credential_offer")
    [stored] = wallet.accept_offer(link)
    assert stored.claims == PERSON


def test_offer_json_pasted_as_is(issuer: StubIssuer, wallet: Wallet) -> None:
    link = issuer.offer("Person")
    offer_json = httpx.QueryParams(link.split("?", 1)[1])["credential_offer"]
    assert wallet.accept_offer(offer_json)[0].claims == PERSON


def test_both_formats_in_one_offer(issuer: StubIssuer, wallet: Wallet) -> None:
    sd_jwt, jwt_vc = wallet.accept_offer(issuer.offer("Person", "Degree"))
    assert (sd_jwt.format, jwt_vc.format) == ("dc+sd-jwt", "jwt_vc_json")
    assert jwt_vc.claims == {"id": wallet.holder_did, **DEGREE}
    assert read_payload(jwt_vc.raw)["sub"] == wallet.holder_did
    # One token for the offer, a fresh nonce for each credential request.
    assert len(issuer.tokens) == 1 and len(issuer.proofs) == 2
    assert issuer.proofs[0].claims["nonce"] != issuer.proofs[1].claims["nonce"]
    assert {c.id for c in wallet.credentials()} == {sd_jwt.id, jwt_vc.id}


def test_format_filter(issuer: StubIssuer, wallet: Wallet) -> None:
    [only] = wallet.accept_offer(issuer.offer("Person", "Degree", "Licence"), format="jwt_vc_json")
    assert only.configuration_id == "Degree"
    assert [r.get("credential_configuration_id") for r in issuer.requests] == ["Degree"]


def test_unsupported_format_refused_before_spending_the_code(issuer: StubIssuer, wallet: Wallet) -> None:
    with pytest.raises(WalletError, match=r"^credential offer failed: Licence has format 'mso_mdoc'"):
        wallet.accept_offer(issuer.offer("Person", "Licence"))
    assert not issuer.tokens and not any(grant.used for grant in issuer.grants.values())


def test_tx_code(issuer: StubIssuer, wallet: Wallet) -> None:
    with pytest.raises(WalletError, match=r"requires a transaction code"):
        wallet.accept_offer(issuer.offer("Person", tx_code="493536"))
    with pytest.raises(WalletError, match=r"must have 6 characters"):
        wallet.accept_offer(issuer.offer("Person", tx_code="493536"), tx_code="1234")
    with pytest.raises(WalletError) as refused:
        wallet.accept_offer(issuer.offer("Person", tx_code="493536"), tx_code="000000")
    assert str(refused.value) == "token request refused: invalid_grant: wrong transaction code"
    assert refused.value.error == "invalid_grant" and refused.value.status == 400
    [stored] = wallet.accept_offer(issuer.offer("Person", tx_code="493536"), tx_code="493536")
    assert stored.claims == PERSON


def test_text_tx_code_and_no_tx_code_sent_when_not_asked(issuer: StubIssuer, wallet: Wallet) -> None:
    link = issuer.offer(
        "Person", tx_code="pass-word", tx_code_spec={"input_mode": "text", "description": "PIN"}
    )
    assert wallet.accept_offer(link, tx_code="pass-word")
    # A code the offer did not ask for is not sent (the issuer would answer invalid_request).
    assert wallet.accept_offer(issuer.offer("Person"), tx_code="123456")


def test_c_nonce_from_token_response_without_nonce_endpoint(
    start_issuer: Callable[..., StubIssuer], wallet: Wallet
) -> None:
    issuer = start_issuer(nonce_endpoint=False, token_c_nonce=True)
    stored = wallet.accept_offer(issuer.offer("Person", "Degree"))
    assert len(stored) == 2
    # Pre-final dialect: the token's c_nonce, then the one each credential response returns.
    assert issuer.proofs[0].claims["nonce"] != issuer.proofs[1].claims["nonce"]
    assert all("proof" in r and "proofs" not in r for r in issuer.requests)


def test_no_nonce_required(start_issuer: Callable[..., StubIssuer], wallet: Wallet) -> None:
    issuer = start_issuer(nonce_endpoint=False)
    [stored] = wallet.accept_offer(issuer.offer("Person"))
    assert stored.claims == PERSON
    assert "nonce" not in issuer.proofs[0].claims and "proofs" in issuer.requests[0]


def test_invalid_nonce_retried_once_with_a_fresh_nonce(
    start_issuer: Callable[..., StubIssuer], wallet: Wallet
) -> None:
    issuer = start_issuer(expire_nonces=1)
    [stored] = wallet.accept_offer(issuer.offer("Person"))
    assert stored.claims == PERSON and len(issuer.requests) == 2


def test_invalid_nonce_twice_is_refused(start_issuer: Callable[..., StubIssuer], wallet: Wallet) -> None:
    issuer = start_issuer(expire_nonces=2)
    with pytest.raises(WalletError, match=r"^credential request refused: invalid_nonce: "):
        wallet.accept_offer(issuer.offer("Person"))
    assert len(issuer.requests) == 2 and wallet.credentials() == []


def test_twdiw_profile(start_issuer: Callable[..., StubIssuer], wallet: Wallet) -> None:
    issuer = start_issuer(profile="twdiw", expire_nonces=1)
    link = issuer.offer("Person", "Degree", scheme="modadigitalwallet://credential_offer", by_reference=True)
    person, degree = wallet.accept_offer(link)
    assert person.format == "vc+sd-jwt" and person.claims == PERSON
    payload = read_payload(SdJwt.parse(person.raw).issuer_jwt)
    assert (
        payload["sub"] == wallet.holder_did
        and payload["vc"]["credentialStatus"][0]["type"] == "StatusList2021Entry"
    )
    assert degree.claims == {"id": wallet.holder_did, **DEGREE}
    # The first request met an expired nonce: retried with the c_nonce of the error response.
    assert len(issuer.requests) == 3
    first, _retry, second = issuer.requests
    assert first["proof"]["proof_type"] == "jwt" and first["format"] == "vc+sd-jwt" and first["vct"] == VCT
    assert "credential_definition" in second
    assert issuer.proofs[0].claims["nonce"] != issuer.proofs[1].claims["nonce"]


def test_credential_identifiers_from_the_token_response(
    start_issuer: Callable[..., StubIssuer], wallet: Wallet
) -> None:
    issuer = start_issuer(credential_identifiers=True)
    assert len(wallet.accept_offer(issuer.offer("Person", "Degree"))) == 2
    assert all(set(r) == {"credential_identifier", "proofs"} for r in issuer.requests)


@pytest.mark.parametrize(
    ("curve", "binding"),
    [("P-256", "did:key"), ("Ed25519", "did:key"), ("Ed25519", "did:jwk"), ("secp256k1", "did:jwk")],
)
def test_bindings_and_curves(issuer: StubIssuer, tmp_path: Path, curve: str, binding: str) -> None:
    wallet = Wallet(tmp_path / "w", curve=curve, binding=binding)
    assert wallet.holder_did.startswith(binding + ":")
    sd_jwt, jwt_vc = wallet.accept_offer(issuer.offer("Person", "Degree"))
    assert issuer.proofs[0].holder_did == wallet.holder_did
    assert issuer.proofs[0].header["alg"] == wallet.holder.key.alg
    assert read_payload(jwt_vc.raw)["sub"] == wallet.holder_did
    # The stored SD-JWT is usable for a later presentation with the wallet's key.
    presentation = present(
        sd_jwt.raw, disclose=["given_name"], holder=wallet.holder.key, audience="v", nonce="n"
    )
    verified = verify_sd_jwt_vc(presentation, issuer.key.public_jwk, audience="v", nonce="n")
    assert verified.disclosed == {"given_name": PERSON["given_name"]}
    assert verify_jwt_vc(jwt_vc.raw, issuer.key.public_jwk).holder == wallet.holder_did


def test_jwk_binding_when_the_issuer_accepts_only_jwk(
    start_issuer: Callable[..., StubIssuer], wallet: Wallet
) -> None:
    issuer = start_issuer(binding_methods=["jwk"])
    [stored] = wallet.accept_offer(issuer.offer("Person"))
    assert (
        issuer.proofs[0].holder_did is None and issuer.proofs[0].header["jwk"] == wallet.holder.key.public_jwk
    )
    assert stored.claims == PERSON


def test_unusable_binding_is_refused_before_the_token(
    start_issuer: Callable[..., StubIssuer], wallet: Wallet
) -> None:
    issuer = start_issuer(binding_methods=["did:web"])
    with pytest.raises(WalletError, match=r"Person binds to did:web, the wallet uses did:jwk"):
        wallet.accept_offer(issuer.offer("Person"))
    assert not issuer.tokens


def test_credential_bound_to_another_key_is_not_stored(
    start_issuer: Callable[..., StubIssuer], wallet: Wallet
) -> None:
    issuer = start_issuer(bind_to_other_key=True)
    with pytest.raises(
        WalletError, match=r"^credential response failed: the credential's cnf is not the wallet's key"
    ):
        wallet.accept_offer(issuer.offer("Person"))
    assert wallet.credentials() == []
    assert [n["event"] for n in issuer.notifications] == ["credential_failure"]


def test_refused_token_request(issuer: StubIssuer, wallet: Wallet) -> None:
    link = issuer.offer("Person")
    wallet.accept_offer(link)
    with pytest.raises(WalletError) as refused:
        wallet.accept_offer(link)
    assert (
        str(refused.value)
        == "token request refused: invalid_grant: unknown or already used pre-authorized code"
    )
    assert refused.value.step == "token request"


def test_refused_credential_request(start_issuer: Callable[..., StubIssuer], wallet: Wallet) -> None:
    issuer = start_issuer(deny=True)
    with pytest.raises(WalletError) as refused:
        wallet.accept_offer(issuer.offer("Person"))
    assert (
        str(refused.value)
        == "credential request refused: credential_request_denied: the holder is not eligible"
    )
    assert refused.value.status == 400


def test_a_credential_received_before_a_refusal_is_kept(issuer: StubIssuer, wallet: Wallet) -> None:
    issuer.options.deny_configs = ["Degree"]
    link = issuer.offer("Person", "Degree")
    with pytest.raises(WalletError, match="credential_request_denied"):
        wallet.accept_offer(link)
    assert [c.configuration_id for c in wallet.credentials()] == ["Person"]


def test_issuer_metadata_must_name_the_offered_issuer(issuer: StubIssuer, wallet: Wallet) -> None:
    offer = {
        "credential_issuer": issuer.base + "/issuer/",
        "credential_configuration_ids": ["Person"],
        "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "x"}},
    }
    link = "openid-credential-offer://?credential_offer=" + quote(json.dumps(offer))
    with pytest.raises(
        WalletError, match=r"^issuer metadata failed: credential_issuer '.*/issuer' is not '.*/issuer/'"
    ):
        wallet.accept_offer(link)


def test_unknown_configuration_in_offer(issuer: StubIssuer, wallet: Wallet) -> None:
    with pytest.raises(WalletError, match=r"has no configuration 'Nope'"):
        wallet.accept_offer(issuer.offer("Nope"))


def test_unreachable_issuer(wallet: Wallet) -> None:
    from anvil.devchain import free_port

    offer = {"credential_issuer": f"http://127.0.0.1:{free_port()}", "credential_configuration_ids": ["a"]}
    with pytest.raises(WalletError, match=r"^issuer metadata failed: cannot reach "):
        wallet.accept_offer("openid-credential-offer://?credential_offer=" + quote(json.dumps(offer)))


def test_caller_supplied_client_is_used_and_left_open(issuer: StubIssuer, wallet: Wallet) -> None:
    seen: list[str] = []
    with httpx.Client(event_hooks={"request": [lambda r: seen.append(r.url.path)]}) as client:
        wallet.accept_offer(issuer.offer("Person", by_reference=True), http=client)
        assert not client.is_closed
    assert seen[:3] == [
        "/issuer/offers/" + seen[0].rsplit("/", 1)[1],
        "/.well-known/openid-credential-issuer/issuer",
        "/.well-known/oauth-authorization-server/issuer",
    ]
    assert seen[3:] == ["/issuer/token", "/issuer/nonce", "/issuer/credential", "/issuer/notification"]

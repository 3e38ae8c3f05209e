"""Presenting credentials over OID4VP: request objects made by the verifier's code, the verifier's
DID key and trust list entry on the Anvil chain read through the real resolver, the response posted
over HTTP and checked with the credential layer's own verifiers."""

from __future__ import annotations

import json
import os
import subprocess
from urllib.parse import urlencode

import pytest

from api.credentials.dids import did_jwk, resolve_holder_key
from api.credentials.jwt_vc import verify_vp_jwt
from api.credentials.keys import SigningKey, read_header, read_payload, verify_jws
from api.credentials.sd_jwt import SdJwt, verify_sd_jwt_vc
from api.verifier.sessions import Session
from api.wallet import Wallet, WalletError
from tests.support.cli_process import CLI, ok, refused
from tests.wallet.issuer_stub import DEGREE, PERSON, VCT, StubIssuer
from tests.wallet.verifier_stub import VERIFIER_DID, Ledger, StubVerifier, running_verifier

CLIENT_ID = f"decentralized_identifier:{VERIFIER_DID}"


def test_dc_sd_jwt_discloses_only_the_requested_claim(
    verifier: StubVerifier, registry: Ledger, issuer: StubIssuer, wallet: Wallet
) -> None:
    wallet.accept_offer(issuer.offer("Person", "Degree"))
    link, session = verifier.request("person")
    assert link.startswith("openid4vp://?client_id=decentralized_identifier%3Adid%3Aweb%3Averifier.test&")

    request = wallet.read_request(link, resolver_url=registry.resolver_url)
    assert verifier.fetches[0]["accept"] == "application/oauth-authz-req+jwt"
    assert (request.client_id, request.verifier_did) == (CLIENT_ID, VERIFIER_DID)
    assert request.verifier_trusted is True and request.warnings == ()
    assert (request.nonce, request.state) == (session.nonce, session.state)
    assert request.response_uri == verifier.response_uri and request.response_type == "vp_token"
    assert request.profile == "final" and request.siop is False and request.verifier_name == "Age check"
    assert request.dcql_query == verifier.claims(session)["dcql_query"]

    [match] = wallet.match(request)
    assert (match.query_id, match.format, match.credential.configuration_id) == (
        "person",
        "dc+sd-jwt",
        "Person",
    )
    assert match.disclose == ("given_name",) and match.disclosed == {"given_name": "Mei"}

    outcome = wallet.post_response(request, wallet.respond(request, [match]))
    assert outcome.accepted and outcome.status == 200
    assert outcome.redirect_uri is not None and "#response_code=" in outcome.redirect_uri

    [posted] = verifier.received
    assert verifier.content_types == ["application/x-www-form-urlencoded"]
    assert set(posted) == {"vp_token", "state"} and posted["state"] == session.state
    token = json.loads(posted["vp_token"])
    assert list(token) == ["person"] and len(token["person"]) == 1
    presentation = token["person"][0]
    verified = verify_sd_jwt_vc(presentation, issuer.key.public_jwk, audience=CLIENT_ID, nonce=session.nonce)
    assert verified.disclosed == {"given_name": PERSON["given_name"]}
    assert len(SdJwt.parse(presentation).disclosures) == 1
    assert verified.kb_claims is not None
    assert (verified.kb_claims["aud"], verified.kb_claims["nonce"]) == (CLIENT_ID, session.nonce)
    assert verified.holder_jwk == wallet.holder.key.public_jwk


def test_jwt_vc_json_and_both_formats(
    verifier: StubVerifier, registry: Ledger, issuer: StubIssuer, wallet: Wallet
) -> None:
    person, degree = wallet.accept_offer(issuer.offer("Person", "Degree"))
    link, session = verifier.request("degree")
    request = wallet.read_request(link, resolver_url=registry.resolver_url)
    [match] = wallet.match(request)
    assert match.credential == degree and match.selective is False and match.disclose == ()
    assert match.disclosed == {"id": wallet.holder_did, **DEGREE}
    fields = wallet.respond(request, [match]).fields
    [vp_jwt] = json.loads(fields["vp_token"])["degree"]
    verified = verify_vp_jwt(vp_jwt, issuer.key.public_jwk, audience=CLIENT_ID, nonce=session.nonce)
    assert verified.holder == wallet.holder_did and verified.claims["aud"] == CLIENT_ID
    assert [c.token for c in verified.credentials] == [degree.raw]

    link, session = verifier.request("both")
    request = wallet.read_request(link, resolver_url=registry.resolver_url)
    matches = wallet.match(request)
    assert [(m.query_id, m.credential.id) for m in matches] == [("person", person.id), ("degree", degree.id)]
    assert matches[0].disclosed == {"family_name": "Lin"}
    outcome = wallet.present(link, resolver_url=registry.resolver_url)
    assert outcome.accepted
    token = json.loads(verifier.received[-1]["vp_token"])
    assert list(token) == ["person", "degree"]
    shown = verify_sd_jwt_vc(
        token["person"][0], issuer.key.public_jwk, audience=CLIENT_ID, nonce=session.nonce
    )
    assert shown.disclosed == {"family_name": "Lin"}
    verify_vp_jwt(token["degree"][0], issuer.key.public_jwk, audience=CLIENT_ID, nonce=session.nonce)


def test_the_newest_fitting_credential_is_chosen(
    verifier: StubVerifier, registry: Ledger, issuer: StubIssuer, wallet: Wallet
) -> None:
    [older] = wallet.accept_offer(issuer.offer("Person"))
    [newer] = wallet.accept_offer(issuer.offer("Person"))
    assert older.id != newer.id
    request = wallet.read_request(verifier.request("person")[0], resolver_url=registry.resolver_url)
    assert [m.credential.id for m in wallet.match(request)] == [newer.id]


def test_no_held_credential_answers(
    verifier: StubVerifier, registry: Ledger, issuer: StubIssuer, wallet: Wallet
) -> None:
    wallet.accept_offer(issuer.offer("Person"))
    request = wallet.read_request(verifier.request("degree")[0], resolver_url=registry.resolver_url)
    with pytest.raises(WalletError) as refused:
        wallet.match(request)
    assert str(refused.value) == (
        "credential matching failed: no held credential answers 'degree' (jwt_vc_json of "
        "[['https://www.w3.org/2018/credentials#VerifiableCredential', "
        "'https://www.w3.org/ns/credentials/issuer-dependent#UniversityDegreeCredential']] "
        "with credentialSubject.degree)"
    )
    request = wallet.read_request(verifier.request("licence")[0], resolver_url=registry.resolver_url)
    with pytest.raises(
        WalletError, match=r"no held credential answers 'licence' \(dc\+sd-jwt of \['DrivingLicence'\]"
    ):
        wallet.match(request)
    assert verifier.received == []


def test_twdiw_profile_with_presentation_submission(
    verifier: StubVerifier, registry: Ledger, start_issuer, wallet: Wallet
) -> None:
    twdiw = start_issuer(profile="twdiw")
    [held] = wallet.accept_offer(twdiw.offer("Person", scheme="modadigitalwallet://credential_offer"))
    link, session = verifier.request("twperson")
    assert link.startswith("modadigitalwallet://authorize?client_id=did%3Aweb%3Averifier.test&request_uri=")

    request = wallet.read_request(link, resolver_url=registry.resolver_url)
    assert request.client_id == VERIFIER_DID and request.profile == "twdiw" and request.verifier_trusted
    assert request.presentation_definition is not None and request.presentation_definition["id"] == "twperson"
    [match] = wallet.match(request)
    assert match.credential == held and match.format == "vc+sd-jwt"
    assert set(match.disclose) == {"given_name", "birthdate"}
    assert match.disclosed == {
        "credentialSubject.given_name": "Mei",
        "credentialSubject.birthdate": "1990-01-01",
    }

    outcome = wallet.present(link, resolver_url=registry.resolver_url)
    assert outcome.accepted
    [posted] = verifier.received
    assert set(posted) == {"vp_token", "presentation_submission", "state"}
    submission = json.loads(posted["presentation_submission"])
    assert submission["definition_id"] == "twperson" and submission["id"]
    assert submission["descriptor_map"] == [{"id": "person", "format": "vc+sd-jwt", "path": "$"}]
    presentation = posted["vp_token"]
    assert not presentation.startswith(("[", '"'))  # one presentation: the SD-JWT itself
    verified = verify_sd_jwt_vc(
        presentation, twdiw.key.public_jwk, audience=VERIFIER_DID, nonce=session.nonce
    )
    assert verified.claims["vc"]["credentialSubject"] == {"given_name": "Mei", "birthdate": "1990-01-01"}
    assert verified.claims["vc"]["type"] == ["VerifiableCredential", VCT]


def test_siop_id_token(verifier: StubVerifier, registry: Ledger, issuer: StubIssuer, wallet: Wallet) -> None:
    wallet.accept_offer(issuer.offer("Person"))
    link, session = verifier.request("login")
    request = wallet.read_request(link, resolver_url=registry.resolver_url)
    assert request.siop and request.response_type == "vp_token id_token"
    fields = wallet.respond(request, wallet.match(request), now=1_900_000_000).fields
    id_token = fields["id_token"]
    header = read_header(id_token)
    assert header["typ"] == "JWT" and header["kid"] == wallet.holder.kid
    holder = resolve_holder_key(header["kid"])
    claims = verify_jws(id_token, holder.jwk).claims()
    assert claims["iss"] == claims["sub"] == wallet.holder_did == holder.did
    assert (claims["aud"], claims["nonce"]) == (CLIENT_ID, session.nonce)
    assert (claims["iat"], claims["exp"]) == (1_900_000_000, 1_900_000_300)
    [presentation] = json.loads(fields["vp_token"])["person"]
    kb = read_payload(SdJwt.parse(presentation).kb_jwt or "")
    assert kb["iat"] == 1_900_000_000 and kb["nonce"] == session.nonce


def test_fields_can_be_changed_before_posting(
    verifier: StubVerifier, registry: Ledger, issuer: StubIssuer, wallet: Wallet
) -> None:
    wallet.accept_offer(issuer.offer("Person"))
    request = wallet.read_request(verifier.request("person")[0], resolver_url=registry.resolver_url)
    response = wallet.respond(request, wallet.match(request))
    response.fields["state"] = "forged"
    verifier.answer = (
        400,
        {"error": "invalid_request", "error_description": "REQUEST_UNKNOWN: no such state"},
    )
    outcome = wallet.post_response(request, response)
    assert verifier.received[0]["state"] == "forged"
    assert not outcome.accepted and outcome.status == 400 and outcome.error == "invalid_request"
    assert outcome.describe() == (
        "the verifier refused the presentation (HTTP 400): invalid_request: REQUEST_UNKNOWN: no such state"
    )


def test_decline_tells_the_verifier(verifier: StubVerifier, registry: Ledger, wallet: Wallet) -> None:
    link, session = verifier.request("person")
    request = wallet.read_request(link, resolver_url=registry.resolver_url)
    assert wallet.decline(request).accepted
    [posted] = verifier.received
    assert (
        posted["error"] == "access_denied" and posted["state"] == session.state and "vp_token" not in posted
    )


# --- the verifier's standing on the trust list -----------------------------------------------


def test_suspended_verifier_is_a_warning(
    verifier: StubVerifier, registry: Ledger, issuer: StubIssuer, wallet: Wallet
) -> None:
    wallet.accept_offer(issuer.offer("Person"))
    registry.set_status(VERIFIER_DID, "suspended")
    link, _ = verifier.request("person")
    request = wallet.read_request(link, resolver_url=registry.resolver_url)
    assert request.verifier_trusted is False
    assert request.warnings == (f"the verifier {VERIFIER_DID} is suspended",)
    assert wallet.present(link, resolver_url=registry.resolver_url).accepted  # the holder may still answer

    registry.set_status(VERIFIER_DID, "revoked")
    with pytest.raises(
        WalletError, match=rf"^verifier key failed: the verifier's DID {VERIFIER_DID} is deactivated$"
    ):
        wallet.read_request(verifier.request("person")[0], resolver_url=registry.resolver_url)


def test_unregistered_verifier_is_a_warning(registry: Ledger, issuer: StubIssuer, wallet: Wallet) -> None:
    key = SigningKey.generate("Ed25519")
    did = did_jwk(key.public_jwk)
    key = SigningKey.from_jwk(key.private_jwk(), did=did, key_id="0")
    wallet.accept_offer(issuer.offer("Person"))
    with running_verifier(did, key) as stranger:
        link, session = stranger.request("person")
        request = wallet.read_request(link, resolver_url=registry.resolver_url)
        assert request.verifier_did == did and request.verifier_trusted is False
        assert request.warnings == (f"the verifier {did} is not on the trust list",)
        assert wallet.present(link, resolver_url=registry.resolver_url).accepted
        [presentation] = json.loads(stranger.received[0]["vp_token"])["person"]
        verify_sd_jwt_vc(
            presentation,
            issuer.key.public_jwk,
            audience=f"decentralized_identifier:{did}",
            nonce=session.nonce,
        )


# --- refused requests ------------------------------------------------------------------------


def _tampered(verifier: StubVerifier, session: Session, change: str, registry: Ledger) -> str:
    """The request object of ``session`` spoiled in one way."""
    key = verifier.key
    if change == "another key":
        return verifier.signed(session, SigningKey.generate("P-256", did=VERIFIER_DID, key_id="key-1"))
    if change == "unknown kid":
        return verifier.signed(session, SigningKey.generate("P-256", did=VERIFIER_DID, key_id="key-9"))
    if change == "key for keyAgreement only":
        other = SigningKey.generate("P-256", did=VERIFIER_DID, key_id="key-2")
        registry.add_key(VERIFIER_DID, other, ["keyAgreement"])
        return verifier.signed(session, other)
    if change == "kid of another DID":
        return verifier.signed(
            session, SigningKey.generate("P-256", did="did:web:other.test", key_id="key-1")
        )
    claims = verifier.claims(session)
    header = {"typ": "oauth-authz-req+jwt"}
    if change == "typ missing":
        header = {}
    elif change == "typ JWT":
        header = {"typ": "JWT"}
    elif change == "client_id":
        claims["client_id"] = "decentralized_identifier:did:web:other.test"
    elif change == "expired":
        claims["exp"] = claims["iat"] - 120
    elif change == "response_mode":
        claims["response_mode"] = "direct_post.jwt"
    elif change == "no nonce":
        del claims["nonce"]
    elif change == "no response_uri":
        del claims["response_uri"]
    elif change == "redirect_uri":
        claims["redirect_uri"] = verifier.response_uri
    elif change == "transaction_data":
        claims["transaction_data"] = ["e30"]
    return key.sign(claims, header)


VERIFIER_KEY = f"key in the DID document of {VERIFIER_DID}"
REFUSALS = {
    "another key": "request object signature failed: JWS signature does not verify "
    f"(key {VERIFIER_DID}#key-1)",
    "unknown kid": f"verifier key failed: {VERIFIER_DID}#key-9 is not an authentication or "
    f"assertionMethod {VERIFIER_KEY}",
    "key for keyAgreement only": f"verifier key failed: {VERIFIER_DID}#key-2 is not an authentication "
    f"or assertionMethod {VERIFIER_KEY}",
    "kid of another DID": "verifier key failed: kid 'did:web:other.test#key-1' is not a key of the "
    f"verifier {VERIFIER_DID}",
    "typ missing": "request object signature failed: header typ must be 'oauth-authz-req+jwt', not None",
    "typ JWT": "request object signature failed: header typ must be 'oauth-authz-req+jwt', not 'JWT'",
    "client_id": "request object failed: client_id 'decentralized_identifier:did:web:other.test' "
    f"differs from the link's '{CLIENT_ID}'",
    "expired": "request object failed: the request object is not valid now: expired at",
    "response_mode": "request object failed: response_mode must be direct_post, not 'direct_post.jwt'",
    "no nonce": "request object failed: nonce is missing or not a string",
    "no response_uri": "request object failed: response_uri is missing or not a string",
    "redirect_uri": "request object failed: redirect_uri must not be present with direct_post",
    "transaction_data": "request object failed: transaction_data is not supported",
}


@pytest.mark.parametrize("change", list(REFUSALS))
def test_spoiled_request_object_is_refused(
    verifier: StubVerifier, registry: Ledger, wallet: Wallet, change: str
) -> None:
    link, session = verifier.request("person")
    verifier.serve_instead(session, _tampered(verifier, session, change, registry))
    with pytest.raises(WalletError) as refused:
        wallet.read_request(link, resolver_url=registry.resolver_url)
    assert str(refused.value).startswith(REFUSALS[change])
    assert verifier.received == []


def test_request_uri_redirect_is_not_followed(
    verifier: StubVerifier, registry: Ledger, wallet: Wallet
) -> None:
    _, session = verifier.request("person")
    moved = f"{verifier.base}/oidvp/moved/{session.request_id}"
    link = "openid4vp://?" + urlencode({"client_id": CLIENT_ID, "request_uri": moved})
    with pytest.raises(
        WalletError, match=rf"^request object fetch failed: {moved} answered HTTP 302 \(a redirect"
    ):
        wallet.read_request(link, resolver_url=registry.resolver_url)
    assert verifier.fetches == []


def test_request_by_value_is_accepted(verifier: StubVerifier, registry: Ledger, wallet: Wallet) -> None:
    _, session = verifier.request("person")
    by_value = f"openid4vp://authorize?client_id={CLIENT_ID}&request={verifier.signed(session)}"
    request = wallet.read_request(by_value, resolver_url=registry.resolver_url)
    assert request.nonce == session.nonce and verifier.fetches == []


# --- trust-ledger wallet present -------------------------------------------------------------


def _cli(wallet: Wallet, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "TRUST_LEDGER_RESOLVER_URL"}
    return subprocess.run(
        [*CLI, "wallet", "present", *args, "--dir", str(wallet.store_dir)],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_present(verifier: StubVerifier, registry: Ledger, issuer: StubIssuer, wallet: Wallet) -> None:
    [person] = wallet.accept_offer(issuer.offer("Person"))
    link, session = verifier.request("login")
    out = ok(_cli(wallet, link, "--resolver", registry.resolver_url, "--yes")).splitlines()
    assert out[0] == f'verifier {VERIFIER_DID} (calls itself "login")'
    assert out[1] == "  on the trust list (active)"
    assert out[2].startswith(f"person: {person.id}  dc+sd-jwt  Person")
    assert out[3:] == [
        '  given_name: "Mei"',
        f"and signs you in as {wallet.holder_did}",
        out[5],
    ] and out[5].startswith(
        "the verifier received the presentation; whether it is trusted is the relying party's result; "
        "continue at "
    )
    [posted] = verifier.received
    assert posted["state"] == session.state and "id_token" in posted


def test_cli_asks_and_declines(
    verifier: StubVerifier, registry: Ledger, issuer: StubIssuer, wallet: Wallet
) -> None:
    wallet.accept_offer(issuer.offer("Person", "Degree"))
    registry.set_status(VERIFIER_DID, "suspended")
    link, session = verifier.request("degree")
    process = _cli(wallet, link, "--resolver", registry.resolver_url, stdin="n\n")
    assert refused(process) == "declined; the verifier was told (access_denied)"
    assert f"  WARNING: the verifier {VERIFIER_DID} is suspended" in process.stdout
    assert "discloses the whole credential" in process.stdout and "Present? [y/N]" in process.stdout
    assert [(p["error"], p["state"]) for p in verifier.received] == [("access_denied", session.state)]


def test_cli_refusals_are_one_line(
    verifier: StubVerifier, registry: Ledger, issuer: StubIssuer, wallet: Wallet
) -> None:
    link, session = verifier.request("person")
    process = _cli(wallet, link, "--resolver", registry.resolver_url, "--yes")
    assert refused(process).startswith("credential matching failed: no held credential answers 'person'")

    wallet.accept_offer(issuer.offer("Person"))
    verifier.serve_instead(
        session, verifier.signed(session, SigningKey.generate("P-256", did=VERIFIER_DID, key_id="key-1"))
    )
    process = _cli(wallet, link, "--resolver", registry.resolver_url, "--yes")
    assert refused(process).startswith("request object signature failed: JWS signature does not verify")

    link, _ = verifier.request("person")
    verifier.answer = (
        400,
        {"error": "invalid_request", "error_description": "REVOKED: the credential is revoked"},
    )
    process = _cli(wallet, link, "--resolver", registry.resolver_url, "--yes")
    assert refused(process) == (
        "the verifier refused the presentation (HTTP 400): invalid_request: "
        "REVOKED: the credential is revoked"
    )
    assert process.stdout.startswith(f"verifier {VERIFIER_DID}")


# --- links refused before any verifier key is fetched ----------------------------------------


def _by_value(client_id: str, **claims: object) -> str:
    key = SigningKey.generate("P-256", did="did:web:rp.test", key_id="k")
    token = key.sign({"client_id": client_id, **claims}, {"typ": "oauth-authz-req+jwt"})
    return "openid4vp://?" + urlencode({"client_id": client_id, "request": token})


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (
            "openid4vp://?request_uri=https://rp.test/r",
            "authorization request failed: the link has no client_id",
        ),
        (
            f"openid4vp://authorize?client_id={CLIENT_ID}",
            "authorization request failed: the link has no request_uri "
            "(the wallet accepts signed requests only)",
        ),
        (
            f"openid4vp://?client_id={CLIENT_ID}&request_uri=http://rp.test/r",
            "authorization request failed: request_uri 'http://rp.test/r' must use https",
        ),
        (
            f"openid4vp://?client_id={CLIENT_ID}&client_id={CLIENT_ID}&request_uri=https://rp.test/r",
            "authorization request failed: parameter client_id appears 2 times",
        ),
        ("no link at all", "authorization request failed: the link has no scheme or no query"),
        (
            _by_value("redirect_uri:https://rp.test/cb"),
            "request object failed: client identifier prefix redirect_uri is not supported "
            "(only decentralized_identifier:<did>)",
        ),
        (
            _by_value("did:web:rp.test"),
            "request object failed: a bare DID client_id needs client_id_scheme 'did', not None",
        ),
        (
            f"openid4vp://?client_id={CLIENT_ID}&request=not.a-jws",
            "request object failed: not a signed request object",
        ),
    ],
)
def test_bad_links_are_refused(wallet: Wallet, link: str, message: str) -> None:
    with pytest.raises(WalletError) as refused_link:
        wallet.read_request(link, resolver_url="http://127.0.0.1:9")
    assert str(refused_link.value).startswith(message)


def test_resolver_must_be_reachable_and_https(wallet: Wallet) -> None:
    link = _by_value("decentralized_identifier:did:web:rp.test")
    with pytest.raises(
        WalletError, match=r"^verifier key failed: cannot reach the resolver at http://127.0.0.1:9"
    ):
        wallet.read_request(link, resolver_url="http://127.0.0.1:9")
    with pytest.raises(WalletError, match=r"the resolver URL 'http://resolver.test' must use https"):
        wallet.read_request(link, resolver_url="http://resolver.test")

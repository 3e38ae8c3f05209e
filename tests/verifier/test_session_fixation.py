"""Issue 14 item 5: a presentation session can be neither pre-empted nor swapped unnoticed.

Anyone who sees the QR code could fetch the request object, read `state`, and end the session
with `error=access_denied`, or answer it with their own valid credential. Now (OID4VP 1.0 §8.2
and §14 on session fixation): an error response is an event, not the answer; the request object
is served once; a same-device result is read only with the response code the holder's browser
brought back; a cross-device result names the holder DID and the time for the business system.
Real servers throughout: Anvil, the ledger's views, the verifier and a resolver over HTTP, and
the project's wallet.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from api.verifier.sessions import SessionStore
from api.wallet import WalletError
from api.wallet.http import wallet_client
from api.wallet.presentation import PresentationResponse, post_response
from tests.support.verifier import World, serve_verifier
from tests.support.verifier_sessions import BUSINESS_PAGE, holder_of, hostile_verifier, response_code


def _at(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC).timestamp())


# -- cross-device: an error response does not end the session ---------------------------------


def test_access_denied_from_whoever_saw_the_qr_code_does_not_end_the_session(
    chain, sqlite_var: Path, tmp_path: Path
) -> None:
    """The attacker fetches the request object (a verifier configured to serve it more than once)
    and posts access_denied first; the victim's wallet still presents, and the result is hers."""
    with (
        serve_verifier(chain, sqlite_var, request_object_single_fetch=False) as world,
        holder_of(world, tmp_path / "victim") as victim,
    ):
        link = world.open_link()
        seen = world.fetch(link)  # the attacker, from a photo of the QR code
        denied = world.post(seen, error="access_denied", error_description="Please call 0800-000-000")
        assert denied.status_code == 200 and denied.json() == {}

        outcome = victim.present(link.auth_uri)
        assert outcome.accepted, outcome.describe()

        result = world.result(link)
        assert result["verifyResult"] is True, result
        assert result["holder_did"] == victim.did
        assert "0800" not in result["resultDescription"]


def test_the_holder_who_declined_can_still_present(world: World, tmp_path: Path) -> None:
    """The holder's own wallet declines, then thinks again (default: request object served once)."""
    with holder_of(world, tmp_path / "holder") as holder:
        link = world.open_link()
        request = holder.wallet.read_request(link.auth_uri, resolver_url=holder.resolver)
        assert holder.wallet.decline(request).accepted
        assert world.read_result(link).json()["code"] == "4002"  # pending: the request stays open

        response = holder.wallet.respond(request, holder.wallet.match(request))
        assert holder.wallet.post_response(request, response).accepted

        result = world.result(link)
        assert result["verifyResult"] is True and result["holder_did"] == holder.did


def test_error_responses_become_the_result_only_when_the_request_expires(world: World) -> None:
    request = world.open_request()
    for n in range(3):
        assert world.post(request, error="access_denied", error_description=f"no {n}").status_code == 200
    pending = world.read_result(request)
    assert pending.status_code == 400 and pending.json()["code"] == "4002"
    assert "3 error response(s)" in pending.json()["detail"]

    world.clock.offset += world.ctx.config.request_ttl
    result = world.result(request)
    assert result["verifyResult"] is False and result["holder_did"] == ""
    assert [reason["code"] for reason in result["reasons"]] == ["WALLET_ERROR"]
    assert result["reasons"][0]["message"] == "the wallet answered access_denied: no 2"


def test_an_error_after_the_presentation_is_still_a_replay(world: World) -> None:
    request = world.open_request()
    assert world.post_vp(request, world.present_sd_jwt(world.sd_jwt(), request)).status_code == 200
    late = world.post(request, error="access_denied")
    assert late.status_code == 400 and late.json()["error_description"].startswith("REPLAYED")
    assert world.result(request)["verifyResult"] is True


# -- the request object is served once ---------------------------------------------------------


def test_the_request_object_is_served_once(world: World, tmp_path: Path) -> None:
    with holder_of(world, tmp_path / "holder") as holder:
        link = world.open_link()
        request = holder.wallet.read_request(link.auth_uri, resolver_url=holder.resolver)

        again = httpx.get(link.request_uri, timeout=30)  # whoever scans the QR code next
        assert again.status_code == 400, again.text
        assert again.json()["error"] == "invalid_request_uri"
        assert again.json()["error_description"].startswith("REQUEST_ALREADY_FETCHED")

        with pytest.raises(WalletError) as refused:  # a second wallet reads the refusal
            holder.wallet.read_request(link.auth_uri, resolver_url=holder.resolver)
        assert refused.value.error == "invalid_request_uri" and refused.value.status == 400
        assert "REQUEST_ALREADY_FETCHED" in str(refused.value)

        response = holder.wallet.respond(request, holder.wallet.match(request))
        assert holder.wallet.post_response(request, response).accepted
        assert world.result(link)["holder_did"] == holder.did


def test_racing_fetches_get_one_request_object(world: World) -> None:
    link = world.open_link()
    start = threading.Barrier(8)
    statuses: list[int] = []

    def fetch() -> None:
        start.wait()
        statuses.append(httpx.get(link.request_uri, timeout=30).status_code)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [200] + [400] * 7


# -- same device: the result needs the response code the holder's browser brought back ---------


def test_same_device_result_is_read_only_with_the_response_code(world: World, tmp_path: Path) -> None:
    with holder_of(world, tmp_path / "holder") as holder:
        link = world.open_link(redirectUri=BUSINESS_PAGE)
        outcome = holder.present(link.auth_uri)
        assert outcome.accepted and outcome.redirect_uri is not None
        assert outcome.redirect_uri.startswith(BUSINESS_PAGE + "#response_code=")
        code = response_code(outcome.redirect_uri)

        without = world.read_result(link)
        assert without.status_code == 400, without.text
        assert without.json()["code"] == "4001" and "RESPONSE_CODE_REQUIRED" in without.json()["detail"]
        wrong = world.read_result(link, response_code=code[:-2] + "xx")
        assert wrong.status_code == 400 and wrong.json()["code"] == "4002"
        assert "RESPONSE_CODE_MISMATCH" in wrong.json()["detail"]

        result = world.result(link, response_code=code)
        assert result["verifyResult"] is True and result["holder_did"] == holder.did
        by_header = world.api(
            "POST",
            "/api/oidvp/result",
            json={"transactionId": link.transaction_id},
            headers={"response-code": code},
        )
        assert by_header.status_code == 200 and by_header.json() == result


def test_a_strangers_same_device_answer_cannot_be_read_into_the_victims_session(
    world: World, tmp_path: Path
) -> None:
    """The link leaked; the stranger answers first with a valid credential of their own. Their
    browser gets the response code, the victim's does not: the business system cannot read the
    stranger's result into the victim's session, and the victim's wallet is told REPLAYED."""
    with holder_of(world, tmp_path / "victim") as victim:
        link = world.open_link(redirectUri=BUSINESS_PAGE)
        seen = world.fetch(link)
        stranger = world.post_vp(seen, world.present_sd_jwt(world.sd_jwt(), seen))
        assert stranger.status_code == 200
        strangers_code = response_code(stranger.json()["redirect_uri"])

        assert world.read_result(link).json()["code"] == "4001"  # the victim's page has no code
        with pytest.raises(WalletError) as refused:
            victim.present(link.auth_uri)  # the request object was fetched already
        assert refused.value.error == "invalid_request_uri"

        result = world.result(link, response_code=strangers_code)  # only the stranger's page reads it
        assert result["holder_did"] == world.holder_did != victim.did


def test_same_device_decline_then_present_each_get_their_own_code(world: World, tmp_path: Path) -> None:
    with holder_of(world, tmp_path / "holder") as holder:
        link = world.open_link(redirectUri=BUSINESS_PAGE)
        request = holder.wallet.read_request(link.auth_uri, resolver_url=holder.resolver)
        declined = holder.wallet.decline(request)
        assert declined.accepted and declined.redirect_uri is not None
        declined_code = response_code(declined.redirect_uri)
        refused = world.result(link, response_code=declined_code)
        assert refused["verifyResult"] is False and refused["reasons"][0]["code"] == "WALLET_ERROR"

        presented = holder.wallet.post_response(
            request, holder.wallet.respond(request, holder.wallet.match(request))
        )
        presented_code = response_code(presented.redirect_uri)
        assert presented_code != declined_code
        assert world.result(link, response_code=presented_code)["verifyResult"] is True
        assert world.result(link, response_code=declined_code)["verifyResult"] is False


def test_a_cross_device_result_is_not_read_with_a_response_code(world: World) -> None:
    request = world.open_request()
    assert world.post_vp(request, world.present_sd_jwt(world.sd_jwt(), request)).status_code == 200
    assert world.read_result(request, response_code="guess").json()["code"] == "4002"
    assert world.read_result(request, response_code="").status_code == 200  # empty: none given


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "javascript:alert(1)",
        "http://rp.example/back",
        "https://rp.example/back#frag",
        "https://user:pw@rp.example/back",
        "https://rp.example/a b",
        "/relative",
        "https://" + "a" * 2050 + ".example/",
    ],
)
def test_dwvp_01_101_refuses_a_bad_redirect_uri(world: World, redirect_uri: str) -> None:
    refused = world.api(
        "GET",
        "/api/oidvp/qrcode",
        params={"ref": "employee", "transactionId": "t-1", "redirectUri": redirect_uri},
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "4001" and "redirectUri" in refused.json()["detail"]


def test_a_same_device_result_is_never_called_back(world: World) -> None:
    params = {"ref": "employee", "transactionId": "t-2", "redirectUri": BUSINESS_PAGE, "isCallback": "Y"}
    refused = world.api("GET", "/api/oidvp/qrcode", params=params)
    assert refused.status_code == 400 and refused.json()["code"] == "4001"
    assert "exclude each other" in refused.json()["detail"]


# -- cross device: what the business system gets to bind the result to its user ---------------


def test_dwvp_01_201_names_the_holder_and_the_time(world: World, tmp_path: Path) -> None:
    """A stranger answers the victim's cross-device request with a valid credential first: the
    result says whose it is and when, so the business system can tell it is not its user's."""
    with holder_of(world, tmp_path / "victim") as victim:
        link = world.open_link()
        seen = world.fetch(link)
        before = world.clock()
        assert world.post_vp(seen, world.present_sd_jwt(world.sd_jwt(), seen)).status_code == 200
        after = world.clock()

        result = world.result(link)
        assert result["verifyResult"] is True
        assert result["holder_did"] == world.holder_did != victim.did
        assert before <= _at(result["presentedAt"]) <= after
        assert result["presentedAt"].endswith("Z")


# -- the wallet sends the user agent only to an https redirect --------------------------------


@pytest.mark.parametrize("redirect_uri", ["javascript:alert(document.cookie)", "http://evil.example/x"])
def test_the_wallet_does_not_pass_on_an_unsafe_redirect_uri(redirect_uri: str) -> None:
    with hostile_verifier(redirect_uri) as url, wallet_client() as client:
        outcome = post_response(client, url, PresentationResponse({"state": "s", "error": "access_denied"}))
    assert outcome.accepted and outcome.redirect_uri is None
    assert outcome.unsafe_redirect == redirect_uri
    assert "not followed" in outcome.describe()


# -- a session file of the previous version ---------------------------------------------------


def test_a_session_file_of_the_previous_version_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "verifier-sessions.sqlite"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE presentation_sessions (transaction_id TEXT PRIMARY KEY, template_ref TEXT NOT NULL, "
        "request_id TEXT NOT NULL UNIQUE, state TEXT NOT NULL UNIQUE, nonce TEXT NOT NULL, "
        "callback INTEGER NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, "
        "answered_at INTEGER, result TEXT)"
    )
    old.execute(
        "INSERT INTO presentation_sessions VALUES "
        "('t', 'employee', 'r', 's', 'n', 0, 1, 4102444800, NULL, NULL)"
    )
    old.commit()
    old.close()
    store = SessionStore(path)
    try:
        assert store.mark_fetched("r", 10, single=True) and not store.mark_fetched("r", 11, single=True)
        assert store.record_wallet_error("s", 12, {"at": 12, "responseCode": None, "result": {}})
        session = store.by_transaction("t")
        assert session is not None and session.fetched_at == 10 and not session.same_device
        assert len(session.wallet_errors) == 1 and session.answered_at is None
    finally:
        store.close()

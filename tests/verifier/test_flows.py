"""Whole presentation flows over HTTP against the served verifier: DWVP-01-101 -> request object ->
direct_post -> DWVP-01-201, in every format and profile, with SIOP login and callbacks."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

from anvil.devchain import free_port
from api.credentials.keys import SigningKey, read_header, verify_jws
from tests.support.verifier import EMPLOYEE, ISSUER, TARGET, VERIFIER, World, serve_verifier
from tests.support.waiting import wait_until


def test_request_object_is_signed_by_the_verifier_key_on_chain_with_a_dcql_query(world: World) -> None:
    request = world.open_request("employee")
    assert request.client_id == f"decentralized_identifier:{VERIFIER}"
    assert request.media_type.startswith("application/oauth-authz-req+jwt")  # served once: as fetched
    header = read_header(request.token)
    assert header["typ"] == "oauth-authz-req+jwt" and header["kid"] == f"{VERIFIER}#key-1"
    claims = verify_jws(request.token, world.verifier_key.public_jwk).claims()
    assert claims["client_id"] == request.client_id
    assert claims["response_mode"] == "direct_post" and claims["response_type"] == "vp_token"
    assert claims["response_uri"] == f"{world.url}/oidvp/response" and "redirect_uri" not in claims
    assert len(claims["nonce"]) >= 22 and claims["state"]
    assert claims["dcql_query"] == {
        "credentials": [
            {
                "id": "employee",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [EMPLOYEE]},
                "claims": [{"path": ["name"]}, {"path": ["employee_no"]}],
            }
        ]
    }


def test_sd_jwt_presentation_is_trusted_and_the_result_lists_the_disclosed_claims(world: World) -> None:
    request = world.open_request("employee")
    pending = world.api("POST", "/api/oidvp/result", json={"transactionId": request.transaction_id})
    assert pending.status_code == 400 and pending.json()["code"] == "4002"
    response = world.post_vp(request, world.present_sd_jwt(world.sd_jwt(), request))
    assert response.status_code == 200, response.text
    result = world.result(request)
    assert result["verifyResult"] is True, result
    assert result["transactionId"] == request.transaction_id
    assert result["holder_did"] == world.holder_did
    assert result["data"] == [
        {
            "credentialType": EMPLOYEE,
            "issuer": ISSUER,
            "claims": [
                {"ename": "name", "cname": "姓名", "value": "林美"},
                {"ename": "employee_no", "cname": "員工編號", "value": "E-042"},
            ],
        }
    ]


def test_jwt_vc_presentation_in_a_vp_jwt_is_trusted(world: World) -> None:
    request = world.open_request("employee_jwt")
    dcql = request.claims["dcql_query"]["credentials"][0]
    assert dcql["format"] == "jwt_vc_json" and dcql["meta"] == {
        "type_values": [  # expanded IRIs (OID4VP 1.0 Appendix B.1.1)
            [
                "https://www.w3.org/2018/credentials#VerifiableCredential",
                f"https://www.w3.org/ns/credentials/issuer-dependent#{EMPLOYEE}",
            ]
        ]
    }
    response = world.post_vp(request, world.vp_jwt(world.jwt_vc(), request))
    assert response.status_code == 200, response.text
    result = world.result(request)
    assert result["verifyResult"] is True and result["holder_did"] == world.holder_did
    assert {c["ename"]: c["value"] for c in result["data"][0]["claims"]} == {
        "name": "林美",
        "employee_no": "E-042",
    }


def test_twdiw_profile_uses_a_presentation_definition_and_a_submission(world: World) -> None:
    request = world.open_request("employee_tw")
    assert request.auth_uri.startswith("modadigitalwallet://authorize?")
    assert request.client_id == VERIFIER and request.claims["client_id_scheme"] == "did"
    assert "dcql_query" not in request.claims
    descriptor = request.claims["presentation_definition"]["input_descriptors"][0]
    assert descriptor["id"] == "employee"  # the official verifier's shape (api/verifier/twdiw.py)
    assert descriptor["constraints"]["fields"][0] == {
        "path": ["$.type"],
        "filter": {"type": "array", "contains": {"const": "EmployeeCredential"}},
    }
    presentation = world.present_sd_jwt(world.twdiw(), request)
    submission = {
        "id": "s1",
        "definition_id": "employee_tw",
        "descriptor_map": [{"id": "employee", "format": "vc+sd-jwt", "path": "$"}],
    }
    response = world.post(request, vp_token=presentation, presentation_submission=json.dumps(submission))
    assert response.status_code == 200, response.text
    result = world.result(request)
    assert result["verifyResult"] is True and result["holder_did"] == world.holder_did
    assert result["data"][0]["claims"] == [{"ename": "name", "cname": "", "value": "林美"}]


def test_siop_login_with_a_vp_gives_an_access_token_signed_by_the_verifier(world: World) -> None:
    request = world.open_request("login")
    assert request.claims["response_type"] == "vp_token id_token" and request.claims["scope"] == "openid"
    roles = [{"target": TARGET, "names": ["reader"]}]
    credential = world.sd_jwt(claims={"name": "林美", "employee_no": "E-042", "roles": roles})
    response = world.post_vp(
        request, world.present_sd_jwt(credential, request), id_token=world.id_token(request)
    )
    assert response.status_code == 200, response.text
    result = world.result(request)
    assert result["verifyResult"] is True and result["token_type"] == "Bearer"
    token = verify_jws(result["access_token"], world.verifier_key.public_jwk)
    claims = token.claims()
    assert token.header["typ"] == "at+jwt"
    assert claims["iss"] == VERIFIER and claims["aud"] == TARGET and claims["sub"] == world.holder_did
    assert claims["roles"] == roles and claims["credential_types"] == [EMPLOYEE]
    # what a PEP judges again at each request (api.dataspace.pep)
    assert claims["credentials"] == [{"type": EMPLOYEE, "issuer": ISSUER, "roles": roles}]


def test_siop_login_by_another_holder_than_the_credentials_is_refused(world: World) -> None:
    request = world.open_request("login")
    presentation = world.present_sd_jwt(world.sd_jwt(), request)
    response = world.post_vp(
        request, presentation, id_token=world.id_token(request, holder=SigningKey.generate())
    )
    assert response.status_code == 200  # processed (OID4VP 1.0 §8.2); the result refuses
    assert world.result(request)["reasons"][0]["code"] == "HOLDER_MISMATCH"
    assert "access_token" not in world.result(request)


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"nonce": "stale"}, "NONCE_MISMATCH"),
        ({"aud": "someone"}, "AUDIENCE_MISMATCH"),
        ({"sub": "did:jwk:x"}, "ID_TOKEN_INVALID"),
    ],
)
def test_bad_siop_id_token_is_refused(world: World, override: dict[str, str], code: str) -> None:
    request = world.open_request("login")
    presentation = world.present_sd_jwt(world.sd_jwt(), request)
    response = world.post_vp(request, presentation, id_token=world.id_token(request, **override))
    assert response.status_code == 200  # processed (OID4VP 1.0 §8.2); the result refuses
    assert world.result(request)["reasons"][0]["code"] == code


class Receiver:
    """A business system's callback endpoint (DWVP-02-201), served for real."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        app = FastAPI()

        @app.post("/callback")
        async def callback(request: Request) -> dict[str, str]:
            self.received.append(await request.json())
            return {"code": "0", "message": "SUCCESS"}

        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/callback"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    running.thread.start()
    wait_until(lambda: running.server.started, 30, what="the callback receiver")
    yield running
    running.server.should_exit = True
    running.thread.join(30)


@pytest.fixture
def world_with_callback(chain, sqlite_var: Path, receiver: Receiver) -> Iterator[tuple[World, Receiver]]:
    with serve_verifier(chain, sqlite_var, callback_url=receiver.url) as running:
        yield running, receiver


def test_callback_and_static_qr_deliver_the_result_to_the_business_system(world_with_callback) -> None:
    world, receiver = world_with_callback
    static = httpx.get(f"{world.url}/api/verifier/deeplink/vp/employee", timeout=30)
    assert static.status_code == 200 and static.json()["code"] == "0"
    deep_link = static.json()["data"]["deepLink"]
    assert deep_link.startswith("openid4vp://?client_id=")
    request = world.open_request("employee", isCallback="Y")
    assert world.post_vp(request, world.present_sd_jwt(world.sd_jwt(), request)).status_code == 200
    wait_until(lambda: len(receiver.received) == 1, 30, what="the callback")
    delivered = receiver.received[0]
    assert set(delivered) == {"verifyResult", "resultDescription", "transactionId", "data"}
    assert delivered["transactionId"] == request.transaction_id and delivered["verifyResult"] is True


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"transactionId": "t-1"}, "10105"),
        ({"ref": "employee"}, "10106"),
        ({"ref": "no such template!", "transactionId": "t-1"}, "10101"),
        ({"ref": "unknown", "transactionId": "t-1"}, "10102"),
        ({"ref": "employee", "transactionId": "x" * 51}, "4001"),
        ({"ref": "employee", "transactionId": "t-1", "isCallback": "maybe"}, "4001"),
        ({"ref": "employee", "transactionId": "t-1", "isCallback": "Y"}, "4001"),
    ],
)
def test_dwvp_01_101_refuses_bad_parameters_with_the_spec_codes(
    world: World, params: dict[str, str], code: str
) -> None:
    response = world.api("GET", "/api/oidvp/qrcode", params=params)
    assert 400 <= response.status_code < 500 and response.json()["code"] == code, response.text


def test_dwvp_01_101_refuses_a_reused_transaction_id_and_a_missing_access_token(world: World) -> None:
    transaction_id = str(uuid.uuid4())
    world.open_request("employee", transaction_id)
    again = world.api("GET", "/api/oidvp/qrcode", params={"ref": "employee", "transactionId": transaction_id})
    assert again.status_code == 400 and again.json()["code"] == "4001"
    anonymous = httpx.get(f"{world.url}/api/oidvp/qrcode", params={"ref": "employee", "transactionId": "t-2"})
    assert anonymous.status_code == 401
    unknown = world.api("POST", "/api/oidvp/result", json={"transactionId": "never-opened"})
    assert unknown.status_code == 400 and unknown.json()["code"] == "4002"


def test_request_object_is_gone_once_answered(world: World) -> None:
    request = world.open_request()
    assert world.post_vp(request, world.present_sd_jwt(world.sd_jwt(), request)).status_code == 200
    again = httpx.get(request.request_uri, timeout=30)
    assert again.status_code == 400 and again.json()["error"] == "invalid_request_uri"
    missing = httpx.get(f"{world.url}/oidvp/request/nope", timeout=30)
    assert missing.status_code == 404 and missing.json()["error"] == "invalid_request_uri"

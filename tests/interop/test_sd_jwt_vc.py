"""The OpenWallet Foundation's SD-JWT VC libraries against `trust-ledger serve issuer` over HTTP:
@sd-jwt/jwt-status-list reads our Status List Tokens, @sd-jwt/sd-jwt-vc verifies our SD-JWT VCs
with its own status and type-metadata fetchers, the dcql library matches them against the demo
verifier's query (issue 16 items 3 and 9). Pinned in package.json; nothing leaves the host."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from api.credentials.keys import read_payload
from api.verifier.config import VerifierTemplate
from api.verifier.requests import dcql_query
from api.wallet import Wallet
from tests.support.interop import IssuerProcess, run_node
from tests.support.waiting import wait_until
from trust_ledger.cli.devseed import demo_verifier_templates


def _card(issuer: IssuerProcess, wallet: Wallet) -> tuple[str, dict[str, Any], str]:
    """A dc+sd-jwt card collected by our wallet: the SD-JWT, its payload and its cid; once its
    status list is published (a new list is, once the views hold the block that created it)."""
    (stored,) = wallet.accept_offer(issuer.offer(), format="dc+sd-jwt")
    payload = read_payload(stored.raw.split("~")[0])
    uri = payload["status"]["status_list"]["uri"]
    wait_until(lambda: httpx.get(uri, timeout=30).status_code == 200, 60, what=f"{uri} to be published")
    return stored.raw, payload, payload["jti"].rsplit("/", 1)[1]


def _sd_jwt_vc(issuer: IssuerProcess, credential: str, *, type_metadata: bool = False) -> dict[str, Any]:
    return run_node(
        "sd_jwt_vc.mjs",
        stdin=json.dumps(
            {"credential": credential, "jwk": issuer.key.public_jwk, "typeMetadata": type_metadata}
        ),
    )


def test_token_status_list_reads_valid_suspended_and_revoked_cards(
    issuer_process: IssuerProcess, tmp_path: Path
) -> None:
    """Item 3: a suspended card's status was 0 (valid) to any Token Status List reader, since its
    `status` named the revocation list alone (`bits: 1`). It names one `bits: 2` list now."""
    issuer = issuer_process
    wallet = Wallet(tmp_path / "wallet")
    cards = {name: _card(issuer, wallet) for name in ("valid", "suspended", "revoked")}
    issuer.change(cards["suspended"][2], "suspension")
    issuer.change(cards["revoked"][2], "revocation")
    for name, expected in (("valid", 0), ("suspended", 2), ("revoked", 1)):
        reference = cards[name][1]["status"]["status_list"]
        read = run_node(
            "token_status_list.mjs",
            stdin=json.dumps(
                {"uri": reference["uri"], "indices": [reference["idx"]], "jwk": issuer.key.public_jwk}
            ),
        )
        assert read["contentType"].startswith("application/statuslist+jwt")
        assert read["header"]["typ"] == "statuslist+jwt" and read["sub"] == reference["uri"]
        assert read["bits"] == 2
        assert read["statuses"] == {str(reference["idx"]): expected}, name
        assert read["cors"] == "*"


def test_sd_jwt_vc_library_refuses_a_suspended_card_and_accepts_it_recovered(
    issuer_process: IssuerProcess, tmp_path: Path
) -> None:
    """Item 3 through a whole SD-JWT VC verifier: its default status fetcher (Accept
    application/statuslist+jwt, Content-Type checked, token signature, status 0 or refused)."""
    issuer = issuer_process
    credential, _, cid = _card(issuer, Wallet(tmp_path / "wallet"))
    assert _sd_jwt_vc(issuer, credential)["ok"] is True
    issuer.change(cid, "suspension")
    assert _sd_jwt_vc(issuer, credential) == {"ok": False, "error": "Status is not valid"}
    issuer.change(cid, "recovery")
    assert _sd_jwt_vc(issuer, credential)["ok"] is True
    issuer.change(cid, "revocation")
    assert _sd_jwt_vc(issuer, credential) == {"ok": False, "error": "Status is not valid"}


def test_vct_is_the_issuers_uri_its_type_metadata_is_served_there_and_dcql_matches_it(
    issuer_process: IssuerProcess, tmp_path: Path
) -> None:
    """Item 9: `vct` was the registry's type name (`EmployeeCredential`), not a collision-resistant
    URI, and nothing was served at the `<base_url>/vct/<vcUid>` the README promised. The library
    fetches the Type Metadata from the vct URL itself and validates it against its schema; the
    dcql library matches the card against the query the demo verifier (trust_ledger/cli/devseed.py)
    sends, which asks for the issuer's vct URI."""
    issuer = issuer_process
    credential, payload, _ = _card(issuer, Wallet(tmp_path / "wallet"))
    assert payload["vct"] == f"{issuer.url}/vct/employee"
    verified = _sd_jwt_vc(issuer, credential, type_metadata=True)
    assert verified["ok"] is True, verified
    metadata = verified["typeMetadata"]
    assert metadata["vctValues"] == [payload["vct"]]
    merged = metadata["mergedTypeMetadata"]
    assert merged["vct"] == payload["vct"] and merged["display"][0]["name"] == "EmployeeCredential"
    assert [claim["path"] for claim in merged["claims"]] == [["name"], ["employee_no"]]
    assert {claim["sd"] for claim in merged["claims"]} == {"always"}
    issued = issuer.api("GET", "/.well-known/openid-credential-issuer").json()
    assert issued["credential_configurations_supported"]["employee_sd_jwt"]["vct"] == payload["vct"]
    assert issuer.api("GET", "/vct/twcard").status_code == 404  # twdiw: the template code, no URL
    assert issuer.api("GET", "/vct/nothing").json()["code"] == "61010"

    template = VerifierTemplate.model_validate(demo_verifier_templates(issuer.url)["employee"])
    answer = run_node(
        "dcql_sd_jwt.mjs", stdin=json.dumps({"query": dcql_query(template), "credential": credential})
    )
    assert answer["vct"] == payload["vct"]
    assert answer["result"]["can_be_satisfied"] is True
    assert answer["result"]["credential_matches"]["employee"]["success"] is True
    other = VerifierTemplate.model_validate(demo_verifier_templates("https://elsewhere.test")["employee"])
    refused = run_node(
        "dcql_sd_jwt.mjs", stdin=json.dumps({"query": dcql_query(other), "credential": credential})
    )
    assert refused["result"]["can_be_satisfied"] is False

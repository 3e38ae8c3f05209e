"""The OpenWallet Foundation's SD-JWT VC libraries against `trust-ledger serve issuer` over HTTP:
@sd-jwt/jwt-status-list reads our Status List Tokens, @sd-jwt/sd-jwt-vc verifies our SD-JWT VCs
with its own status fetcher (issue 16 item 3). Pinned in package.json; nothing leaves the host."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from api.credentials.keys import read_payload
from api.wallet import Wallet
from tests.support.interop import IssuerProcess, run_node
from tests.support.waiting import wait_until


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

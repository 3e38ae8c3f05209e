"""The dcql library (OpenWallet Foundation Labs) matches our credentials against our DCQL queries."""

from __future__ import annotations

import json
import time

from api.credentials.jwt_vc import issue_jwt_vc
from api.credentials.status import status_list_2021_pair
from tests.support.interop import Interop, run_node
from tests.support.verifier import EMPLOYEE, REVOCATION_URI, SUBJECT, SUSPENSION_URI


def test_dcql_library_matches_our_jwt_vc_json_against_our_query(interop: Interop) -> None:
    """Item 6 of issue 16: `type_values` held short names, which never equal the expanded type
    IRIs a DCQL processor compares them with (OID4VP 1.0 Appendix B.1.1)."""
    world = interop.world
    request = world.open_request("employee_jwt")
    credential = issue_jwt_vc(  # as the issuer issues jwt_vc_json (api/issuer/credentials.py)
        world.issuer_key,
        holder_did=world.holder_did,
        types=[EMPLOYEE],
        credential_subject=SUBJECT,
        expires_at=int(time.time()) + 3600,
        credential_status=status_list_2021_pair(7, REVOCATION_URI, SUSPENSION_URI),
    )

    answer = run_node(
        "dcql_match.mjs", stdin=json.dumps({"query": request.claims["dcql_query"], "credential": credential})
    )

    assert answer["expandedTypes"] == [
        "https://www.w3.org/2018/credentials#VerifiableCredential",
        f"https://www.w3.org/ns/credentials/issuer-dependent#{EMPLOYEE}",
    ]
    assert answer["result"]["can_be_satisfied"] is True
    match = answer["result"]["credential_matches"]["employee"]
    assert match["success"] is True

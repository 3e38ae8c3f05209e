"""Issuer and verifier apply one accreditation rule (projections.accreditation) on a real chain.

root -> region (grandparent, dev1) -> agency (parent, dev4) -> acme (the issuer, dev2), each
accredited for EmployeeCredential with roles on TARGET. A withdrawal, a window or a narrowing up the
tree does not cascade on chain (acme's record keeps what it was given), so both modules must walk the
ancestors: the issuer refuses to issue exactly when the verifier refuses the credential, for the same
reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from anvil.accounts import dev_account
from api.credentials.keys import SigningKey
from api.credentials.sd_jwt import issue_sd_jwt_vc, present
from api.credentials.status import token_status_reference
from api.issuer.config import RoleGrant
from api.issuer.errors import UNSUPPORTED_KIND, IssuanceRefused
from api.issuer.trust import check_may_issue
from api.verifier.config import CredentialQuery
from api.verifier.decision import Binding, TrustDecision
from api.verifier.reasons import Refused
from api.verifier.trust_source import ViewsTrustSource
from projections.service import LedgerService
from tests.support.waiting import wait_until
from trust_ledger.chain.follower import default_horizon

REGION = "did:web:region.rule.test"
AGENCY = "did:web:agency.rule.test"
ACME = "did:web:acme.rule.test"
TARGET = "did:web:service.rule.test"
EMPLOYEE = "EmployeeCredential"
STATUS_URI = "https://acme.rule.test/status/r0"
AUDIENCE = "did:web:gate.rule.test"
NONCE = "n-0123456789"
BOTH_ROLES = [(TARGET, ["reader", "writer"])]


@dataclass
class Tree:
    """The four levels on chain, followed by the views both modules read."""

    chain: Any
    service: LedgerService
    key: SigningKey
    holder: SigningKey

    def on_chain(self, signer: str, action: str, *args: Any) -> None:
        result = getattr(self.chain.gateway(signer), action)(*args)
        block = result.block_number
        wait_until(
            lambda: (self.service.views.freshness().block_number or -1) >= block,
            60,
            what=f"the views to reach block {block}",
        )

    def issuer_refusal(self, roles: list[str]) -> IssuanceRefused | None:
        """What the issuer module decides before issuing now (None: it issues)."""
        grants = [RoleGrant(target=TARGET, names=roles)] if roles else []
        try:
            check_may_issue(self.service.views, ACME, EMPLOYEE, int(time.time()), grants)
        except IssuanceRefused as refused:
            return refused
        return None

    def verifier_refusal(self, roles: list[str]) -> Refused | None:
        """What the verifier decides of a credential acme signs now (None: trusted)."""
        claims: dict[str, Any] = {"name": "林美"}
        if roles:
            claims["roles"] = [{"target": TARGET, "names": roles}]
        credential = issue_sd_jwt_vc(
            self.key,
            vct=EMPLOYEE,
            claims=claims,
            holder_jwk=self.holder.public_jwk,
            expires_at=int(time.time()) + 3600,
            status=token_status_reference(1, STATUS_URI),
            issuer_id=ACME,
        ).sd_jwt
        presentation = present(credential, holder=self.holder, audience=AUDIENCE, nonce=NONCE)
        decision = TrustDecision(ViewsTrustSource(self.service.views), clock=lambda: int(time.time()))
        try:
            decision.verify(
                presentation, CredentialQuery(id="employee", type=EMPLOYEE), Binding(AUDIENCE, NONCE)
            )
        except Refused as refused:
            return refused
        return None

    def both_refuse(self, roles: Sequence[str] = ()) -> str:
        """Both modules refuse, for one reason; that reason."""
        issuer, verifier = self.issuer_refusal(list(roles)), self.verifier_refusal(list(roles))
        assert issuer is not None and verifier is not None, (issuer, verifier)
        assert issuer.code == UNSUPPORTED_KIND and issuer.status == 403, issuer
        assert issuer.message.startswith(f"{verifier.reason}: "), (issuer.message, verifier.reason)
        return verifier.reason


@pytest.fixture
def tree(chain, sqlite_var: Path) -> Iterator[Tree]:
    key = SigningKey.generate(did=ACME, key_id="key-1")
    anchor, region, agency, acme = (chain.gateway(name) for name in ("anchor", "dev1", "dev4", "dev2"))
    anchor.register("root", "region", REGION, dev_account("dev1").address)
    anchor.accredit(REGION, EMPLOYEE, BOTH_ROLES)
    region.register(REGION, "agency", AGENCY, dev_account("dev4").address)
    region.accredit(AGENCY, EMPLOYEE, BOTH_ROLES)
    agency.register(AGENCY, "acme", ACME, dev_account("dev2").address)
    agency.accredit(ACME, EMPLOYEE, BOTH_ROLES)
    acme.add_key(ACME, "key-1", "JsonWebKey2020", json.dumps(key.public_jwk).encode(), ["assertionMethod"])
    _, setup = acme.create_status_list(ACME, "revocation", STATUS_URI, 1024)
    service = LedgerService.open(
        chain.gateway(None), default_horizon(chain.deployment.chain_id), poll_interval=0.05
    )
    service.start()
    try:
        wait_until(
            lambda: (service.views.freshness().block_number or -1) >= setup.block_number,
            60,
            what="the views to hold the tree",
        )
        yield Tree(chain, service, key, SigningKey.generate())
    finally:
        service.stop()


def test_the_tree_as_granted_issues_and_verifies(tree: Tree) -> None:
    assert tree.issuer_refusal(["reader", "writer"]) is None
    assert tree.verifier_refusal(["reader", "writer"]) is None


def test_grandparent_withdrawn_refuses_issuing_and_verifying(tree: Tree) -> None:
    tree.on_chain("anchor", "withdraw_accreditation", REGION, EMPLOYEE)
    assert ACME in {e.did for e in tree.service.views.trust_list(credential_type=EMPLOYEE).items}

    assert tree.both_refuse() == "NOT_ACCREDITED"
    assert REGION in tree.issuer_refusal([]).message


def test_parents_window_ending_refuses_issuing_and_verifying(tree: Tree) -> None:
    now = int(time.time())
    tree.on_chain("dev1", "accredit", AGENCY, EMPLOYEE, BOTH_ROLES, now - 7200, now - 3600)

    assert tree.both_refuse() == "NOT_ACCREDITED"
    assert AGENCY in tree.issuer_refusal([]).message


def test_role_not_held_by_an_ancestor_refuses_issuing_and_verifying(tree: Tree) -> None:
    tree.on_chain("anchor", "accredit", REGION, EMPLOYEE, [(TARGET, ["reader"])])

    assert tree.both_refuse(["writer"]) == "ROLE_NOT_ACCREDITED"
    assert tree.issuer_refusal(["reader"]) is None and tree.verifier_refusal(["reader"]) is None

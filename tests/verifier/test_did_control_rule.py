"""A DID registered with a proof of control that does not verify is claimed, not proven (issue 14
item 4): the issuer module refuses to issue for it and the verifier refuses what it signs, and what
any entity below it signs (DID_CONTROL_UNPROVEN, one rule: projections/accreditation.py).

On a real chain: a squatter's parent registers the victim's did:jwk with a proof that is not the
victim's signature (the contract records a `Signature` proof it cannot check; the follower checks it
and records it false), adds the squatter's own key and gets it accredited. Before this rule the
verifier answered the squatter's credentials as trusted, issued by the victim's DID.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from anvil.accounts import dev_account
from api.credentials import dids
from api.credentials.keys import SigningKey
from api.credentials.sd_jwt import issue_sd_jwt_vc, present
from api.credentials.status import token_status_reference
from api.issuer.errors import DID_NOT_REGISTERED, IssuanceRefused
from api.issuer.trust import check_may_issue
from api.verifier.config import CredentialQuery
from api.verifier.decision import Binding, TrustDecision
from api.verifier.reasons import DID_CONTROL_UNPROVEN, Refused
from api.verifier.trust_source import ViewsTrustSource
from projections.service import LedgerService
from projections.trust_freshness import FreshnessBounds, judge_live_views
from tests.support.waiting import wait_until
from trust_ledger.chain import did_control
from trust_ledger.chain.follower import default_horizon

AGENCY = "did:web:agency.control.test"
CHILD = "did:web:branch.control.test"
EMPLOYEE = "EmployeeCredential"
AUDIENCE = "did:web:gate.control.test"
NONCE = "n-0123456789"


@dataclass
class Registry:
    """Issuers on chain, followed by the views both modules read; each issuer's signing key."""

    chain: Any
    service: LedgerService
    keys: dict[str, SigningKey]

    def issuer_refusal(self, did: str) -> IssuanceRefused | None:
        try:
            check_may_issue(self.service.views, did, EMPLOYEE, int(time.time()))
        except IssuanceRefused as refused:
            return refused
        return None

    def verifier_refusal(self, did: str) -> Refused | None:
        holder = SigningKey.generate()
        credential = issue_sd_jwt_vc(
            self.keys[did],
            vct=EMPLOYEE,
            claims={"name": "林美"},
            holder_jwk=holder.public_jwk,
            expires_at=int(time.time()) + 3600,
            status=token_status_reference(1, f"https://status.control.test/{len(did)}/r0"),
            issuer_id=did,
        ).sd_jwt
        presentation = present(credential, holder=holder, audience=AUDIENCE, nonce=NONCE)
        decision = TrustDecision(ViewsTrustSource(self.service.views), clock=lambda: int(time.time()))
        try:
            decision.verify(
                presentation, CredentialQuery(id="employee", type=EMPLOYEE), Binding(AUDIENCE, NONCE)
            )
        except Refused as refused:
            return refused
        return None


def _issuer(
    chain: Any, signer: str, parent: str, label: str, did: str, account: str, key: SigningKey, **proof: Any
) -> None:
    """Register `did` under `parent` as `signer`, accredit it, and let its controller add `key` and
    a status list (what a squatter's parent and the squatter can do without the DID's key)."""
    chain.gateway(signer).register(parent, label, did, dev_account(account).address, **proof)
    chain.gateway(signer).accredit(did, EMPLOYEE, [])
    own = chain.gateway(account)
    own.add_key(did, key.key_id, "JsonWebKey2020", json.dumps(key.public_jwk).encode(), ["assertionMethod"])
    own.create_status_list(did, "revocation", f"https://status.control.test/{len(did)}/r0", 1024)


@pytest.fixture
def registry(chain, sqlite_var: Path) -> Iterator[Registry]:
    honest_key, victim_key, squatter_key = (SigningKey.generate("P-256") for _ in range(3))
    honest, victim = dids.did_jwk(honest_key.public_jwk), dids.did_jwk(victim_key.public_jwk)
    anchor = chain.gateway("anchor")
    anchor.register("root", "agency", AGENCY, dev_account("dev1").address)
    anchor.accredit(AGENCY, EMPLOYEE, [])
    signing = {did: SigningKey.generate("P-256", did=did, key_id="key-1") for did in (honest, victim, CHILD)}
    # the honest holder signs its own registration; the squatter cannot sign for the victim's key
    _issuer(
        chain,
        "dev1",
        AGENCY,
        "honest",
        honest,
        "dev2",
        signing[honest],
        did_signer=lambda digest: did_control.sign_jwk(honest_key.private_jwk(), digest),
    )
    _issuer(
        chain,
        "dev1",
        AGENCY,
        "victim",
        victim,
        "dev3",
        signing[victim],
        did_signer=lambda digest: did_control.sign_jwk(squatter_key.private_jwk(), digest),
    )
    _issuer(chain, "dev3", victim, "branch", CHILD, "dev4", signing[CHILD])
    head = chain.w3.eth.block_number
    service = LedgerService.open(
        chain.gateway(None), default_horizon(chain.deployment.chain_id), poll_interval=0.05
    )
    service.start()
    try:
        wait_until(
            lambda: (
                (service.views.freshness().block_number or -1) >= head
                and not judge_live_views(service.views, FreshnessBounds()).stale
            ),
            60,
            what="the views to hold the registry, with the follower's report",
        )
        yield Registry(chain, service, signing)
    finally:
        service.stop()


def _dids(registry: Registry) -> tuple[str, str]:
    honest, victim = (did for did in registry.keys if did.startswith("did:jwk:"))
    return honest, victim


def test_a_proven_did_issues_and_verifies(registry: Registry) -> None:
    honest, _ = _dids(registry)
    assert registry.service.views.entity_version(honest).state.did_control.verified is True
    assert registry.issuer_refusal(honest) is None
    assert registry.verifier_refusal(honest) is None


def test_a_claimed_did_and_its_descendants_are_refused_by_issuer_and_verifier(registry: Registry) -> None:
    _, victim = _dids(registry)
    assert registry.service.views.entity_version(victim).state.did_control.verified is False
    for did in (victim, CHILD):
        refused = registry.verifier_refusal(did)
        assert refused is not None and refused.reason == DID_CONTROL_UNPROVEN, refused
        assert victim in refused.message
        issuing = registry.issuer_refusal(did)
        assert issuing is not None and issuing.code == DID_NOT_REGISTERED and issuing.status == 403
        assert issuing.message.startswith(f"{DID_CONTROL_UNPROVEN}: "), issuing.message

"""The DSBA packet-delivery scenario end to end on Anvil, over HTTP: HappyPets and NoCheaper issue
with the issuer module, holders use the reference wallet, PacketDelivery's verifier turns a SIOP
login with a VP into an access token, and its PEP applies the policy table."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from api.dataspace.hierarchy import CUSTOMER, MARKETPLACE
from api.dataspace.scenario import run_scenario, running_data_space
from projections.service import LedgerService
from tests.support.cli_process import CLI
from trust_ledger.chain.follower import default_horizon


@pytest.fixture
def service(chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRUST_LEDGER_VAR", str(tmp_path / "var"))
    for name in (
        "PERSISTENCE_MODULE",
        "TRUSTLEDGER_PERSISTENCE_MODULE",
        "ISSUANCERECORDS_PERSISTENCE_MODULE",
    ):
        monkeypatch.delenv(name, raising=False)
    running = LedgerService.open(
        chain.gateway(None), default_horizon(chain.deployment.chain_id), poll_interval=0.05
    )
    running.start()
    yield running
    running.stop()


def test_gold_customer_changes_a_pta_and_nocheaper_customers_are_refused(
    chain, service, tmp_path: Path
) -> None:
    with running_data_space(chain.gateway("anchor"), service, tmp_path / "var") as space:
        steps = run_scenario(space)
    by_action = {(step.actor, step.action): step for step in steps}
    assert [step for step in steps if not step.ok] == [], "\n".join(
        f"{s.actor} {s.action}: expected {s.expected}, got {s.outcome} ({s.detail})"
        for s in steps
        if not s.ok
    )
    assert len(steps) == 19

    refused_issue = by_action[("NoCheaper", "issues Dave (customer) a gold_customer card")]
    assert refused_issue.outcome == "11011" and "P.Info.gold" in refused_issue.detail
    forged = next(step for step in steps if step.actor.startswith("Dave"))
    assert forged.outcome == "ROLE_NOT_ACCREDITED" and "did:elsi:EU.EORI.NLNOCHEAPER" in forged.detail
    alice_login = next(step for step in steps if step.actor == "Alice" and "logs in" in step.action)
    assert "P.Info.gold" in alice_login.detail
    bob_login = next(step for step in steps if step.actor == "Bob" and "logs in" in step.action)
    assert "P.Info.standard" in bob_login.detail and "P.Info.gold" not in bob_login.detail
    bob_patch = next(step for step in steps if step.actor == "Bob" and step.action.startswith("PATCH"))
    assert bob_patch.outcome == "403" and "P.Info.gold" in bob_patch.detail

    # the marketplace's customer accreditation withdrawn: Alice's token, minted before, is refused at
    # the PEP with the reason code her new login gets from the verifier
    after = steps[
        steps.index(by_action[("trust anchor", f"withdraws the marketplace's {CUSTOMER} accreditation")]) :
    ]
    token_refused, login_refused = after[1], after[2]
    assert (token_refused.actor, token_refused.outcome) == ("Alice", "401")
    assert "NOT_ACCREDITED" in token_refused.detail and MARKETPLACE in token_refused.detail
    assert (login_refused.actor, login_refused.outcome) == ("Alice (again)", "NOT_ACCREDITED")
    assert MARKETPLACE in login_refused.detail


def test_the_demo_command_plays_the_scenario_on_its_own_chain(tmp_path: Path) -> None:
    process = subprocess.run(
        [*CLI, "demo", "dataspace"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
        cwd=tmp_path,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    assert "ROLE_NOT_ACCREDITED (as expected)" in process.stdout
    assert (
        "PATCH /ngsi-ld/v1/entities/urn:ngsi-ld:DELIVERYORDER:happypets001/attrs/PTA -> 204" in process.stdout
    )

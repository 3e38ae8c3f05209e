"""What one trust decision reads of the live views (issue 18, target 2): one read transaction,
its answers remembered while the views stand still, and every change to the views (a status bit,
the issuer's status, a key) seen by the very next decision of the same verifier."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from api.credentials.sd_jwt import present
from api.verifier.config import CredentialQuery
from api.verifier.decision import Binding, TrustedCredential
from api.verifier.reasons import Refused
from tests.support.verifier import EMPLOYEE, ISSUER, VERIFIER, World

QUERY = CredentialQuery(id="employee", type=EMPLOYEE, format="dc+sd-jwt")


def decide(world: World, credential: str) -> TrustedCredential | Refused:
    """The served verifier's own decision (the one whose source remembers) on a fresh presentation."""
    nonce = f"n-{time.monotonic_ns()}"
    presentation = present(credential, holder=world.holder, audience=VERIFIER, nonce=nonce)
    try:
        return world.ctx.decision.verify(presentation, QUERY, Binding(audience=VERIFIER, nonce=nonce))
    except Refused as refused:
        return refused


def counting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    """Count the calls of ``owner.name`` made in this thread (the follower's thread reads and
    writes too); the real method still runs."""
    calls: list[int] = []
    real: Callable[..., Any] = getattr(owner, name)
    here = threading.get_ident()

    def counted(*args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() == here:
            calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_a_decision_reads_one_transaction_and_the_same_state_from_memory(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    credential = world.sd_jwt(index=7)
    assert isinstance(decide(world, credential), TrustedCredential)
    views = world.service.views
    transactions = counting(monkeypatch, views.recorder, "_begin_snapshot")
    lists_read = counting(monkeypatch, views, "status_list_at")
    entities_read = counting(monkeypatch, views, "entity_version")
    trusted = decide(world, credential)
    assert isinstance(trusted, TrustedCredential) and trusted.status_checked == ["revocation"]
    assert len(transactions) == 1
    assert lists_read == [] and entities_read == []  # the views did not move since the first decision


def test_every_change_to_the_views_is_seen_by_the_next_decision(world: World) -> None:
    credential, other = world.sd_jwt(index=11), world.sd_jwt(index=12)
    assert isinstance(decide(world, credential), TrustedCredential)
    assert isinstance(decide(world, other), TrustedCredential)

    world.on_chain("dev2", "set_statuses", world.lists["revocation"], [11])
    revoked = decide(world, credential)
    assert isinstance(revoked, Refused) and revoked.reason == "REVOKED"
    assert isinstance(decide(world, other), TrustedCredential)

    world.on_chain("dev1", "set_status", ISSUER, "suspended")
    suspended = decide(world, other)
    assert isinstance(suspended, Refused) and suspended.reason == "ISSUER_NOT_ACTIVE"
    world.on_chain("dev1", "set_status", ISSUER, "active")
    assert isinstance(decide(world, other), TrustedCredential)

    compromised_since = world.key_added_at()
    world.on_chain("dev2", "revoke_key", ISSUER, "key-1", "keyCompromise", compromised_since)
    refused = decide(world, other)
    assert isinstance(refused, Refused) and refused.reason == "KEY_COMPROMISED"

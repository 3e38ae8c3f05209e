"""Key revocation with a reason and a compromise time (issue 14 item 1), through the gateway on Anvil
and the follower into the ledger."""

from __future__ import annotations

import json

import pytest

from anvil.accounts import dev_account
from trust_ledger.chain.errors import ContractRevert
from trust_ledger.chain.follower import Horizon, follower_for
from trust_ledger.ledger import TrustLedger

ISSUER = "did:web:compromise.example"
JWK = json.dumps(
    {
        "kty": "EC",
        "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    }
).encode()


@pytest.fixture
def issuer(chain):
    """root -> compromise.example (dev1) with keys k1 and k2."""
    chain.gateway("anchor").register("root", "compromise", ISSUER, dev_account("dev1").address)
    gateway = chain.gateway("dev1")
    gateway.add_key(ISSUER, "k1", "JsonWebKey2020", JWK, ["assertionMethod"])
    gateway.add_key(ISSUER, "k2", "JsonWebKey2020", JWK, ["assertionMethod"])
    return gateway


def test_compromise_is_on_chain_in_the_event_and_only_widens(chain, issuer) -> None:
    head = issuer.add_service(ISSUER, "probe", "Probe", "https://compromise.example/probe").block_time
    since = head - 3600
    revoked = issuer.revoke_key(ISSUER, "k1", "keyCompromise", since)
    args = revoked.events[0].args
    assert (revoked.events[0].event, args["keyId"], args["reason"], args["compromisedSince"]) == (
        "KeyRevoked",
        "k1",
        2,
        since,
    )
    with pytest.raises(ContractRevert, match="already revoked; it can only be declared compromised later"):
        issuer.revoke_key(ISSUER, "k1", "keyCompromise", since + 1)
    with pytest.raises(ContractRevert, match="already revoked"):
        issuer.revoke_key(ISSUER, "k1", "superseded")
    earlier = issuer.revoke_key(ISSUER, "k1", "keyCompromise", since - 60)
    assert earlier.events[0].args["compromisedSince"] == since - 60

    with pytest.raises(
        ContractRevert, match="needs a compromise time between 1 and the block time"
    ) as future:
        issuer.revoke_key(ISSUER, "k2", "keyCompromise", head + 10**6)
    assert future.value.error == "TrustRegistry__InvalidCompromiseTime"
    with pytest.raises(ContractRevert, match="only a keyCompromise revocation has a compromise time"):
        issuer.revoke_key(ISSUER, "k2", "superseded", since)
    with pytest.raises(ValueError, match="unknown revocation reason 'stolen'"):
        issuer.revoke_key(ISSUER, "k2", "stolen")

    rotated = issuer.revoke_key(ISSUER, "k2", "superseded")
    assert (rotated.events[0].args["reason"], rotated.events[0].args["compromisedSince"]) == (1, 0)
    declared = issuer.revoke_key(ISSUER, "k2", "keyCompromise", since)
    assert declared.events[0].args["reason"] == 2


def test_follower_mirrors_reason_and_compromise_time(chain, issuer) -> None:
    issuer.revoke_key(ISSUER, "k2", "superseded")
    since = issuer.add_service(ISSUER, "probe", "Probe", "https://compromise.example/probe").block_time - 5
    compromised = issuer.revoke_key(ISSUER, "k1", "keyCompromise", since)
    ledger = TrustLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    follower_for(chain.gateway(None), ledger, Horizon()).poll()

    entity = ledger.entity_by_did(ISSUER)
    assert entity is not None
    k1, k2 = entity["keys"]["k1"], entity["keys"]["k2"]
    assert (k1["revoked"], k1["revoked_at"]) == (True, compromised.block_time)
    assert (k1["revocation_reason"], k1["compromised_since"]) == ("keyCompromise", since)
    assert (k2["revocation_reason"], k2["compromised_since"]) == ("superseded", None)
    history = [item for item in ledger.history(ISSUER) if item["event"] == "KeyRevoked"]
    assert history[-1]["changes"] == {"key_id": "k1", "reason": "keyCompromise", "compromised_since": since}
    assert history[-1]["tx_hash"] == compromised.tx_hash

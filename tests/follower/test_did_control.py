"""Proof of control of a DID at registration, and its release by an ancestor (issue 14 item 4), on a
real Anvil: what the contract refuses, and what the follower records, exactly once."""

from __future__ import annotations

import pytest

from anvil.accounts import dev_account, dev_key
from api.credentials import dids
from api.credentials.keys import SigningKey
from trust_ledger.chain import did_control
from trust_ledger.chain.errors import ContractRevert

BANK = "did:web:bank.example"
SQUATTER = "did:elsi:EU.EORI.NLSQUATTER"


def ethr_did(name: str) -> str:
    return f"did:ethr:{dev_account(name).address}"


def sign_as(name: str):
    """A did_signer: the dev account's key signs the registration digest (did:ethr)."""
    return lambda digest: did_control.sign_secp256k1_recoverable(dev_key(name), digest)


def test_ethr_did_registers_only_with_its_keys_signature_for_this_registration(chain, store, follower_of):
    anchor, controller = chain.gateway("anchor"), dev_account("dev1").address
    did = ethr_did("dev4")
    with pytest.raises(ContractRevert) as unsigned:
        anchor.register("root", "acme", did, controller, proof=b"", proof_expiry=2**40)
    assert unsigned.value.error == "TrustRegistry__InvalidDidProof"
    with pytest.raises(ContractRevert) as stranger:  # a squatter signs with its own key
        anchor.register("root", "acme", did, controller, did_signer=sign_as("dev5"))
    assert stranger.value.error == "TrustRegistry__InvalidDidProof"
    assert "sign the registration digest with the DID's secp256k1 key" in str(stranger.value)

    # Front-running: the holder's proof for one registration, copied into another, is refused.
    anchor.register("root", "other", "did:elsi:EU.EORI.NLOTHER", dev_account("dev2").address)
    expiry = anchor.latest_block_time() + 600
    proof = did_control.sign_secp256k1_recoverable(
        dev_key("dev4"), anchor.registration_digest("root", "acme", did, controller, expiry)
    )
    copies = [
        (chain.gateway("dev2"), "did:elsi:EU.EORI.NLOTHER", "acme", controller),  # another parent
        (anchor, "root", "acme2", controller),  # another label
        (anchor, "root", "acme", dev_account("dev9").address),  # another controller
    ]
    for gateway, parent, label, to in copies:
        with pytest.raises(ContractRevert) as copied:
            gateway.register(parent, label, did, to, proof=proof, proof_expiry=expiry)
        assert copied.value.error == "TrustRegistry__InvalidDidProof"
    with pytest.raises(ContractRevert) as stale:
        anchor.register("root", "acme", did, controller, proof=proof, proof_expiry=expiry + 1)
    assert stale.value.error == "TrustRegistry__InvalidDidProof"

    result = anchor.register("root", "acme", did, controller, proof=proof, proof_expiry=expiry)
    (event,) = result.events
    assert (event.args["proofKind"], event.args["proofExpiry"]) == (1, expiry)
    assert event.args["proof"] == "0x" + proof.hex()

    ledger = store.open()
    follower_of(ledger).poll()
    recorded = ledger.entity_by_did(did)["did_control"]
    assert recorded == {"kind": "secp256k1", "expiry": expiry, "proof": "0x" + proof.hex(), "verified": True}


def test_expired_proof_is_refused(chain):
    anchor = chain.gateway("anchor")
    past = anchor.latest_block_time() - 1
    with pytest.raises(ContractRevert) as expired:
        anchor.register(
            "root",
            "acme",
            ethr_did("dev4"),
            dev_account("dev1").address,
            proof_expiry=past,
            did_signer=sign_as("dev4"),
        )
    assert expired.value.error == "TrustRegistry__DidProofExpired"


@pytest.mark.parametrize("curve", ["Ed25519", "P-256"])
def test_did_key_signature_is_recorded_and_verified_by_the_follower(chain, store, follower_of, curve):
    key = SigningKey.generate(curve)  # type: ignore[arg-type]
    other = SigningKey.generate(curve)  # type: ignore[arg-type]
    did, _ = dids.holder_did(key.public_jwk, "key")
    stolen, _ = dids.holder_did(other.public_jwk, "jwk")
    anchor, controller = chain.gateway("anchor"), dev_account("dev1").address
    anchor.register(
        "root", "holder", did, controller, did_signer=lambda d: did_control.sign_jwk(key.private_jwk(), d)
    )
    # A parent that skips the check records a proof that does not verify: the follower says so, and
    # hostile bytes are a verdict, never a halted mirror.
    anchor.register("root", "forged", stolen, controller, proof=b"\xff" * 64, proof_expiry=2**40)
    anchor.register("root", "junk", "did:key:z" + "1" * 10, controller, proof=b"\x00", proof_expiry=2**40)

    ledger = store.open()
    follower = follower_of(ledger)
    assert follower.poll().logs == 4
    assert ledger.entity_by_did(did)["did_control"]["verified"] is True
    assert ledger.entity_by_did(did)["did_control"]["kind"] == "signature"
    assert ledger.entity_by_did(stolen)["did_control"]["verified"] is False
    assert ledger.entity_by_did("did:key:z" + "1" * 10)["did_control"]["verified"] is False


def test_ancestor_releases_a_squatted_did_for_its_owner(chain, store, follower_of):
    anchor, squatter = chain.gateway("anchor"), chain.gateway("dev1")
    anchor.register("root", "squatter", SQUATTER, dev_account("dev1").address)
    squatter.register(SQUATTER, "bank", BANK, dev_account("dev1").address)  # the parent vouches falsely

    with pytest.raises(ContractRevert) as taken:
        anchor.register("root", "bank", BANK, dev_account("dev2").address)
    assert taken.value.error == "TrustRegistry__DidTaken"
    with pytest.raises(ContractRevert) as active:
        anchor.release_did("root", BANK)
    assert active.value.error == "TrustRegistry__HolderActive"
    with pytest.raises(ContractRevert) as own:  # the squatter cannot release (nor keep) it itself
        squatter.release_did(SQUATTER, BANK)
    assert own.value.error == "TrustRegistry__HolderActive"

    anchor.set_status(SQUATTER, "revoked")
    squatted = anchor.node_of(BANK)
    released = anchor.release_did("root", BANK)
    assert [e.event for e in released.events] == ["DidReleased"]
    assert released.events[0].args["did"] == BANK
    with pytest.raises(ContractRevert) as twice:
        anchor.release_did("root", squatted)
    assert twice.value.error == "TrustRegistry__NoDid"
    owner = anchor.register("root", "bank", BANK, dev_account("dev2").address)
    assert owner.events[0].args["proofKind"] == 3

    ledger = store.open()
    follower = follower_of(ledger)
    assert follower.poll().logs == 6
    holder = ledger.entity_by_did(BANK)
    assert (holder["name"], holder["controller"]) == ("bank", dev_account("dev2").address)
    assert holder["did_control"]["kind"] == "webChallenge"
    state = ledger.current_state()
    # Exactly once: the same logs again change nothing, and a replay gives the same state.
    follower_of(store.open()).poll()
    reopened = store.open()
    assert reopened.current_state() == state
    assert reopened.replay_state() == state

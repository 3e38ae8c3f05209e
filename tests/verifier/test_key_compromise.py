"""A stolen issuer key (issue 14 item 1): after `trust-ledger key revoke <issuer> --id key-1 --reason
compromise --since <time>`, no signature by key-1 is trusted, whatever `iat` it carries; a rotation
(`--reason superseded`) keeps what the key signed before valid. Over HTTP against the served verifier,
with the registry on a real Anvil chain and the revocation sent by the real CLI."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import httpx

from api.credentials.keys import SigningKey
from api.verifier.snapshot import OfflineTrustSource, build_snapshot
from tests.support.cli_process import CLI, ok, own_world
from tests.support.verifier import ISSUER, Request, World


def refusal(world: World, request: Request, response: httpx.Response) -> tuple[str, str]:
    """The reason code and message of a refused presentation (processed: 200 {}, OID4VP 1.0 §8.2)."""
    assert response.status_code == 200, response.text
    result = world.result(request)
    assert result["verifyResult"] is False, result
    return result["reasons"][0]["code"], result["reasons"][0]["message"]


def trusted(world: World, credential: str) -> bool:
    request = world.open_request()
    response = world.post_vp(request, world.present_sd_jwt(credential, request))
    assert response.status_code == 200, response.text
    return world.result(request)["verifyResult"] is True


def presented(world: World, credential: str) -> tuple[str, str]:
    request = world.open_request()
    return refusal(world, request, world.post_vp(request, world.present_sd_jwt(credential, request)))


def revoke_key(world: World, var: Path, *options: str) -> int:
    """`trust-ledger key revoke ISSUER --id key-1 ...` signed by the issuer's controller; the block."""
    env = own_world(var, TRUST_LEDGER_DEPLOYMENT=str(world.chain.manifest), TRUST_LEDGER_PRIVATE_KEY="dev2")
    process = subprocess.run(
        [*CLI, "key", "revoke", ISSUER, "--id", "key-1", *options],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = ok(process)
    block = int(out.split(": block ")[1].split()[0].rstrip(","))
    world.wait_for_block(block)
    return block


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def chain_time(world: World) -> int:
    return int(world.chain.gateway(None).rpc.call("eth_getBlockByNumber", "latest", False)["timestamp"], 16)


def test_backdated_credential_by_a_compromised_key_is_refused(world: World, tmp_path: Path) -> None:
    """The issue's attack: the thief signs with key-1 after the compromise is on chain and dates the
    credential before it. Today's decision trusts the signer-chosen iat; now every signature of the
    key is refused, the issuer's genuine earlier credential too (nothing on chain dates it)."""
    added_at = world.key_added_at()
    genuine = world.sd_jwt(issued_at=added_at)
    assert trusted(world, genuine)

    since = added_at + 1
    later = max(chain_time(world) + 1, added_at + 2)  # the revocation strictly after `since`
    world.chain.gateway(None).rpc.call("evm_setNextBlockTimestamp", hex(later))
    revoke_key(world, tmp_path, "--reason", "compromise", "--since", iso(since))
    key = world.service.views.entity_version(ISSUER).state.keys["key-1"]
    assert (key.revoked, key.revocation_reason, key.compromised_since) == (True, "keyCompromise", since)
    assert key.revoked_at is not None and key.revoked_at > since

    backdated = world.sd_jwt(issued_at=added_at)  # signed now, dated before the compromise
    code, message = presented(world, backdated)
    assert code == "KEY_COMPROMISED"
    assert f"{ISSUER}#key-1 was revoked as compromised since {iso(since)}" in message
    assert presented(world, genuine)[0] == "KEY_COMPROMISED"
    assert presented(world, world.sd_jwt())[0] == "KEY_COMPROMISED"  # dated now: the same refusal

    # Offline verifiers read the same key record from a snapshot: the compromise travels with it.
    offline = OfflineTrustSource(build_snapshot(world.service.views)).entity(ISSUER)
    assert offline is not None and offline.keys["key-1"].compromised
    assert offline.keys["key-1"].compromised_since == since

    # The issuer reissues under a new key: trusted.
    new_key = SigningKey.generate(did=ISSUER, key_id="key-2")
    world.on_chain(
        "dev2",
        "add_key",
        ISSUER,
        "key-2",
        "JsonWebKey2020",
        json.dumps(new_key.public_jwk).encode(),
        ["assertionMethod"],
    )
    assert trusted(world, world.sd_jwt(key=new_key))


def test_rotation_keeps_earlier_credentials_and_a_later_compromise_withdraws_them(
    world: World, tmp_path: Path
) -> None:
    added_at = world.key_added_at()
    earlier = world.sd_jwt(issued_at=added_at)
    head = chain_time(world)
    # Anvil may give quick blocks one timestamp: make the revocation strictly later than `earlier`.
    world.chain.gateway(None).rpc.call("evm_setNextBlockTimestamp", hex(max(head, added_at) + 1))
    revoke_key(world, tmp_path, "--reason", "superseded")
    key = world.service.views.entity_version(ISSUER).state.keys["key-1"]
    assert (key.revocation_reason, key.compromised_since) == ("superseded", None)
    assert key.revoked_at is not None and key.revoked_at > added_at

    assert trusted(world, earlier)  # a rotation: what the key signed while valid stays valid
    assert presented(world, world.sd_jwt(issued_at=key.revoked_at))[0] == "KEY_NOT_VALID_AT_ISSUANCE"

    # The retired key is found stolen later: its controller declares the compromise.
    revoke_key(world, tmp_path / "again", "--reason", "compromise", "--since", str(added_at))
    assert presented(world, earlier)[0] == "KEY_COMPROMISED"

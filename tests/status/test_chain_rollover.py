"""On a real Anvil: lists created through TrustGateway as allocation rolls over, then published."""

from __future__ import annotations

import random
from pathlib import Path

from joserfc import jwt

from anvil.accounts import dev_account
from api.status.allocation import GatewayListCreator, StatusIndexAllocator
from api.status.encodings import bit, decode_ietf, decode_twdiw, decode_w3c
from api.status.publication import publish
from api.status.signing import LocalEcSigner
from api.status.store import AllocationStore
from projections.api import StatusListVersion

ISSUER = "did:example:issuer"
TYPE = "EmployeeCredential"
TEMPLATE = "https://issuer.example/status-list/{credential_type}/{purpose_letter}{sequence}"


def _chain_version(gateway, list_id: int) -> StatusListVersion:
    """The list as the chain holds it now: its 256-bit words big-endian, as the projector builds it."""
    meta = gateway.status_list(list_id)
    words = meta["size"] // 256
    bitstring = b"".join(gateway.status_word(list_id, w).to_bytes(32, "big") for w in range(words))
    block = gateway.rpc.call("eth_getBlockByNumber", "latest", False)
    return StatusListVersion(
        list_id=list_id,
        owner_did=ISSUER,
        purpose=meta["purpose"],
        size=meta["size"],
        uri=meta["uri"],
        bitstring=bitstring,
        block_number=int(block["number"], 16),
        block_time=int(block["timestamp"], 16),
        tx_hash="0x" + "00" * 32,
    )


def test_roll_over_creates_real_lists_and_published_lists_show_the_chain_bits(chain, tmp_path: Path) -> None:
    chain.gateway("anchor").register("root", "issuer", ISSUER, dev_account("dev1").address)
    issuer_gateway = chain.gateway("dev1")
    allocator = StatusIndexAllocator(
        AllocationStore(tmp_path / "alloc.db"),
        GatewayListCreator(issuer_gateway, TEMPLATE),
        list_size=256,
        randbelow=random.Random("anvil").randrange,
    )

    allocations = [allocator.allocate(ISSUER, TYPE, credential_id=f"cred-{i}") for i in range(300)]

    # 300 credentials in 256-entry lists: two lists per purpose, created on chain as needed.
    for purpose in ("revocation", "suspension"):
        stored = allocator.lists(ISSUER, TYPE, purpose)
        assert [(lst.sequence, lst.state) for lst in stored] == [(1, "full"), (2, "open")]
        for lst in stored:
            on_chain = issuer_gateway.status_list(lst.list_id)
            assert on_chain["owner"] == issuer_gateway.node_of(ISSUER)
            assert on_chain["purpose"] == purpose
            assert on_chain["size"] == 256
            assert (
                on_chain["uri"]
                == lst.uri
                == f"https://issuer.example/status-list/{TYPE}/{purpose[0]}{lst.sequence}"
            )
        pairs = {(a[purpose].list_id, a[purpose].index) for a in allocations}
        assert len(pairs) == 300

    # Revoke one credential on chain, then publish its list in all three profiles.
    revoked = allocations[277].revocation
    issuer_gateway.set_statuses(revoked.list_id, [revoked.index])
    assert issuer_gateway.is_status_set(revoked.list_id, revoked.index)

    version = _chain_version(issuer_gateway, revoked.list_id)
    signer = LocalEcSigner.generate(ISSUER)
    public = signer.public_key()
    w3c = jwt.decode(publish(version, signer, "w3c").token, public).claims
    ietf = jwt.decode(publish(version, signer, "ietf").token, public).claims
    twdiw = jwt.decode(publish(version, signer, "twdiw").token, public).claims

    assert w3c["id"] == ietf["sub"] == twdiw["jti"] == revoked.uri
    for bits in (
        decode_w3c(w3c["credentialSubject"]["encodedList"]),
        decode_ietf(ietf["status_list"]["lst"]),
        decode_twdiw(twdiw["vc"]["credentialSubject"]["encodedList"]),
    ):
        assert bit(bits, revoked.index) == 1
        assert sum(bit(bits, i) for i in range(256)) == 1
    other = allocations[278].revocation
    assert not issuer_gateway.is_status_set(other.list_id, other.index)

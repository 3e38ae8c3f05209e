"""Two processes signing with one key (replicas of the issuer share its controller key): each
gateway orders its own threads' nonces, not the other process's, so a send whose nonce the other
took meanwhile must take the next one, not fail (issue 19 item 1: no in-process lock decides what
two replicas race on). Before: 12 of 30 concurrent status changes failed with `nonce too low`."""

from __future__ import annotations

import threading

from anvil.accounts import dev_account, dev_signer
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.chain.rpc import JsonRpc

OWNER = "did:web:replicas.gateway.test"


def test_gateways_of_two_replicas_with_one_signer_all_get_their_transactions_mined(chain) -> None:
    chain.gateway("anchor").register("root", "replicas", OWNER, dev_account("dev1").address)
    list_id, _ = chain.gateway("dev1").create_status_list(
        OWNER, "revocation", "https://replicas.test/r1", 1024
    )
    # separate gateways on separate clients, as two processes have: nothing shared but the key
    replicas = [
        TrustGateway(JsonRpc(chain.deployment.rpc_url), chain.deployment, dev_signer("dev1"))
        for _ in range(2)
    ]
    failures: list[str] = []
    mined: list[int] = []
    start = threading.Barrier(4)

    def revoke(gateway: TrustGateway, first: int) -> None:
        start.wait()
        for index in range(first, first + 10):
            try:
                mined.append(gateway.set_statuses(list_id, [index]).block_number)
            except Exception as error:  # surfaced below
                failures.append(repr(error))

    threads = [threading.Thread(target=revoke, args=(replicas[n % 2], 100 * n)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    assert len(mined) == 40
    reader = chain.gateway(None)
    assert all(reader.is_status_set(list_id, 100 * n + i) for n in range(4) for i in range(10))

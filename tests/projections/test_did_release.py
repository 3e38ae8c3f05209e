"""The views after an ancestor released a DID (TrustRegistry.releaseDid, issue 14 item 4), from a real
Anvil history: the DID names its new holder only, and the released entity's subtree keeps its status."""

from __future__ import annotations

from anvil.accounts import dev_account
from projections.writer import released_id
from tests.projections.support import projected
from tests.support.chainlogs import Chain
from trust_ledger.chain.follower import Horizon, follower_for

SQUATTER = "did:elsi:EU.EORI.NLSQUATTER"
BANK = "did:web:bank.example"
BRANCH = "did:elsi:EU.EORI.NLBRANCH"  # a child the squatter hung under the squatted DID


def test_released_did_names_its_new_holder_and_the_old_subtree_stays_revoked(chain, store):
    anchor, squatter = chain.gateway("anchor"), chain.gateway("dev1")
    anchor.register("root", "squatter", SQUATTER, dev_account("dev1").address)
    squatter.register(SQUATTER, "bank", BANK, dev_account("dev1").address)
    chain.gateway("dev1").register(BANK, "branch", BRANCH, dev_account("dev3").address)
    squatter.add_service(BANK, "issuer", "OID4VCI", "https://squatter.example/issuer")
    squatter.create_status_list(BANK, "revocation", "https://squatter.example/status/1")
    squatter.set_status(BANK, "revoked")  # the squatter's parent (here itself) revokes it
    revoked_at = anchor.latest_block_time()
    old_node = anchor.node_of(BANK)
    anchor.release_did("root", BANK)
    anchor.register("root", "bank", BANK, dev_account("dev2").address)

    p = projected(store, Chain())
    try:
        follower_for(chain.gateway(None), p.ledger, Horizon()).poll()
        p.projector.run_once()
        for views in (p.views, p.reopen()):
            holder = views.entity_version(BANK)
            assert holder is not None
            assert (holder.state.name, holder.state.node, holder.version) == ("bank", anchor.node_of(BANK), 1)
            assert [v.state.node for v in views.versions(BANK)] == [anchor.node_of(BANK)]
            assert views.effective_status(BANK).status == "active"
            old = released_id(old_node)
            assert views.did_of_node(old_node) == old
            assert [v.event for v in views.versions(old)][-2:] == ["StatusChanged", "DidReleased"]
            branch = views.effective_status(BRANCH)
            assert (branch.status, branch.because_of) == ("revoked", old), "never the new holder's status"
            assert views.effective_status(BRANCH, at_time=revoked_at).status == "revoked"
            names = {e.did: e.name for e in views.trust_list().items}
            assert names[old] == "squatter.bank" and names[BANK] == "bank"

        before = [views_row for views_row in p.views.trust_list().items]
        p.projector.rebuild()
        assert p.views.trust_list().items == before
    finally:
        p.close()

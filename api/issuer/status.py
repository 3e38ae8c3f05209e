"""Status for issued credentials: index allocation, on-chain bit changes, signed list publication.

A change is one StatusRegistry transaction per list touched; it returns once the transaction is
mined. The published lists are signed from the trust views, which follow the chain up to its
finality horizon: they show the change once its block is final (at once on a dev chain whose
horizon is the head; `wait_for_views` waits for that, bounded).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from api.credentials.keys import SigningKey
from api.status.allocation import (
    CredentialAllocations,
    GatewayListCreator,
    Profile,
    StatusAllocation,
    StatusIndexAllocator,
)
from api.status.entries import token_list_uri
from api.status.publication import PublishedStatusList, ietf_status_token, publish
from api.status.store import AllocationStore, ListRecord
from projections.service import LedgerService
from trust_ledger.chain.follower import Horizon
from trust_ledger.chain.gateway import TrustGateway


class KeySigner:
    """The JwsSigner port (api/status/signing.py) over the issuer's SigningKey (any curve)."""

    def __init__(self, key: SigningKey):
        assert key.did is not None
        self.key = key
        self.did = key.did
        self.kid = key.kid
        self.alg = key.alg

    def sign(self, header: dict[str, Any], payload: dict[str, Any]) -> str:
        return self.key.sign(payload, header)


@dataclass(frozen=True)
class StatusChange:
    """One mined StatusRegistry transaction and the list it changed."""

    list_id: int
    indices: tuple[int, ...]
    value: bool
    tx_hash: str
    block_number: int


class StatusService:
    """Allocates, flips and publishes the issuer's status lists."""

    def __init__(
        self,
        *,
        did: str,
        base_url: str,
        store: AllocationStore,
        gateway: TrustGateway,
        ledger: LedgerService,
        horizon: Horizon,
        signer: KeySigner,
        list_size: int,
    ):
        self.did = did
        self.gateway = gateway
        self.ledger = ledger
        self.horizon = horizon
        self.signer = signer
        self.store = store
        self.jku = f"{base_url}/api/keys"  # the JWKS a twdiw list's jku names (routes_status.keys)
        creator = GatewayListCreator(
            gateway, f"{base_url}/status-lists/{{credential_type}}/{{purpose_letter}}{{sequence}}"
        )
        # One index shared by the revocation and the suspension list for every profile: TW DIW's
        # convention, and what lets an SD-JWT VC point at one `bits: 2` Status List Token derived
        # from both lists (api/status/entries.token_status_claim; issue 16 item 3).
        self._allocator = StatusIndexAllocator(store, creator, profile=Profile.TWDIW, list_size=list_size)

    def allocate(self, credential_type: str, cid: str) -> CredentialAllocations:
        """One index, the same in the type's revocation and suspension lists, whatever the profile."""
        return self._allocator.allocate(self.did, credential_type, credential_id=cid)

    def set_bits(self, entries: Iterable[StatusAllocation], value: bool) -> list[StatusChange]:
        """Set (or clear) bits, one transaction per list; returns once each is mined."""
        by_list: dict[int, set[int]] = defaultdict(set)
        for entry in entries:
            by_list[entry.list_id].add(entry.index)
        changes = []
        for list_id, indices in sorted(by_list.items()):
            result = self.gateway.set_statuses(list_id, indices, value)
            changes.append(
                StatusChange(list_id, tuple(sorted(indices)), value, result.tx_hash, result.block_number)
            )
        return changes

    @property
    def mined_is_final(self) -> bool:
        """Whether the views follow the chain head itself (0 confirmations: a dev chain)."""
        return not self.horizon.use_finalized and self.horizon.confirmations == 0

    def views_block(self) -> int | None:
        """The chain block the trust views (and so the published lists) reflect."""
        return self.ledger.views.freshness().block_number

    def wait_for_views(self, block: int, timeout: float) -> bool:
        """Wait (at most `timeout` seconds, holding nothing) until the views reflect `block`."""
        try:
            self.ledger.wait_for_block(block, timeout)
        except TimeoutError:
            return False
        return True

    def find_list(self, credential_type: str, name: str) -> ListRecord | None:
        """The list published as ``.../status-lists/<type>/<r|s><sequence>``."""
        for record in self.store.lists(self.did, credential_type):
            if record.list_id is not None and f"{record.purpose[0]}{record.sequence}" == name:
                return record
        return None

    def published_token(self, revocation: ListRecord, suspension: ListRecord) -> PublishedStatusList | None:
        """The `bits: 2` Status List Token of two on-chain lists, both read from one state of the
        views (one block); None until both are projected."""
        assert revocation.list_id is not None and suspension.list_id is not None and revocation.uri
        assert suspension.uri is not None
        with self.ledger.views.snapshot():
            versions = (
                self.ledger.views.status_list(revocation.list_id),
                self.ledger.views.status_list(suspension.list_id),
            )
        if versions[0] is None or versions[1] is None:
            return None
        url = token_list_uri(revocation.uri, suspension.uri)
        return ietf_status_token(versions[0], versions[1], self.signer, url=url)

    def published(
        self, record: ListRecord, profile: str, url: str | None = None
    ) -> PublishedStatusList | None:
        """The list signed in `profile` from the status-list projection (None until projected), its
        `id` / `sub` the URL it is served at (`url`, by default the on-chain list URL)."""
        assert record.list_id is not None
        version = self.ledger.views.status_list(record.list_id)
        if version is None:
            return None
        options = {"jku": self.jku} if profile == "twdiw" else {}
        return publish(version, self.signer, profile, url=url or record.uri, **options)

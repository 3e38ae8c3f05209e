"""Build an IssuerContext from a configuration, a chain gateway and a running LedgerService."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from api.issuer.config import IssuerConfig
from api.issuer.context import IssuerContext
from api.issuer.nonces import NonceStore
from api.issuer.records import IssuanceIndex, IssuanceRecords, records_env
from api.issuer.sealing import KeyShredder, open_keys
from api.issuer.status import KeySigner, StatusService
from api.status.store import AllocationStore
from projections.service import LedgerService
from trust_ledger.chain.follower import Horizon, default_horizon
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.paths import private_dir, var_dir
from trust_ledger.state_db import open_state


class DirectoryOwned(ValueError):
    """The var directory belongs to another organisation's issuer module."""


OWNER_FILE = "issuer-owner.json"


def claim_var_dir(var: Path, did: str) -> None:
    """Make `var` this issuer's: the first start writes `issuer-owner.json` naming `did`; a start
    with another DID is refused (its records, keys and status lists are another organisation's)."""
    marker = var / OWNER_FILE
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        try:
            owner = json.loads(marker.read_text(encoding="utf-8")).get("did")
        except (OSError, ValueError, AttributeError):
            owner = None
        if owner != did:
            raise DirectoryOwned(
                f"{var} belongs to the issuer {owner!r} ({marker}), not {did}: give it its own var_dir"
            ) from None
        return
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"did": did}, handle)


def open_issuer(
    config: IssuerConfig,
    gateway: TrustGateway,
    ledger: LedgerService,
    *,
    config_dir: Path = Path("."),
    horizon: Horizon | None = None,
    clock: Callable[[], int] | None = None,
) -> IssuerContext:
    """The issuer's stores and services. With the ledger on PostgreSQL, its records, status-index
    allocations, c_nonces and (in a schema of their own) sealing keys are there too, shared by
    every replica; else SQLite files under the var directory (and the keys directory).

    `gateway` must sign as the issuer entity's controller (or a status delegate): it creates the
    status lists and flips their bits. `ledger` must follow the same chain.
    """
    now = clock or (lambda: int(time.time()))
    var = private_dir(config.var_dir or var_dir())
    key = config.signing_key.load(config.did, config_dir)
    claim_var_dir(var, config.did)
    records = IssuanceRecords(env=records_env(var), issuer_did=config.did)
    state = open_state(var / "issuer-status.sqlite")
    status = StatusService(
        did=config.did,
        base_url=config.base_url,
        store=AllocationStore(state),
        gateway=gateway,
        ledger=ledger,
        horizon=horizon or default_horizon(gateway.deployment.chain_id),
        signer=KeySigner(key),
        list_size=config.status_list_size,
    )
    index = IssuanceIndex(records)
    index.refresh()
    return IssuerContext(
        config=config,
        key=key,
        records=records,
        index=index,
        shredder=KeyShredder(open_keys(var, config.keys_dir)),
        nonces=NonceStore(config.nonce_ttl, now, state),
        status=status,
        views=ledger.views,
        clock=now,
    )

"""DWVC-301 / DWVC-302: revoke, suspend, recover issued credentials (revocation is final).

Each change is claimed on the issuance first (StatusChangeStarted, an optimistic-concurrency
save: of two requests racing on one card exactly one gets it), then sent to the chain (one
StatusRegistry transaction per list, nothing locked while it is mined), then recorded with its
transaction hash and block (Revoked / Suspended / Recovered), or the claim is dropped
(StatusChangeFailed) if the chain refused. The answer comes once the transaction is mined, with
the status the card will have; ``final`` says whether the trust views (hence the published lists
and the verifiers) show it yet. Only where mining is finality (a dev chain followed at its head)
does the answer wait, briefly, for the views.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from api.issuer import errors as e
from api.issuer.context import IssuerContext
from api.issuer.errors import DiwError
from api.issuer.records import ACTIVE, REVOKED, SUSPENDED, Issuance
from api.status.allocation import StatusAllocation

ACTIONS = {"revocation": REVOKED, "suspension": SUSPENDED, "recovery": ACTIVE}
CLAIM_STALE_AFTER = 300
"""Seconds after which a change still in flight is taken to be abandoned (its process died between
claiming and recording; the gateway itself gives up on a receipt after 120 s)."""
VIEWS_WAIT = 10.0
"""Where mining is finality: how long an answer waits for the views to show the change."""


@dataclass(frozen=True)
class Refusal:
    """Why one credential cannot take an action: DWVC-301 code, DWVC-302 code, message."""

    single: str
    batch: str
    message: str


class Refused(Exception):
    """A claim refused: the refusal and the card's status."""

    def __init__(self, refusal: Refusal, status: str | None):
        super().__init__(refusal.message)
        self.refusal = refusal
        self.status = status


NOT_FOUND = Refusal(e.NO_SUCH_VC, e.BATCH_NOT_ALLOWED, "not allowed to change this credential")


def refusal(status: str, action: str) -> Refusal | None:
    """None if `action` is allowed from `status`."""
    if status == REVOKED:
        if action == "recovery":
            return Refusal(
                e.REVOKED_CANNOT_RECOVER, e.BATCH_REVOKED, "a revoked credential cannot be recovered"
            )
        if action == "suspension":
            return Refusal(
                e.REVOKED_CANNOT_SUSPEND, e.BATCH_REVOKED, "a revoked credential cannot be suspended"
            )
        return Refusal(e.REVOKED_CANNOT_SUSPEND, e.BATCH_REVOKED, "the credential is already revoked")
    if action == "recovery" and status == ACTIVE:
        return Refusal(
            e.INVALID_STATUS_CODE, e.BATCH_ALREADY_ACTIVE, "an active credential cannot be recovered"
        )
    if action == "suspension" and status == SUSPENDED:
        return Refusal(
            e.INVALID_STATUS_CODE, e.BATCH_ALREADY_SUSPENDED, "the credential is already suspended"
        )
    return None


@dataclass(frozen=True)
class Claimed:
    """A card whose status change this request holds: where its bit is and what to set it to."""

    transaction_id: str
    cid: str
    entry: StatusAllocation
    value: bool


@dataclass(frozen=True)
class Applied:
    """The outcome of a change: each card's new status and the transaction that carries it."""

    status: dict[str, str]  # cid -> status
    tx_hash: dict[str, str]  # cid -> transaction hash
    final: bool  # the views (published lists, verifiers) show every change already


def _bit(issuance: Issuance, action: str) -> tuple[StatusAllocation, bool]:
    purpose = "revocation" if action == "revocation" else "suspension"
    entry = next(a for a in issuance.allocations if a["purpose"] == purpose)
    return StatusAllocation(**entry), action != "recovery"


def _claim(ctx: IssuerContext, cid: str, action: str) -> Claimed:
    """Record that this request changes `cid`'s status (Refused if it may not, or if another
    change of it is in flight)."""
    found = ctx.lookup(ctx.index.by_cid, cid)
    if found is None or found.cid != cid:
        raise Refused(NOT_FOUND, None)
    now = ctx.clock()

    def claim(issuance: Issuance) -> Claimed:
        in_flight = issuance.change_in_flight(now, CLAIM_STALE_AFTER)
        if in_flight is not None:
            raise Refused(
                Refusal(
                    e.INVALID_STATUS_CODE,
                    e.BATCH_NOT_ALLOWED,
                    f"a {in_flight} of this credential is being written to the chain; try again",
                ),
                issuance.status,
            )
        refused = refusal(issuance.status, action)
        if refused is not None:
            raise Refused(refused, issuance.status)
        issuance.start_status_change(action, now)
        entry, value = _bit(issuance, action)
        return Claimed(issuance.transaction_id, cid, entry, value)

    return ctx.update(found.transaction_id, claim)


def _apply(ctx: IssuerContext, claimed: list[Claimed], action: str) -> Applied:
    """Send the claimed changes (one transaction per list and value), record each mined one;
    if the chain refuses, drop the claims not carried out and re-raise."""
    by_value: dict[bool, list[Claimed]] = defaultdict(list)
    for claim in claimed:
        by_value[claim.value].append(claim)
    pending = {claim.cid: claim for claim in claimed}
    tx_hash: dict[str, str] = {}
    last_block = 0
    try:
        for value, claims in by_value.items():
            for change in ctx.status.set_bits([c.entry for c in claims], value):
                for claim in claims:
                    if claim.entry.list_id == change.list_id:
                        _record(ctx, claim, action, change.tx_hash, change.block_number)
                        tx_hash[claim.cid] = change.tx_hash
                        del pending[claim.cid]
                last_block = max(last_block, change.block_number)
    except BaseException as error:
        reason = type(error).__name__
        for claim in pending.values():
            ctx.update(claim.transaction_id, lambda issuance: issuance.fail_status_change(reason))
        raise
    final = (ctx.status.views_block() or -1) >= last_block
    if not final and ctx.status.mined_is_final:
        final = ctx.status.wait_for_views(last_block, VIEWS_WAIT)
    return Applied({c.cid: ACTIONS[action] for c in claimed}, tx_hash, final)


def _record(ctx: IssuerContext, claim: Claimed, action: str, tx_hash: str, block_number: int) -> None:
    def record(issuance: Issuance) -> None:
        method = {"revocation": issuance.revoke, "suspension": issuance.suspend, "recovery": issuance.recover}
        method[action](tx_hash=tx_hash, block_number=block_number)

    ctx.update(claim.transaction_id, record)


def change_one(ctx: IssuerContext, cid: str, action: str) -> dict[str, Any]:
    """DWVC-301: ``{credentialStatus, transactionHash, final}`` or a DiwError (4xx bodies carry
    credentialStatus too)."""
    if action not in ACTIONS:
        raise DiwError(
            e.INVALID_STATUS_CODE, f"unknown action {action!r}: use revocation, suspension or recovery"
        )
    try:
        uuid.UUID(cid)
    except ValueError:
        raise DiwError(e.INVALID_VC_ID, f"invalid credential id {cid!r}") from None
    try:
        claim = _claim(ctx, cid, action)
    except Refused as refused:
        if refused.refusal is NOT_FOUND:
            raise DiwError(e.NO_SUCH_VC, f"no credential {cid}", 404) from None
        raise DiwError(
            refused.refusal.single, refused.refusal.message, 400, credentialStatus=refused.status
        ) from None
    applied = _apply(ctx, [claim], action)
    return {
        "credentialStatus": applied.status[cid],
        "transactionHash": applied.tx_hash[cid],
        "final": applied.final,
    }


def change_many(ctx: IssuerContext, action: str | None, cids: list[str] | None) -> dict[str, Any]:
    """DWVC-302: one batch; per-credential refusals are listed in ``fail`` (HTTP 200)."""
    if not action:
        raise DiwError(e.BATCH_ACTION_REQUIRED, "action is required")
    if action not in ACTIONS:
        raise DiwError(e.BATCH_INVALID_ACTION, f"unknown action {action!r}")
    if not cids:
        raise DiwError(e.BATCH_CIDS_REQUIRED, "cids is required")
    fails: dict[tuple[str, str], list[dict[str, str | None]]] = defaultdict(list)
    claimed: list[Claimed] = []
    for cid in dict.fromkeys(cids):
        try:
            claimed.append(_claim(ctx, cid, action))
        except Refused as refused:
            key = (refused.refusal.batch, refused.refusal.message)
            fails[key].append({"cid": cid, "credentialStatus": refused.status})
    applied = _apply(ctx, claimed, action) if claimed else None
    return {
        "action": action,
        "success": [claim.cid for claim in claimed],
        "fail": [
            {"code": code, "message": message, "cids": items} for (code, message), items in fails.items()
        ],
        "final": applied.final if applied is not None else True,
    }


def revoke_for_reissue(ctx: IssuerContext, cids: list[str]) -> dict[str, list[str]]:
    """DWVC-101 ``cids``: revoke those old cards in one batch; report them in ``warnings``."""
    warnings: dict[str, list[str]] = {"statusRevoke": [], "cidNotFound": []}
    claimed: list[Claimed] = []
    for cid in dict.fromkeys(cids):
        try:
            claimed.append(_claim(ctx, cid, "revocation"))
        except Refused as refused:
            if refused.refusal is NOT_FOUND:
                warnings["cidNotFound"].append(cid)
    if claimed:
        _apply(ctx, claimed, "revocation")
    warnings["statusRevoke"] = [claim.cid for claim in claimed]
    return warnings

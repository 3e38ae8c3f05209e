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

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from api.issuer import errors as e
from api.issuer.context import IssuerContext
from api.issuer.errors import DiwError, Spec
from api.issuer.records import ACTIVE, REVOKED, SUSPENDED, Issuance
from api.status.allocation import StatusAllocation

ACTIONS = {"revocation": REVOKED, "suspension": SUSPENDED, "recovery": ACTIVE}
CLAIM_STALE_AFTER = 300
"""Seconds after which a change still in flight is taken to be abandoned (its process died between
claiming and recording; the gateway itself gives up on a receipt after 120 s)."""
VIEWS_WAIT = 10.0
"""Where mining is finality: how long an answer waits for the views to show the change."""


class Refused(Exception):
    """A claim refused: the spec's refusal, what exactly was wrong, and the card's status."""

    def __init__(self, refusal: Spec, detail: str, status: str | None):
        super().__init__(detail)
        self.refusal = refusal
        self.detail = detail
        self.status = status


def refusal(status: str, action: str) -> Spec | None:
    """None if `action` is allowed from `status`; else the spec's refusal, the same for one card
    (DWVC-301, HTTP 400) and for a card of a batch (DWVC-302, in ``fail[]``), as
    DwSandBoxVC302WService checks them: revoked -> 30205 whatever the action (revoking again too),
    recovering an active card 30206, suspending a suspended one 30207."""
    if status == REVOKED:
        return e.ALREADY_REVOKED
    if action == "recovery" and status == ACTIVE:
        return e.ALREADY_ACTIVE
    if action == "suspension" and status == SUSPENDED:
        return e.ALREADY_SUSPENDED
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
        raise Refused(e.VC_NOT_FOUND, f"no credential {cid!r} was issued here", None)
    now = ctx.clock()

    def claim(issuance: Issuance) -> Claimed:
        in_flight = issuance.change_in_flight(now, CLAIM_STALE_AFTER)
        if in_flight is not None:
            raise Refused(
                e.INVALID_STATUS,
                f"a {in_flight} of this credential is being written to the chain; try again",
                issuance.status,
            )
        refused = refusal(issuance.status, action)
        if refused is not None:
            raise Refused(refused, f"{action} of a {issuance.status.lower()} credential", issuance.status)
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
    """DWVC-301: ``{credentialStatus, transactionHash, final}``, or a DiwError whose 400 body carries
    ``credentialStatus`` (null for an invalid action or an unknown cid, as the module)."""
    if action not in ACTIONS:
        raise DiwError.spec(
            e.INVALID_ACTION,
            f"unknown action {action!r}: use revocation, suspension or recovery",
            credentialStatus=None,
        )
    try:
        claim = _claim(ctx, cid, action)
    except Refused as refused:
        raise DiwError.spec(refused.refusal, refused.detail, credentialStatus=refused.status) from None
    applied = _apply(ctx, [claim], action)
    return {
        "credentialStatus": applied.status[cid],
        "transactionHash": applied.tx_hash[cid],
        "final": applied.final,
    }


def change_many(ctx: IssuerContext, action: Any, cids: Any) -> dict[str, Any]:
    """DWVC-302: one batch; per-credential refusals are listed in ``fail`` (HTTP 200), grouped by
    code; the request is checked in the module's order (action, cids, then the action's value)."""
    if not action:
        raise DiwError.spec(e.ACTION_REQUIRED, "action is required")
    if not cids or not isinstance(cids, list) or not all(isinstance(cid, str) for cid in cids):
        raise DiwError.spec(e.CIDS_REQUIRED, "cids is required: an array of cid strings")
    if not isinstance(action, str) or action not in ACTIONS:
        raise DiwError.spec(e.INVALID_ACTION, f"unknown action {action!r}")
    fails: dict[Spec, list[dict[str, str | None]]] = defaultdict(list)
    claimed: list[Claimed] = []
    for cid in dict.fromkeys(cids):
        try:
            claimed.append(_claim(ctx, cid, action))
        except Refused as refused:
            fails[refused.refusal].append({"cid": cid, "credentialStatus": refused.status})
    applied = _apply(ctx, claimed, action) if claimed else None
    return {
        "action": action,
        "success": [claim.cid for claim in claimed],
        "fail": [
            {"code": spec.code, "message": spec.message, "cids": items} for spec, items in fails.items()
        ],
        "final": applied.final if applied is not None else True,
    }


@dataclass(frozen=True)
class Reissue:
    """DWVC-101 ``cids``, sorted as the module sorts them (CredentialIssuer.java, qr-code)."""

    to_revoke: list[str]  # valid (active or suspended) cards, revoked when the new offer is fetched
    already_revoked: list[str]
    not_found: list[str]  # unknown cids; an empty or null entry is listed as "null"

    def warnings(self) -> dict[str, list[str] | None] | None:
        """The DWVC-101 ``warnings``: null when there is nothing to report, and each empty list
        null, as the module's DTOs serialise them."""
        if not self.already_revoked and not self.not_found:
            return None
        return {"statusRevoke": self.already_revoked or None, "cidNotFound": self.not_found or None}


def sort_reissue(ctx: IssuerContext, cids: list[str | None]) -> Reissue:
    """Which of the old cards a reissue names are valid, already revoked, or unknown (nothing is
    revoked yet: an offer nobody scans must not leave the holder without a card)."""
    to_revoke: list[str] = []
    already_revoked: list[str] = []
    not_found: list[str] = []
    for cid in cids:
        text = (cid or "").strip()
        if not text or text.lower() == "null":
            not_found.append("null")
            continue
        found = ctx.lookup(ctx.index.by_cid, text)
        if found is None or found.cid != text:
            not_found.append(text)
        elif found.status == REVOKED:
            already_revoked.append(text)
        elif text not in to_revoke:
            to_revoke.append(text)
    return Reissue(to_revoke, already_revoked, not_found)


def revoke_replaced(ctx: IssuerContext, cids: list[str]) -> None:
    """Revoke the old cards a reissue replaces, when the holder fetches the new offer (the module
    does it in credential-offer-object); a card revoked or changing meanwhile is left alone."""
    claimed: list[Claimed] = []
    for cid in cids:
        try:
            claimed.append(_claim(ctx, cid, "revocation"))
        except Refused:
            continue
    if claimed:
        _apply(ctx, claimed, "revocation")

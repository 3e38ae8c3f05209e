"""DWVC-301 / DWVC-302: revoke, suspend, recover issued credentials (revocation is final).

Each accepted change is written to the chain first (StatusRegistry, one transaction per list,
answered once the views show it), then recorded on the issuance (Revoked/Suspended/Recovered).
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


@dataclass(frozen=True)
class Refusal:
    """Why one credential cannot take an action: DWVC-301 code, DWVC-302 code, message."""

    single: str
    batch: str
    message: str


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


def _bit(issuance: Issuance, action: str) -> tuple[StatusAllocation, bool]:
    purpose = "revocation" if action == "revocation" else "suspension"
    entry = next(a for a in issuance.allocations if a["purpose"] == purpose)
    return StatusAllocation(**entry), action != "recovery"


def _issued(ctx: IssuerContext, cid: str) -> Issuance | None:
    issuance = ctx.lookup(ctx.index.by_cid, cid)
    return issuance if issuance is not None and issuance.cid == cid else None


def _apply(ctx: IssuerContext, issuances: list[Issuance], action: str) -> None:
    """Chain first (one transaction per list and value), then the records."""
    by_value: dict[bool, list[StatusAllocation]] = defaultdict(list)
    for issuance in issuances:
        entry, value = _bit(issuance, action)
        by_value[value].append(entry)
    tx_hash = ""
    for value, entries in by_value.items():
        changes = ctx.status.set_bits(entries, value)
        tx_hash = changes[-1].tx_hash if changes else tx_hash
    for issuance in issuances:
        {"revocation": issuance.revoke, "suspension": issuance.suspend, "recovery": issuance.recover}[action](
            tx_hash=tx_hash
        )
        ctx.save(issuance)


def change_one(ctx: IssuerContext, cid: str, action: str) -> dict[str, str]:
    """DWVC-301: ``{credentialStatus}`` or a DiwError (4xx bodies carry credentialStatus too)."""
    if action not in ACTIONS:
        raise DiwError(
            e.INVALID_STATUS_CODE, f"unknown action {action!r}: use revocation, suspension or recovery"
        )
    try:
        uuid.UUID(cid)
    except ValueError:
        raise DiwError(e.INVALID_VC_ID, f"invalid credential id {cid!r}") from None
    with ctx.lock:
        issuance = _issued(ctx, cid)
        if issuance is None:
            raise DiwError(e.NO_SUCH_VC, f"no credential {cid}", 404)
        refused = refusal(issuance.status, action)
        if refused is not None:
            raise DiwError(refused.single, refused.message, 400, credentialStatus=issuance.status)
        _apply(ctx, [issuance], action)
        return {"credentialStatus": issuance.status}


def change_many(ctx: IssuerContext, action: str | None, cids: list[str] | None) -> dict[str, Any]:
    """DWVC-302: one batch; per-credential refusals are listed in ``fail`` (HTTP 200)."""
    if not action:
        raise DiwError(e.BATCH_ACTION_REQUIRED, "action is required")
    if action not in ACTIONS:
        raise DiwError(e.BATCH_INVALID_ACTION, f"unknown action {action!r}")
    if not cids:
        raise DiwError(e.BATCH_CIDS_REQUIRED, "cids is required")
    fails: dict[tuple[str, str], list[dict[str, str | None]]] = defaultdict(list)
    accepted: list[Issuance] = []
    with ctx.lock:
        for cid in dict.fromkeys(cids):
            issuance = _issued(ctx, cid)
            if issuance is None:
                fails[(e.BATCH_NOT_ALLOWED, "not allowed to change this credential")].append(
                    {"cid": cid, "credentialStatus": None}
                )
                continue
            refused = refusal(issuance.status, action)
            if refused is not None:
                fails[(refused.batch, refused.message)].append(
                    {"cid": cid, "credentialStatus": issuance.status}
                )
                continue
            accepted.append(issuance)
        if accepted:
            _apply(ctx, accepted, action)
    return {
        "action": action,
        "success": [i.cid for i in accepted],
        "fail": [
            {"code": code, "message": message, "cids": items} for (code, message), items in fails.items()
        ],
    }


def revoke_for_reissue(ctx: IssuerContext, cids: list[str]) -> dict[str, list[str]]:
    """DWVC-101 ``cids``: revoke those old cards in one batch; report them in ``warnings``."""
    warnings: dict[str, list[str]] = {"statusRevoke": [], "cidNotFound": []}
    if not cids:
        return warnings
    with ctx.lock:
        found = []
        for cid in dict.fromkeys(cids):
            issuance = _issued(ctx, cid)
            if issuance is None:
                warnings["cidNotFound"].append(cid)
            elif issuance.status != REVOKED:
                found.append(issuance)
        if found:
            _apply(ctx, found, "revocation")
        warnings["statusRevoke"] = [i.cid for i in found if i.cid]
    return warnings

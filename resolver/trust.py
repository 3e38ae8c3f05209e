"""Trust facts derived from the views: ancestry, JSON forms of entries and entities, hierarchy roles."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from projections.api import EffectiveStatus, EntityVersion, StatusListVersion, TrustListEntry, TrustViews
from resolver.did_syntax import xml_datetime
from resolver.documents import accreditation_facts

MAX_DEPTH = 64
"""A guard against a cycle in broken views; real hierarchies are far shallower."""


def did_path(did: str) -> str:
    return quote(did, safe="")


def ancestry(views: TrustViews, version: EntityVersion, at: int | None) -> list[EntityVersion]:
    """The ancestors' versions, root first, down to the parent."""
    chain: list[EntityVersion] = []
    parent = version.parent_did
    while parent is not None and len(chain) < MAX_DEPTH:
        found = views.entity_version(parent, at_time=at) if at is not None else views.entity_version(parent)
        if found is None:
            break
        chain.insert(0, found)
        parent = found.parent_did
    return chain


def effective_json(effective: EffectiveStatus | None, own: str) -> dict[str, Any]:
    if effective is None:
        return {"status": own, "ownStatus": own, "becauseOf": None}
    return {"status": effective.status, "ownStatus": effective.own_status, "becauseOf": effective.because_of}


def entry_json(entry: TrustListEntry) -> dict[str, Any]:
    return {
        "did": entry.did,
        "name": entry.name,
        "node": entry.node,
        "parent": entry.parent_did,
        "ancestry": list(entry.ancestry),
        "status": entry.status,
        "effectiveStatus": effective_json(entry.effective, entry.status),
        "accreditations": accreditation_facts(entry.accreditations),
        "controller": entry.controller,
        "version": entry.version,
        "updated": xml_datetime(entry.updated_at),
        "href": f"/1.0/entities/{did_path(entry.did)}",
        "didDocument": f"/1.0/identifiers/{did_path(entry.did)}",
    }


def history_json(version: EntityVersion) -> dict[str, Any]:
    p = version.provenance
    return {
        "version": version.version,
        "event": version.event,
        "by": version.by,
        "validFrom": xml_datetime(version.valid_from),
        "validUntil": xml_datetime(version.valid_until),
        "blockNumber": p.block_number,
        "blockHash": p.block_hash,
        "blockTime": xml_datetime(p.block_time),
        "txHash": p.tx_hash,
        "logIndex": p.log_index,
    }


def keys_json(version: EntityVersion) -> list[dict[str, Any]]:
    """Every key the entity has had (including revoked ones), for audit; no key material."""
    return [
        {
            "id": f"{version.did}#{key_id}",
            "type": key.key_type,
            "purposes": key.relationships,
            "validFrom": xml_datetime(key.valid_from),
            "validUntil": xml_datetime(key.valid_until) if key.valid_until else None,
            "revoked": key.revoked,
            "addedAt": xml_datetime(key.added_at),
            "revokedAt": xml_datetime(key.revoked_at),
            "revocationReason": key.revocation_reason,
            "compromisedSince": xml_datetime(key.compromised_since),
        }
        for key_id, key in version.state.keys.items()
    ]


def status_list_ref(status_list: StatusListVersion) -> dict[str, Any]:
    return {
        "listId": status_list.list_id,
        "purpose": status_list.purpose,
        "size": status_list.size,
        "uri": status_list.uri,
        "href": f"/1.0/status-lists/{status_list.list_id}",
    }


def entity_json(views: TrustViews, version: EntityVersion, at: int | None) -> dict[str, Any]:
    """An entity with its ancestry, effective status, accreditations and audit history."""
    state = version.state
    own = state.status
    history = [history_json(v) for v in views.versions(version.did) if at is None or v.valid_from <= at]
    lists = [status_list_ref(s) for s in views.status_lists_of(version.did)]
    return {
        "did": version.did,
        "name": state.name,
        "node": state.node,
        "parent": version.parent_did,
        "ancestry": [
            {"did": a.did, "name": a.state.name, "status": a.state.status}
            for a in ancestry(views, version, at)
        ],
        "status": own,
        "effectiveStatus": effective_json(views.effective_status(version.did, at_time=at), own),
        "accreditations": accreditation_facts(state.accreditations),
        "controller": state.controller,
        "keys": keys_json(version),
        "services": [
            {"id": f"{version.did}#{sid}", "type": s.type, "serviceEndpoint": s.endpoint}
            for sid, s in state.services.items()
        ],
        "anchor": {"chainId": state.chain_id, "contract": state.contract, "node": state.node},
        "version": version.version,
        "created": xml_datetime(state.created_at),
        "updated": xml_datetime(state.updated_at),
        "statusLists": lists,
        "history": history,
        "didDocument": f"/1.0/identifiers/{did_path(version.did)}",
    }


def inactive_since(views: TrustViews, did: str) -> int | None:
    """Since when the entity itself has been continuously suspended or revoked (None if active)."""
    since = None
    for version in reversed(views.versions(did)):
        if version.state.status == "active":
            break
        since = version.valid_from
    return since


def untrusted_since(views: TrustViews, did: str, effective: EffectiveStatus | None) -> int | None:
    """Since when the entity has not been trusted: its own status or the deciding ancestor's."""
    if effective is None or effective.status == "active":
        return None
    own = inactive_since(views, did)
    if own is not None:
        return own
    return inactive_since(views, effective.because_of) if effective.because_of else None


def has_children(views: TrustViews, did: str) -> bool:
    return views.trust_list(subtree=did, page=1, size=1).total > 1


def diw_status(views: TrustViews, did: str) -> int:
    """TW DIW issuer status: 0 not on chain, 1 effective, 2 revoked, 3 not qualified."""
    version = views.entity_version(did)
    if version is None:
        return 0
    if version.state.status == "revoked":
        return 2
    effective = views.effective_status(did)
    if effective is not None and effective.status != "active":
        return 3
    return 1 if version.state.status == "active" else 3

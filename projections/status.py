"""Effective status: an entity's own status once its ancestors are taken into account.

Full names are hierarchical (`domaina.registera2.issuera1`; the root's name is empty), so an
entity's ancestors are exactly the entities named by the prefixes of its name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from projections.api import EffectiveStatus

STATUSES = ("active", "suspended", "revoked")


def ancestor_names(name: str) -> list[str]:
    """Names of the ancestors of the entity named `name`, nearest first, the root ("") last."""
    if not name:
        return []
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(len(parts) - 1, -1, -1)]


def effective_status(own: str, ancestors: Sequence[tuple[str, str]]) -> EffectiveStatus:
    """The effective status given `own` status and the ancestors' `(did, status)`, nearest first.

    A revoked ancestor makes the entity revoked, else a suspended one makes it suspended
    (revoked beats suspended; the entity's own status counts as the nearest); `because_of`
    names the nearest ancestor that decides it, None when the entity's own status does.
    """
    if own == "revoked":
        return EffectiveStatus("revoked", own, None)
    revoked = next((did for did, status in ancestors if status == "revoked"), None)
    if revoked is not None:
        return EffectiveStatus("revoked", own, revoked)
    if own == "suspended":
        return EffectiveStatus("suspended", own, None)
    suspended = next((did for did, status in ancestors if status == "suspended"), None)
    if suspended is not None:
        return EffectiveStatus("suspended", own, suspended)
    return EffectiveStatus(own, own, None)


def effective_by_name(name: str, own: str, inactive: Mapping[str, tuple[str, str]]) -> EffectiveStatus:
    """The effective status of entity `name`, given every inactive entity's `name -> (did, status)`."""
    ancestors = [inactive[a] for a in ancestor_names(name) if a in inactive]
    return effective_status(own, ancestors)


def subtree_condition(name: str, column: str = "name") -> tuple[str, list[str]]:
    """SQL (with `?` placeholders) selecting the entity named `name` and all its descendants."""
    if not name:
        return "1 = 1", []
    return f"({column} = ? OR ({column} >= ? AND {column} < ?))", [name, name + ".", name + "/"]

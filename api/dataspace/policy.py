"""PacketDelivery's access policy as data, and a pure decision over it.

The roles are the ones a verifier's access token grants for the target ``did:elsi:EU.EORI.NLPACKETDEL``
(``roles: [{target, names}]``). A request is allowed when one rule matches its method, path kind and
attribute and the token grants one of that rule's roles; everything the table does not name is denied.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, Literal

P_INFO_STANDARD = "P.Info.standard"
P_INFO_GOLD = "P.Info.gold"
P_CREATE = "P.Create"
PACKET_DELIVERY = "did:elsi:EU.EORI.NLPACKETDEL"

READABLE_ATTRS: tuple[str, ...] = ("deliveryAddress", "EDA", "ETA", "PDA", "PTA")
"""Attributes a standard or gold customer may read (GET of the whole entity shows only these)."""

WRITABLE_ATTRS: tuple[str, ...] = ("deliveryAddress", "PDA", "PTA")
"""Attributes a gold customer may change."""

PathKind = Literal["entities", "entity", "attr", "other"]
"""``/ngsi-ld/v1/entities``, ``.../entities/{id}``, ``.../entities/{id}/attrs/{attr}``, anything else."""


@dataclass(frozen=True)
class Rule:
    """``method`` on ``path_kind`` (for ``attr``: one of ``attrs``) needs any one of ``any_of``."""

    method: str
    path_kind: PathKind
    any_of: frozenset[str]
    attrs: frozenset[str] | None = None

    def matches(self, method: str, path_kind: str, attr: str | None) -> bool:
        if self.method != method or self.path_kind != path_kind:
            return False
        return attr is None if self.attrs is None else attr in self.attrs


READERS = frozenset({P_INFO_STANDARD, P_INFO_GOLD})

POLICY: tuple[Rule, ...] = (
    Rule("GET", "entity", READERS),
    Rule("GET", "attr", READERS, frozenset(READABLE_ATTRS)),
    Rule("PATCH", "attr", frozenset({P_INFO_GOLD}), frozenset(WRITABLE_ATTRS)),
    Rule("POST", "entities", frozenset({P_CREATE})),
)
"""The policy table of the packet-delivery use case; no rule, no access."""


@dataclass(frozen=True)
class Decision:
    """The outcome; ``needed`` lists the roles any one of which would have allowed the request
    (empty when no role allows it at all)."""

    allowed: bool
    reason: str
    needed: tuple[str, ...] = ()


def describe(method: str, path_kind: str, attr: str | None) -> str:
    """``PATCH of attribute PTA``, ``GET of an entity``, ... for reasons and logs."""
    what = {
        "entities": "the entity collection",
        "entity": "an entity",
        "attr": f"attribute {attr}",
        "other": "this path",
    }.get(path_kind, "this path")
    return f"{method} of {what}"


def decide(
    method: str,
    path_kind: PathKind | str,
    attr: str | None,
    roles_for_target: Collection[str],
    *,
    target: str | None = None,
    policy: Iterable[Rule] = POLICY,
) -> Decision:
    """Whether the roles granted for the target allow ``method`` on ``path_kind`` (``attr`` for the
    attribute paths, else ``None``), with a reason naming the granting or missing role (and ``target``,
    when given, for the reader)."""
    method = method.upper()
    what = describe(method, path_kind, attr)
    rule = next((rule for rule in policy if rule.matches(method, path_kind, attr)), None)
    if rule is None:
        return Decision(False, f"{what} is not allowed by the policy for any role")
    granted = sorted(rule.any_of & set(roles_for_target))
    needed = tuple(sorted(rule.any_of))
    if granted:
        return Decision(True, f"{what} allowed by role {', '.join(granted)}", needed)
    having = ", ".join(sorted(roles_for_target)) or "none"
    where = f" for {target}" if target else ""
    return Decision(False, f"{what} needs role {' or '.join(needed)}{where} (granted: {having})", needed)


def roles_for_target(roles: Any, target: str) -> frozenset[str]:
    """The role names an access token's ``roles`` claim (``[{target, names}]``) grants for ``target``;
    roles for other targets do not count. A malformed claim is ``ValueError``."""
    if roles is None:
        return frozenset()
    if not isinstance(roles, list):
        raise ValueError("the roles claim is not a list")
    names: set[str] = set()
    for grant in roles:
        if not isinstance(grant, dict) or not isinstance(grant.get("target"), str):
            raise ValueError("a roles entry has no target")
        granted = grant.get("names")
        if not isinstance(granted, list) or not all(isinstance(name, str) for name in granted):
            raise ValueError("a roles entry's names are not a list of strings")
        if grant["target"] == target:
            names.update(granted)
    return frozenset(names)

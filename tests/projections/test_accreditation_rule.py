"""The accreditation rule (projections.accreditation) over typed records, case by case."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from projections.accreditation import (
    ANCESTOR_NOT_ACTIVE,
    ISSUER_NOT_ACTIVE,
    ISSUER_UNKNOWN,
    NOT_ACCREDITED,
    ROLE_NOT_ACCREDITED,
    Accreditation,
    EntityRecord,
    RoleGrant,
    refusal,
)
from projections.api import EffectiveStatus

T = "EmployeeCredential"
TARGET = "did:web:service.test"
AT = 1_000_000
ACTIVE = EffectiveStatus("active", "active", None)


def _held(*names: str, valid_from: int = 0, valid_until: int = 0) -> Accreditation:
    return Accreditation(T, (RoleGrant.of(TARGET, names),) if names else (), valid_from, valid_until)


def _tree(
    issuer: Accreditation | None, parent: Accreditation | None, grand: Accreditation | None
) -> Mapping[str, EntityRecord]:
    """root -> grand -> parent -> issuer, each holding the given accreditation for T (or none)."""
    levels = [
        ("root", None, None),
        ("grand", "root", grand),
        ("parent", "grand", parent),
        ("issuer", "parent", issuer),
    ]
    return {
        did: EntityRecord(did, up, "active", accreditations={T: held} if held else {})
        for did, up, held in levels
    }


FULL = _held("reader", "writer")
CASES = [
    # (case, issuer, parent, grand, roles, at, expected reason, who is named)
    ("all hold it", FULL, FULL, FULL, ["reader", "writer"], AT, None, None),
    ("issuer holds none", None, FULL, FULL, [], AT, NOT_ACCREDITED, "issuer"),
    ("parent holds none", FULL, None, FULL, [], AT, NOT_ACCREDITED, "parent"),
    ("grandparent withdrawn", FULL, FULL, None, [], AT, NOT_ACCREDITED, "grand"),
    ("issuer's window not started", _held(valid_from=AT + 1), FULL, FULL, [], AT, NOT_ACCREDITED, "issuer"),
    ("window starts inclusively", _held(valid_from=AT), FULL, FULL, [], AT, None, None),
    ("parent's window ended", FULL, _held(valid_until=AT), FULL, [], AT, NOT_ACCREDITED, "parent"),
    ("grandparent's window ends later", FULL, FULL, _held(valid_until=AT + 1), [], AT, None, None),
    ("role beyond the issuer's", _held("reader"), FULL, FULL, ["writer"], AT, ROLE_NOT_ACCREDITED, "issuer"),
    (
        "role beyond the grandparent's",
        FULL,
        FULL,
        _held("reader"),
        ["writer"],
        AT,
        ROLE_NOT_ACCREDITED,
        "grand",
    ),
    ("role held everywhere", FULL, FULL, _held("reader"), ["reader"], AT, None, None),
    ("no roles asked, none held", _held(), _held(), _held(), [], AT, None, None),
]


@pytest.mark.parametrize(
    ("issuer", "parent", "grand", "roles", "at", "reason", "named"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_rule(
    issuer: Accreditation | None,
    parent: Accreditation | None,
    grand: Accreditation | None,
    roles: list[str],
    at: int,
    reason: str | None,
    named: str | None,
) -> None:
    records = _tree(issuer, parent, grand)
    grants = [RoleGrant.of(TARGET, roles)] if roles else []

    refused = refusal("issuer", T, at, status=ACTIVE, lookup=records.get, roles=grants)

    if reason is None:
        assert refused is None
    else:
        assert refused is not None and refused.reason == reason, refused
        assert f" {named} " in refused.message + " ", refused


def test_a_role_for_another_target_is_not_allowed() -> None:
    records = _tree(FULL, FULL, FULL)
    grants = [RoleGrant.of("did:web:other.test", ["reader"])]
    refused = refusal("issuer", T, AT, status=ACTIVE, lookup=records.get, roles=grants)
    assert refused is not None and refused.reason == ROLE_NOT_ACCREDITED


def test_the_root_holds_every_type() -> None:
    records = _tree(FULL, FULL, FULL)
    assert records["root"].accreditations == {}
    assert refusal("root", T, AT, status=ACTIVE, lookup=records.get) is None
    assert refusal("grand", "OtherCredential", AT, status=ACTIVE, lookup=records.get).reason == NOT_ACCREDITED


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (None, ISSUER_UNKNOWN),
        (EffectiveStatus("suspended", "suspended", None), ISSUER_NOT_ACTIVE),
        (EffectiveStatus("revoked", "active", "grand"), ANCESTOR_NOT_ACTIVE),
    ],
)
def test_effective_status_comes_first(status: EffectiveStatus | None, reason: str) -> None:
    records = _tree(None, None, None)
    refused = refusal("issuer", T, AT, status=status, lookup=records.get)
    assert refused is not None and refused.reason == reason


def test_an_ancestor_missing_from_the_records_refuses() -> None:
    records = dict(_tree(FULL, FULL, FULL))
    del records["grand"]
    refused = refusal("issuer", T, AT, status=ACTIVE, lookup=records.get)
    assert refused is not None and refused.reason == NOT_ACCREDITED and "grand" in refused.message


def test_records_read_from_an_entity_state_and_back() -> None:
    state = {
        "status": "active",
        "keys": {},
        "accreditations": {
            T: {
                "roles": [{"target": TARGET, "names": ["writer", "reader"]}],
                "valid_from": 5,
                "valid_until": 0,
                "granted_at": 4,
            }
        },
    }
    record = EntityRecord.from_state("issuer", "parent", state)
    assert record.accreditations[T] == Accreditation(
        T, (RoleGrant.of(TARGET, ["writer", "reader"]),), 5, 0, 4
    )
    assert record.as_dict()["accreditations"] == state["accreditations"]  # the registry's order kept
    assert EntityRecord.from_state("issuer", "parent", record.as_dict()) == record
    assert record.accredited_at(T, 5) and not record.accredited_at(T, 4)

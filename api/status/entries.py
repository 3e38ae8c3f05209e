"""The `credentialStatus` / `status` pieces an issued credential carries for its allocations."""

from __future__ import annotations

from typing import Any

from api.status.allocation import CredentialAllocations, StatusAllocation


def bitstring_status_entries(allocations: CredentialAllocations) -> list[dict[str, Any]]:
    """W3C `credentialStatus`: one BitstringStatusListEntry per purpose (index as a base-10 string)."""
    return [_entry("BitstringStatusListEntry", a) for a in allocations.entries]


def status_list_2021_entries(allocations: CredentialAllocations) -> list[dict[str, Any]]:
    """TW DIW `credentialStatus`: one StatusList2021Entry per purpose."""
    return [_entry("StatusList2021Entry", a) for a in allocations.entries]


def ietf_status_claim(allocation: StatusAllocation) -> dict[str, Any]:
    """IETF referenced-token `status` claim: {"status_list": {"idx", "uri"}}.

    A token references a single list, so give it the revocation allocation.
    """
    return {"status_list": {"idx": allocation.index, "uri": allocation.uri}}


def _entry(entry_type: str, allocation: StatusAllocation) -> dict[str, Any]:
    return {
        "id": f"{allocation.uri}#{allocation.index}",  # must not be the list URL itself
        "type": entry_type,
        "statusPurpose": allocation.purpose,
        "statusListIndex": str(allocation.index),
        "statusListCredential": allocation.uri,
    }

"""Status references carried inside credentials (the lists themselves live elsewhere).

- IETF Token Status List: ``status: {"status_list": {"idx", "uri"}}`` (SD-JWT VC, final profile).
- TW DIW: two ``StatusList2021Entry`` objects, revocation and suspension, sharing one index.
- W3C Bitstring Status List: ``BitstringStatusListEntry`` (VCDM 2.0 ``credentialStatus``).
"""

from __future__ import annotations

from typing import Any

STATUS_LIST_2021_ENTRY = "StatusList2021Entry"
BITSTRING_STATUS_LIST_ENTRY = "BitstringStatusListEntry"


def _index(index: int) -> int:
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"status list index must be a non-negative integer, not {index!r}")
    return index


def token_status_reference(idx: int, uri: str) -> dict[str, Any]:
    """The IETF Token Status List reference ``{"status_list": {"idx": idx, "uri": uri}}``."""
    if not uri:
        raise ValueError("status list uri is required")
    return {"status_list": {"idx": _index(idx), "uri": uri}}


def status_list_2021_pair(index: int, revocation_list: str, suspension_list: str) -> list[dict[str, Any]]:
    """TW DIW ``credentialStatus``: a revocation and a suspension ``StatusList2021Entry``, one index."""
    idx = str(_index(index))
    return [
        {
            "id": f"{url}#{idx}",
            "type": STATUS_LIST_2021_ENTRY,
            "statusPurpose": purpose,
            "statusListIndex": idx,
            "statusListCredential": url,
        }
        for purpose, url in (("revocation", revocation_list), ("suspension", suspension_list))
    ]


def bitstring_status_entry(index: int, list_credential: str, purpose: str = "revocation") -> dict[str, Any]:
    """A W3C ``BitstringStatusListEntry`` (index as a base-10 string, per the REC)."""
    idx = str(_index(index))
    return {
        "id": f"{list_credential}#{idx}",
        "type": BITSTRING_STATUS_LIST_ENTRY,
        "statusPurpose": purpose,
        "statusListIndex": idx,
        "statusListCredential": list_credential,
    }

"""The `credentialStatus` / `status` pieces an issued credential carries for its allocations."""

from __future__ import annotations

import re
from typing import Any

from api.status.allocation import CredentialAllocations, StatusAllocation


def bitstring_status_entries(allocations: CredentialAllocations) -> list[dict[str, Any]]:
    """W3C `credentialStatus`: one BitstringStatusListEntry per purpose (index as a base-10 string)."""
    return [_entry("BitstringStatusListEntry", a, a.uri) for a in allocations.entries]


W3C_SUFFIX = "/w3c"
"""`<list URL>/w3c`: the list as a W3C StatusList2021Credential, JSON-LD by default (issue 16 item
7), what a jwt_vc_json card's entries name; the on-chain list URL answers twdiw cards' verifiers."""


def status_list_2021_entries(allocations: CredentialAllocations) -> list[dict[str, Any]]:
    """TW DIW `credentialStatus`: one StatusList2021Entry per purpose, naming the on-chain list URL
    (the official verifier reads `{"statusList": "<JWT>"}` there)."""
    return [_entry("StatusList2021Entry", a, a.uri) for a in allocations.entries]


def w3c_status_entries(allocations: CredentialAllocations) -> list[dict[str, Any]]:
    """A jwt_vc_json (VCDM 1.1) card's `credentialStatus`: one StatusList2021Entry per purpose,
    naming the list's W3C URL (`w3c_list_uri`), where any W3C or JSON-LD client gets the
    StatusList2021Credential without negotiating."""
    return [_entry("StatusList2021Entry", a, w3c_list_uri(a.uri)) for a in allocations.entries]


def w3c_list_uri(uri: str) -> str:
    """The W3C URL of the on-chain list at `uri`."""
    return uri + W3C_SUFFIX


def on_chain_list_uri(uri: str) -> str:
    """The on-chain list URL a status list URL of ours serves: `uri` without the W3C suffix."""
    return uri.removesuffix(W3C_SUFFIX)


def ietf_status_claim(allocation: StatusAllocation) -> dict[str, Any]:
    """IETF referenced-token `status` claim for one on-chain list (`bits: 1`).

    What SD-JWT VCs carried before issue 16 item 3; new ones carry `token_status_claim`.
    """
    return {"status_list": {"idx": allocation.index, "uri": allocation.uri}}


_ON_CHAIN_NAME = re.compile(r"^(?P<prefix>.*/)(?P<purpose>[rs])(?P<sequence>(?:0|[1-9][0-9]{0,17}))$")
_TOKEN_NAME = re.compile(r"^(?P<prefix>.*/)r(?P<r>(?:0|[1-9][0-9]{0,17}))-s(?P<s>(?:0|[1-9][0-9]{0,17}))$")


def token_list_uri(revocation_uri: str, suspension_uri: str) -> str:
    """The URL of the `bits: 2` Status List Token of a revocation list `<prefix>r<a>` and a
    suspension list `<prefix>s<b>` (the issuer's on-chain list URLs): `<prefix>r<a>-s<b>`."""
    r, s = _ON_CHAIN_NAME.match(revocation_uri), _ON_CHAIN_NAME.match(suspension_uri)
    if r is None or s is None or r["purpose"] != "r" or s["purpose"] != "s" or r["prefix"] != s["prefix"]:
        raise ValueError(
            f"not a revocation and a suspension list of one type: {revocation_uri}, {suspension_uri}"
        )
    return f"{r['prefix']}r{r['sequence']}-s{s['sequence']}"


def split_token_list_uri(uri: str) -> tuple[str, str] | None:
    """The on-chain revocation and suspension list URLs a `token_list_uri` is derived from, or None."""
    found = _TOKEN_NAME.match(uri)
    if found is None:
        return None
    return f"{found['prefix']}r{found['r']}", f"{found['prefix']}s{found['s']}"


def token_status_claim(allocations: CredentialAllocations) -> dict[str, Any]:
    """IETF referenced-token `status` claim of an SD-JWT VC: {"status_list": {"idx", "uri"}} into
    the `bits: 2` list that carries both purposes (VALID 0x00, INVALID 0x01, SUSPENDED 0x02), so
    any Token Status List reader sees a suspension. Needs one index shared by both lists."""
    revocation, suspension = allocations.revocation, allocations.suspension
    if revocation.index != suspension.index:
        raise ValueError("a 2-bit status entry needs the same index in the revocation and suspension lists")
    return {"status_list": {"idx": revocation.index, "uri": token_list_uri(revocation.uri, suspension.uri)}}


def _entry(entry_type: str, allocation: StatusAllocation, url: str) -> dict[str, Any]:
    return {
        "id": f"{url}#{allocation.index}",  # must not be the list URL itself
        "type": entry_type,
        "statusPurpose": allocation.purpose,
        "statusListIndex": str(allocation.index),
        "statusListCredential": url,
    }

"""Credential offers (OID4VCI 1.0 §4.1): read an offer link, fetch it by reference, check it.

Links: ``openid-credential-offer://?credential_offer=...`` or ``...?credential_offer_uri=...``,
the TW DIW deep link ``modadigitalwallet://credential_offer?...`` with the same parameters, an
https link carrying them, or the offer's JSON object itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from api.wallet.errors import WalletError
from api.wallet.http import decode_json, get_json, require_https

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OFFER_SCHEME = "openid-credential-offer"
TWDIW_SCHEME = "modadigitalwallet"
TWDIW_OFFER_HOST = "credential_offer"
STEP = "credential offer"


@dataclass(frozen=True)
class CredentialOffer:
    """A checked credential offer, reduced to what the pre-authorized code flow needs."""

    credential_issuer: str
    configuration_ids: tuple[str, ...]
    pre_authorized_code: str | None
    tx_code: dict[str, Any] | None
    """The offer's ``tx_code`` object when a transaction code is required (even ``{}``), else None."""
    authorization_server: str | None
    raw: dict[str, Any] = field(repr=False)


def offer_parameters(link: str) -> tuple[str, str]:
    """``("credential_offer", json text)`` or ``("credential_offer_uri", url)`` from an offer link."""
    text = link.strip()
    if text.startswith("{"):
        return "credential_offer", text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == TWDIW_SCHEME and parts.netloc != TWDIW_OFFER_HOST:
        raise WalletError(STEP, f"{TWDIW_SCHEME}://{parts.netloc} is not a credential offer link")
    if scheme not in (OFFER_SCHEME, TWDIW_SCHEME, "https", "http"):
        raise WalletError(STEP, f"unsupported offer link scheme {parts.scheme or '(none)'!r}")
    query = parse_qs(parts.query, keep_blank_values=True)
    given = [name for name in ("credential_offer", "credential_offer_uri") if name in query]
    if len(given) != 1:
        raise WalletError(STEP, "the link needs exactly one of credential_offer and credential_offer_uri")
    values = query[given[0]]
    if len(values) != 1 or not values[0]:
        raise WalletError(STEP, f"{given[0]} must appear once, with a value")
    return given[0], values[0]


def read_offer(link: str, client: httpx.Client) -> CredentialOffer:
    """The offer a link carries by value, or fetches it from its ``credential_offer_uri``."""
    name, value = offer_parameters(link)
    if name == "credential_offer_uri":
        url = require_https(value, STEP, "credential_offer_uri")
        return parse_offer(get_json(client, "credential offer fetch", url))
    try:
        data = decode_json(value)
    except ValueError as error:
        raise WalletError(STEP, f"credential_offer is not acceptable JSON: {error}") from None
    if not isinstance(data, dict):
        raise WalletError(STEP, "credential_offer is not a JSON object")
    return parse_offer(data)


def parse_offer(data: Mapping[str, Any]) -> CredentialOffer:
    """Check an offer object (unknown members are ignored)."""
    issuer = require_https(data.get("credential_issuer"), STEP, "credential_issuer")
    ids = data.get("credential_configuration_ids")
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, str) and i for i in ids)
        or len(set(ids)) != len(ids)
    ):
        raise WalletError(STEP, "credential_configuration_ids must be a non-empty array of unique strings")
    grants = data.get("grants") or {}
    if not isinstance(grants, dict):
        raise WalletError(STEP, "grants is not a JSON object")
    grant = grants.get(PRE_AUTHORIZED_GRANT)
    code = tx_code = server = None
    if grant is not None:
        if not isinstance(grant, dict) or not isinstance(grant.get("pre-authorized_code"), str):
            raise WalletError(STEP, "the pre-authorized_code grant has no pre-authorized_code string")
        code = grant["pre-authorized_code"]
        if "tx_code" in grant:
            if not isinstance(grant["tx_code"], dict):
                raise WalletError(STEP, "tx_code is not a JSON object")
            tx_code = dict(grant["tx_code"])
        server = grant.get("authorization_server")
        if server is not None:
            server = require_https(server, STEP, "authorization_server")
    return CredentialOffer(
        credential_issuer=issuer,
        configuration_ids=tuple(ids),
        pre_authorized_code=code,
        tx_code=tx_code,
        authorization_server=server,
        raw=dict(data),
    )


def check_tx_code(offer: CredentialOffer, tx_code: str | None) -> str | None:
    """The transaction code to send: required iff the offer has ``tx_code``; shape-checked."""
    spec = offer.tx_code
    if spec is None:
        return None
    description = spec.get("description")
    hint = f" ({description})" if isinstance(description, str) and description else ""
    if not tx_code:
        raise WalletError(STEP, f"the offer requires a transaction code (tx_code){hint}")
    length = spec.get("length")
    if isinstance(length, int) and len(tx_code) != length:
        raise WalletError(STEP, f"the transaction code must have {length} characters{hint}")
    if spec.get("input_mode", "numeric") == "numeric" and not tx_code.isdigit():
        raise WalletError(STEP, f"the transaction code must be numeric{hint}")
    return tx_code

"""Pydantic models of the JSON answers, for the OpenAPI schema (routes build the JSON themselves,
so ETags are computed over exactly the bytes sent)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class LedgerFreshness(_Model):
    position: int | None = Field(description="Ledger notification id the views have processed")
    blockNumber: int | None
    blockTime: str | None = Field(description="XML datetime (UTC) of that block")
    chainReachable: bool | None = Field(description="None when no chain check is configured")


class Problem(_Model):
    type: str = Field(examples=["https://www.w3.org/ns/did#NOT_FOUND"])
    title: str
    status: int
    detail: str
    instance: str | None = None


class EffectiveStatusOut(_Model):
    status: str
    ownStatus: str
    becauseOf: str | None


class RoleGrantOut(_Model):
    target: str = Field(description="The DID the roles are for")
    names: list[str]


class Accreditation(_Model):
    credentialType: str
    roles: list[RoleGrantOut]
    validFrom: str | None
    validUntil: str | None
    grantedAt: str | None


class TrustListItem(_Model):
    did: str
    name: str
    node: str
    parent: str | None
    ancestry: list[str]
    status: str
    effectiveStatus: EffectiveStatusOut
    accreditations: list[Accreditation]
    controller: str
    version: int
    updated: str | None
    href: str
    didDocument: str


class Links(_Model):
    self_: str = Field(alias="self")
    first: str
    prev: str | None
    next: str | None
    last: str


class TrustList(_Model):
    items: list[TrustListItem]
    total: int
    page: int
    size: int
    asOf: str | None
    links: Links


class HistoryItem(_Model):
    version: int
    event: str
    by: str
    validFrom: str | None
    validUntil: str | None
    blockNumber: int
    blockHash: str
    blockTime: str | None
    txHash: str
    logIndex: int


class AncestorOut(_Model):
    did: str
    name: str
    status: str


class KeyOut(_Model):
    id: str
    type: str
    purposes: list[str] = Field(description="Verification relationships")
    validFrom: str | None
    validUntil: str | None
    revoked: bool
    addedAt: str | None
    revokedAt: str | None
    revocationReason: str | None = Field(
        default=None, description="unspecified, superseded or keyCompromise (RFC 5280 CRLReason names)"
    )
    compromisedSince: str | None = Field(
        default=None, description="For keyCompromise: since when the controller says the key is compromised"
    )


class ServiceOut(_Model):
    id: str
    type: str
    serviceEndpoint: str


class AnchorOut(_Model):
    chainId: int
    contract: str
    node: str


class StatusListRef(_Model):
    listId: int
    purpose: str
    size: int
    uri: str
    href: str


class EntityDetail(_Model):
    did: str
    name: str
    node: str
    parent: str | None
    ancestry: list[AncestorOut]
    status: str
    effectiveStatus: EffectiveStatusOut
    accreditations: list[Accreditation]
    controller: str
    keys: list[KeyOut] = Field(description="Every key the entity has had, revoked ones included")
    services: list[ServiceOut]
    anchor: AnchorOut
    version: int
    created: str | None
    updated: str | None
    statusLists: list[StatusListRef]
    history: list[HistoryItem]
    didDocument: str
    asOf: str | None


class StatusListOut(_Model):
    listId: int
    owner: str
    purpose: str
    size: int
    uri: str
    encodedList: str = Field(description="Multibase 'u' + base64url (no padding) of the GZIP bitstring")
    blockNumber: int
    blockTime: str | None
    txHash: str
    asOf: str | None


class TilIssuerEntry(_Model):
    did: str
    href: str


class TilLinks(_Model):
    """Page links; `prev` and `next` are absent on the first and last page (never null)."""

    first: str
    prev: str | None = None
    next: str | None = None
    last: str


class TilIssuers(_Model):
    self_: str = Field(alias="self")
    items: list[TilIssuerEntry]
    total: int
    pageSize: int
    links: TilLinks


class TilAttribute(_Model):
    hash: str
    body: str
    issuerType: str
    tao: str | None = None
    rootTao: str | None = None


class TilIssuer(_Model):
    did: str
    attributes: list[TilAttribute]


class DiwStatusData(_Model):
    did: str
    status: int = Field(description="0 not on chain, 1 effective, 2 revoked, 3 not qualified")


class DiwStatus(_Model):
    code: str
    message: str
    data: DiwStatusData


class Health(_Model):
    status: str = Field(
        description='"ok", or "degraded" when the chain is unreachable or the follower halted'
    )
    freshness: LedgerFreshness
    chainReachable: bool | None
    halted: bool = Field(description="the follower stopped for good (see follower.haltedReason)")
    follower: dict[str, Any] | None = Field(
        description="what the following process last reported beside the views (null: none ever did): "
        "reportedAt, lastPassAt, horizonBlock, headBlock, syncedBlock, chainReachable, halted, "
        "haltedReason, haltedBlock"
    )

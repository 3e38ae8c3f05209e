"""Build the credential an offer produces, in the requested format and the template's profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.credentials.dids import holder_did
from api.credentials.jwt_vc import issue_jwt_vc
from api.credentials.keys import SigningKey
from api.credentials.proof import ValidatedProof
from api.credentials.sd_jwt import issue_sd_jwt_vc, issue_twdiw_sd_jwt
from api.issuer.config import IssuerConfig, Template
from api.issuer.days import day_end, day_start
from api.status.allocation import CredentialAllocations
from api.status.entries import ietf_status_claim, status_list_2021_entries


def credential_url(config: IssuerConfig, cid: str) -> str:
    """The credential's ``jti``: ``<base>/api/credential/<cid>`` (TW DIW's CID convention)."""
    return f"{config.base_url}/api/credential/{cid}"


def vct_of(config: IssuerConfig, vc_uid: str, template: Template) -> str:
    """The SD-JWT VC type: the template's ``vct``, by default its registry credential type, the
    name accreditations use, so a verifier can tell which accreditation the credential needs."""
    return template.vct or template.type


@dataclass(frozen=True)
class CredentialRequest:
    """Everything one credential is made of."""

    vc_uid: str
    template: Template
    fmt: str
    fields: dict[str, Any]
    holder: ValidatedProof
    cid: str
    allocations: CredentialAllocations
    issuance_date: str
    expiration_date: str
    nonce: str | None


def build_credential(key: SigningKey, config: IssuerConfig, request: CredentialRequest) -> str:
    """The signed credential string (SD-JWT VC, twdiw vc+sd-jwt, or jwt_vc_json)."""
    fields = {**request.fields, **request.template.role_claims()}
    zone = config.time_zone  # the card's days are the module's (api/issuer/days.py)
    valid_from = day_start(request.issuance_date, zone)
    expires_at = day_end(request.expiration_date, zone)
    holder = request.holder
    subject_did = holder.holder_did or holder_did(holder.holder_jwk, "jwk")[0]
    if request.fmt == "dc+sd-jwt":
        return issue_sd_jwt_vc(
            key,
            vct=vct_of(config, request.vc_uid, request.template),
            claims=fields,
            holder_jwk=holder.holder_jwk,
            expires_at=expires_at,
            valid_from=valid_from,
            status=ietf_status_claim(request.allocations.revocation),
            subject=subject_did,
            jti=credential_url(config, request.cid),
        ).sd_jwt
    if request.fmt == "vc+sd-jwt":
        return issue_twdiw_sd_jwt(
            key,
            vct=vct_of(config, request.vc_uid, request.template),
            credential_subject=fields,
            holder_did=subject_did,
            holder_jwk=holder.holder_jwk,
            jti=credential_url(config, request.cid),
            credential_status=status_list_2021_entries(request.allocations),
            credential_schema={"id": f"{config.base_url}/api/schema/{request.vc_uid}", "type": "JsonSchema"},
            expires_at=expires_at,
            valid_from=valid_from,
            nonce=request.nonce,
            jku=f"{config.base_url}/api/keys",
        ).sd_jwt
    return issue_jwt_vc(
        key,
        holder_did=subject_did,
        types=[request.template.type],
        credential_subject=fields,
        expires_at=expires_at,
        valid_from=valid_from,
        jti=credential_url(config, request.cid),
        # VCDM 1.1 (jwt_vc_json): the status entry of its era; BitstringStatusListEntry is VCDM 2.0's
        credential_status=status_list_2021_entries(request.allocations),
    )

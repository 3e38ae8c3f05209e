"""Build the credential an offer produces, in the requested format and the template's profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import base58

from api.credentials.dids import did_key_jcs, holder_did
from api.credentials.jwt_vc import issue_jwt_vc
from api.credentials.keys import SigningKey
from api.credentials.proof import ValidatedProof
from api.credentials.sd_jwt import issue_sd_jwt_vc, issue_twdiw_sd_jwt
from api.issuer.config import IssuerConfig, Template
from api.issuer.days import day_end, day_start
from api.status.allocation import CredentialAllocations
from api.status.entries import status_list_2021_entries, token_status_claim, w3c_status_entries


def credential_url(config: IssuerConfig, cid: str) -> str:
    """The credential's ``jti``: ``<base>/api/credential/<cid>`` (TW DIW's CID convention)."""
    return f"{config.base_url}/api/credential/{cid}"


JSON_SCHEMA_TYPE = "JsonSchema"
"""``credentialSchema.type`` (twdiw-vc-handler Definition.DEFAULT_JSON_SCHEMA_TYPE)."""


def schema_url(config: IssuerConfig, vc_uid: str) -> str:
    """``credentialSchema.id`` of a twdiw card: the JSON Schema served at ``/api/schema/<vcUid>``."""
    return f"{config.base_url}/api/schema/{vc_uid}"


def vct_of(config: IssuerConfig, vc_uid: str, template: Template) -> str:
    """The SD-JWT VC type: the template's ``vct``, by default ``<base_url>/vct/<vcUid>``, where its
    Type Metadata is served (``routes_status.type_metadata``). SD-JWT VC (draft-ietf-oauth-sd-jwt-vc,
    "vct" claim): the type "MUST be a case-sensitive StringOrURI" and, being the issuer's own
    name, a collision-resistant one; the registry's type name (``EmployeeCredential``) is not.
    A twdiw template keeps what the official modules write: its registry type (the template code)."""
    if template.vct:
        return template.vct
    return template.type if template.profile == "twdiw" else vct_url(config, vc_uid)


def vct_url(config: IssuerConfig, vc_uid: str) -> str:
    """``<base_url>/vct/<vcUid>``: the default ``vct`` of a final-profile template."""
    return f"{config.base_url}/vct/{vc_uid}"


JWK_JCS_PUB_HEADER = b"\xd1\xd6\x03"
"""The varint of multicodec jwk_jcs-pub (0xeb51) that heads the key of the TW DIW app's did:key."""


def twdiw_subject(holder: ValidatedProof) -> str:
    """``sub`` of a twdiw card: the holder's jwk_jcs-pub did:key, the only holder DID the official
    issuer and verifier read (CredentialService.didToJWK, DidUtils.extractIssuerPublicKey). The
    proof's DID as written when it is one (the app compares ``sub`` with its DID: verifyVC), else
    the jwk_jcs-pub did:key of the same key (a did:jwk, another did:key or a bare jwk)."""
    did = holder.holder_did
    if did is not None and did.startswith("did:key:z"):
        try:
            if base58.b58decode(did.removeprefix("did:key:z")).startswith(JWK_JCS_PUB_HEADER):
                return did
        except ValueError:
            pass
    return did_key_jcs(holder.holder_jwk)


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
    if request.fmt == "vc+sd-jwt":
        subject_did = twdiw_subject(holder)
    if request.fmt == "dc+sd-jwt":
        return issue_sd_jwt_vc(
            key,
            vct=vct_of(config, request.vc_uid, request.template),
            claims=fields,
            holder_jwk=holder.holder_jwk,
            expires_at=expires_at,
            valid_from=valid_from,
            status=token_status_claim(request.allocations),
            subject=subject_did,
            jti=credential_url(config, request.cid),
        ).sd_jwt
    if request.fmt == "vc+sd-jwt":
        return issue_twdiw_sd_jwt(
            key,
            credential_type=request.template.type,
            credential_subject=fields,
            holder_did=subject_did,
            holder_jwk=holder.holder_jwk,
            jti=credential_url(config, request.cid),
            credential_status=status_list_2021_entries(request.allocations),
            credential_schema={"id": schema_url(config, request.vc_uid), "type": JSON_SCHEMA_TYPE},
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
        credential_status=w3c_status_entries(request.allocations),
    )

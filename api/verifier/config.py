"""The verifier's configuration file (TOML or JSON; see api/verifier/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from api.issuer.config import ModuleConfig, read_config_file

FORMATS = ("dc+sd-jwt", "jwt_vc_json", "vc+sd-jwt")


class ClaimField(BaseModel):
    """A claim the verifier asks for: its name in the credential and its display name."""

    ename: str = Field(min_length=1)
    cname: str = ""


class CredentialQuery(BaseModel):
    """One credential a template asks for (a DCQL credential query / a PE input descriptor).

    ``type`` is the registry's credential type: the issuer must be accredited for it. An SD-JWT
    VC's ``vct`` must be one of ``vct_values`` (default: ``[type]``); a ``jwt_vc_json``
    credential's ``vc.type`` must include ``type``.
    """

    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    type: str = Field(min_length=1)
    format: Literal["dc+sd-jwt", "jwt_vc_json", "vc+sd-jwt"] = "dc+sd-jwt"
    vct_values: list[str] = Field(default_factory=list)
    claims: list[ClaimField] = Field(default_factory=list)
    require_status: bool = True

    @model_validator(mode="after")
    def _default_vct(self) -> CredentialQuery:
        if not self.vct_values:
            self.vct_values = [self.type]
        return self


class AccessTokenPolicy(BaseModel):
    """After a successful login, mint an access token (RFC 9068 JWT) for this audience."""

    audience: str = Field(min_length=1)
    ttl: int = Field(600, gt=0)


class VerifierTemplate(BaseModel):
    """A presentation request template (TW DIW ``ref``)."""

    name: str = ""
    profile: Literal["final", "twdiw"] = "final"
    credentials: list[CredentialQuery] = Field(min_length=1)
    siop: bool = False
    access_token: AccessTokenPolicy | None = None

    @model_validator(mode="after")
    def _consistent(self) -> VerifierTemplate:
        ids = [query.id for query in self.credentials]
        if len(set(ids)) != len(ids):
            raise ValueError(f"credential query ids must be unique, not {ids}")
        if self.profile == "twdiw" and any(q.format != "vc+sd-jwt" for q in self.credentials):
            raise ValueError("the twdiw profile asks for vc+sd-jwt credentials only")
        if self.access_token is not None and not self.siop:
            raise ValueError("an access token is minted for a SIOP login: set siop = true")
        return self


class VerifierConfig(ModuleConfig):
    """Everything `trust-ledger serve verifier` needs besides the ledger."""

    templates: dict[str, VerifierTemplate] = Field(min_length=1)
    request_ttl: int = Field(300, gt=0)
    deep_link_scheme: str = "openid4vp://"
    twdiw_deep_link_scheme: str = "modadigitalwallet://authorize"
    callback_url: str | None = None
    leeway: int = Field(60, ge=0)
    callback_max_pending: int = Field(100, ge=1)  # deliveries queued/in flight; more are dropped
    static_qr_rate: float = Field(0.5, gt=0)  # DWVP-02-101 per client address: tokens per second
    static_qr_burst: int = Field(10, ge=1)  # ... and the bucket's size
    session_retention: int = Field(3600, ge=0)  # seconds a request and its result outlive it
    request_object_single_fetch: bool = True  # request_uri serves the request object once

    @property
    def client_id(self) -> str:
        """OID4VP 1.0 Client Identifier: the DID with its prefix."""
        return f"decentralized_identifier:{self.did}"

    def client_id_for(self, template: VerifierTemplate) -> str:
        """The client_id a template's requests carry (twdiw: the bare DID, pre-final drafts)."""
        return self.did if template.profile == "twdiw" else self.client_id


def load_config(path: Path) -> VerifierConfig:
    """Read a ``.toml`` or ``.json`` configuration file."""
    return VerifierConfig.model_validate(read_config_file(path))

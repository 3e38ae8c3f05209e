"""The issuer's configuration file (TOML or JSON; see api/issuer/README.md)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator, model_validator

from api.credentials.keys import SigningKey
from projections.trust_freshness import FreshnessBounds

FORMATS = ("dc+sd-jwt", "jwt_vc_json", "vc+sd-jwt")
SHORT_FORMAT = {"dc+sd-jwt": "sd_jwt", "jwt_vc_json": "jwt_vc", "vc+sd-jwt": "vc_sd_jwt"}


class RoleGrant(BaseModel):
    """Roles a credential grants at one target organisation (the DSBA ``roles`` claim)."""

    target: str = Field(min_length=1)
    names: list[str] = Field(min_length=1)


class Template(BaseModel):
    """One credential template (TW DIW ``vcUid``).

    ``roles`` are granted by every credential of the template (e.g. a gold customer card), as a
    ``roles: [{target, names}]`` claim; the issuer must be accredited for each of them.
    """

    type: str
    fields: list[str] = Field(min_length=1)
    roles: list[RoleGrant] = Field(default_factory=list)
    validity_days: int = Field(365, gt=0)
    profile: Literal["final", "twdiw"] = "final"
    formats: list[str] | None = None
    vct: str | None = None
    tx_code_length: int | None = Field(None, ge=4, le=12)
    display_name: str | None = None

    @model_validator(mode="after")
    def _formats(self) -> Template:
        if self.formats is None:
            self.formats = ["vc+sd-jwt"] if self.profile == "twdiw" else ["dc+sd-jwt", "jwt_vc_json"]
        unknown = set(self.formats) - set(FORMATS)
        if unknown or not self.formats:
            raise ValueError(f"formats must be among {FORMATS}, not {self.formats}")
        if self.profile == "twdiw" and self.formats != ["vc+sd-jwt"]:
            raise ValueError("the twdiw profile issues vc+sd-jwt only")
        if self.roles and "roles" in self.fields:
            raise ValueError("a template with roles may not also have a 'roles' field")
        return self

    def role_claims(self) -> dict[str, Any]:
        """``{"roles": [...]}`` for a template that grants roles, else ``{}``."""
        return {"roles": [grant.model_dump() for grant in self.roles]} if self.roles else {}


class SigningKeyConfig(BaseModel):
    """The private JWK of a verification method registered on chain with assertionMethod."""

    key_id: str
    jwk: dict[str, Any] | None = None
    jwk_file: Path | None = None

    def load(self, did: str, base: Path) -> SigningKey:
        if self.jwk is not None:
            data: Any = self.jwk
        elif self.jwk_file is not None:
            path = self.jwk_file if self.jwk_file.is_absolute() else base / self.jwk_file
            data = json.loads(path.read_text())
        else:
            raise ValueError("signing_key needs jwk or jwk_file")
        return SigningKey.from_jwk(data, did=did, key_id=self.key_id)


class TrustFreshness(BaseModel):
    """How stale the trust views may be before the module refuses (to issue, or to say "trusted");
    the rule is projections.trust_freshness."""

    max_blocks_behind: int = Field(3, ge=0, description="blocks the views may lag the chain's horizon")
    max_pass_age: float = Field(60, gt=0, description="seconds since the follower last reached the chain")
    max_snapshot_age: float = Field(86_400, gt=0, description="seconds since an offline snapshot's export")

    def bounds(self) -> FreshnessBounds:
        return FreshnessBounds(self.max_blocks_behind, self.max_pass_age, self.max_snapshot_age)


class ModuleConfig(BaseModel):
    """What the issuer and the verifier module both configure: the organisation's DID, its public
    base URL, its signing key, the back end's Access-Tokens, where its stores live and how fresh the
    trust views must be."""

    did: str
    base_url: str
    signing_key: SigningKeyConfig
    access_tokens: list[str] = Field(min_length=1)
    var_dir: Path | None = None
    trust_freshness: TrustFreshness = Field(default_factory=TrustFreshness)

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("access_tokens")
    @classmethod
    def _strong_tokens(cls, value: list[str]) -> list[str]:
        if any(len(token) < 16 for token in value):
            raise ValueError("every access token needs at least 16 characters")
        return value


def read_config_file(path: Path) -> dict[str, Any]:
    """The settings in a ``.toml`` or ``.json`` configuration file."""
    text = path.read_text()
    return tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)


class IssuerConfig(ModuleConfig):
    """Everything `trust-ledger serve issuer` needs besides the chain deployment."""

    templates: dict[str, Template] = Field(min_length=1)
    controller_key: str | None = None
    keys_dir: Path | None = None  # the per-offer sealing keys, never beside the records (sealing.keys_path)
    offer_ttl: int = Field(600, gt=0)
    token_ttl: int = Field(300, gt=0)
    nonce_ttl: int = Field(300, gt=0)
    credential_retention: int = Field(86_400, ge=0)
    offer_mode: Literal["uri", "value"] = "uri"
    deep_link_scheme: str = "openid-credential-offer://"
    # twdiw templates: the official app's scheme (the official issuer's app_url_scheme)
    twdiw_deep_link_scheme: str = "modadigitalwallet://credential_offer"
    time_zone: str = "Asia/Taipei"  # DWVC-101 days and DWVC-202/203 dates, as the module's JVM zone
    status_list_size: int = 131_072
    tx_code_min_length: int = Field(6, ge=4, le=12)  # shorter codes are refused (brute force)
    tx_code_max_attempts: int = Field(5, ge=1)  # wrong tx_codes before the pre-authorized code dies

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"time_zone {value!r} is not an IANA time zone (e.g. Asia/Taipei)") from None
        return value

    @model_validator(mode="after")
    def _tx_codes_long_enough(self) -> IssuerConfig:
        for vc_uid, template in self.templates.items():
            if template.tx_code_length is not None and template.tx_code_length < self.tx_code_min_length:
                raise ValueError(
                    f"tx_code_length {template.tx_code_length} of template {vc_uid!r} is shorter than "
                    f"tx_code_min_length {self.tx_code_min_length}: a short code is guessed quickly; "
                    "use a longer one (or lower tx_code_min_length deliberately)"
                )
        return self

    def credential_issuer(self, vc_uid: str) -> str:
        """The Credential Issuer Identifier an offer of ``vc_uid`` names: ``base_url``, with a
        trailing ``/`` for a twdiw template, as the official issuer's ends (the official app builds
        its URLs by plain concatenation: ``credential_issuer + ".well-known/openid-credential-issuer"``,
        ``+ "token"``, ``+ "credential"``; APPSDK http_service.dart). With an empty path the two
        spellings are one identifier (RFC 3986 §6.2.3); the metadata names ``base_url``."""
        return self.base_url + "/" if self.templates[vc_uid].profile == "twdiw" else self.base_url

    def configuration_ids(self, vc_uid: str) -> list[str]:
        """The OID4VCI credential configuration ids of a template, one per format."""
        template = self.templates[vc_uid]
        return [configuration_id(vc_uid, fmt) for fmt in template.formats or ()]


def configuration_id(vc_uid: str, fmt: str) -> str:
    """``<vcUid>_<sd_jwt|jwt_vc|vc_sd_jwt>``."""
    return f"{vc_uid}_{SHORT_FORMAT[fmt]}"


def load_config(path: Path) -> IssuerConfig:
    """Read a ``.toml`` or ``.json`` configuration file."""
    return IssuerConfig.model_validate(read_config_file(path))

"""OID4VCI issuer metadata and RFC 8414 authorization server metadata, from the configuration."""

from __future__ import annotations

from typing import Any

from api.credentials.keys import SigningKey
from api.issuer.config import IssuerConfig, configuration_id
from api.issuer.credentials import schema_url, vct_of

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_ALGS = ["ES256", "ES256K", "EdDSA"]


def configurations(config: IssuerConfig, key: SigningKey) -> dict[str, dict[str, Any]]:
    """``credential_configurations_supported``: one entry per template and format."""
    supported: dict[str, dict[str, Any]] = {}
    for vc_uid, template in config.templates.items():
        for fmt in template.formats or ():
            entry: dict[str, Any] = {
                "format": fmt,
                "scope": vc_uid,
                "credential_signing_alg_values_supported": [key.alg],
                "cryptographic_binding_methods_supported": ["jwk", "did:jwk", "did:key"],
                "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": PROOF_ALGS}},
            }
            nested = fmt != "dc+sd-jwt"
            if fmt == "jwt_vc_json":
                entry["credential_definition"] = {"type": ["VerifiableCredential", template.type]}
            else:
                entry["vct"] = vct_of(config, vc_uid, template)
            entry["credential_metadata"] = {
                "display": [{"name": template.display_name or template.type, "locale": "en"}],
                "claims": [
                    {"path": ["credentialSubject", name] if nested else [name]} for name in template.fields
                ],
            }
            supported[configuration_id(vc_uid, fmt)] = entry
    return supported


def issuer_metadata(config: IssuerConfig, key: SigningKey) -> dict[str, Any]:
    base = config.base_url
    return {
        "credential_issuer": base,
        "credential_endpoint": f"{base}/credential",
        "nonce_endpoint": f"{base}/nonce",
        "display": [{"name": config.did, "locale": "en"}],
        "credential_configurations_supported": configurations(config, key),
    }


def authorization_server_metadata(config: IssuerConfig) -> dict[str, Any]:
    base = config.base_url
    return {
        "issuer": base,
        "token_endpoint": f"{base}/token",
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "response_types_supported": [],
        "pre-authorized_grant_anonymous_access_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
    }


def credential_schema(config: IssuerConfig, vc_uid: str) -> dict[str, Any]:
    """The JSON Schema a twdiw card's ``credentialSchema.id`` names (``/api/schema/<vcUid>``).

    The official vc-handler's layout (SchemaUtils.generateSchema, PublicInfoService.getSchema):
    draft 2020-12, ``credentialSubject`` with ``id`` (a URI) and each field a string, nothing
    required (every field is selectively disclosable, so a presentation may hold any subset).
    """
    template = config.templates[vc_uid]
    properties: dict[str, Any] = {"id": {"title": "id", "type": "string", "format": "uri"}}
    properties.update({name: {"title": name, "type": "string"} for name in template.fields})
    if template.roles:
        properties["roles"] = {"title": "roles", "type": "array"}
    return {
        "$id": schema_url(config, vc_uid),
        "$schema": "https://json-schema.org/draft/2020-12/schema#",
        "title": template.type,
        "description": f"{template.type} using JsonSchema",
        "type": "object",
        "properties": {
            "credentialSubject": {"title": "credentialSubject", "type": "object", "properties": properties}
        },
    }


def type_metadata(config: IssuerConfig, vc_uid: str) -> dict[str, Any]:
    """SD-JWT VC Type Metadata of a template (draft-ietf-oauth-sd-jwt-vc, "Type Metadata
    Format"): the ``vct`` it describes, a display name per locale, and one claim entry per field,
    each ``sd: "always"`` (every field is a disclosure) and not ``mandatory`` (a presentation may
    disclose any subset). Served at the ``vct`` URL itself ("Retrieving Type Metadata: From a URL
    in the vct Claim"), as ``application/json``."""
    template = config.templates[vc_uid]
    name = template.display_name or template.type
    claims: list[dict[str, Any]] = [
        {"path": [field], "display": [{"locale": "en", "label": field}], "sd": "always"}
        for field in template.fields
    ]
    if template.roles:
        claims.append({"path": ["roles"], "display": [{"locale": "en", "label": "roles"}], "sd": "always"})
    return {
        "vct": vct_of(config, vc_uid, template),
        "name": name,
        "description": f"{template.type} issued by {config.did} (template {vc_uid})",
        "display": [{"locale": "en", "name": name}],
        "claims": claims,
    }

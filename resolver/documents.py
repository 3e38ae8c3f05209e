"""DID documents (W3C DID Core 1.0, JSON-LD) rendered from ledger entity versions. Pure functions.

Decisions:
- `controller` is the entity's own DID: the entity's keys are managed by the entity itself
  (its on-chain controller address); the parent that registered it is a trust fact
  (`trustLedger.parent`), not a DID controller.
- `alsoKnownAs` is ``urn:trust-ledger:name:<full hierarchical name>`` (absent for the root,
  which has no name); the registry it is unique in is `trustLedger.anchor`.
- Trust facts live under one term, `trustLedger`, declared in an inline context as
  ``@json`` so JSON-LD processors keep it verbatim.
- Strings a participant wrote in bytes that are not plain text are shown in their opaque form
  (U+FFFD for what does not decode, then the bytes in hex; trust_ledger.domain.text); as key or
  service ids they become percent-encoded fragments of those bytes.
- A key is left out if it is revoked at this version, outside its validity window at the
  query time, or if its material cannot be published (listed in `trustLedger.unusableKeys`).
- A revoked key is never a verification method (a consumer that ignores revocation metadata, as
  did-jwt does, must not find it); it is listed in `trustLedger.revokedKeys` with W3C Controlled
  Identifiers 1.0's `revoked` (when it was revoked: the block time), `revocationReason` named as
  RFC 5280 CRLReason (`unspecified`, `superseded`, `keyCompromise`; OpenID Federation 1.0's JWK
  `revoked.reason` uses the same names) and, for a compromise, `compromisedSince`: the time the
  controller set (issue 14 item 1; no specification has a term for it, hence our `trustLedger`).
- `serviceEndpoint` is defined in the inline context too: the DID v1 context defines it only
  inside `service`, so a dereferenced service (`#issuer`, which carries the document's context)
  lost it in JSON-LD.
- Every service `type` is defined for JSON-LD (DID Core 1.0 §6.3.1: a producer SHOULD NOT emit
  terms the `@context` does not define; jsonld.js drops an undefined type, PyLD makes it a
  relative IRI): a type that is a plain name becomes a term of the inline context, mapped to its
  registered IRI (DID Specification Registries: LinkedDomains, DIDCommMessaging) or to
  ``urn:trust-ledger:service-type:<name>``; an absolute IRI stays as it is; any other string (one
  that a context already maps to a keyword, or that cannot be a term) is written as that URN,
  percent-encoded. `serviceType=` selects on either form.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from projections.api import EffectiveStatus, EntityVersion
from projections.records import Accreditation, KeyRecord
from resolver.did_syntax import xml_datetime
from resolver.keys import KeyMaterialError, jwk_from_hex, multibase_from_hex
from trust_ledger.codecs import public_jwk
from trust_ledger.domain.entity import KEY_PURPOSES
from trust_ledger.domain.text import is_opaque, uri_fragment

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
JWS_2020_CONTEXT = "https://w3id.org/security/suites/jws-2020/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
TRUST_LEDGER_TERM = "trustLedger"
TRUST_LEDGER_IRI = "urn:trust-ledger:vocab#trustLedger"
TRUST_LEDGER_CONTEXT = {TRUST_LEDGER_TERM: {"@id": TRUST_LEDGER_IRI, "@type": "@json"}}
NAME_URN_PREFIX = "urn:trust-ledger:name:"

KEY_TYPE_CONTEXTS = {"JsonWebKey2020": JWS_2020_CONTEXT, "Multikey": MULTIKEY_CONTEXT}
RELATIONSHIPS = tuple(KEY_PURPOSES.values())

SERVICE_TYPE_PREFIX = "urn:trust-ledger:service-type:"
SERVICE_ENDPOINT_TERM = {"@id": "https://www.w3.org/ns/did#serviceEndpoint", "@type": "@id"}
"""As the DID v1 context defines it within `service`."""
REGISTERED_SERVICE_TYPES = {
    "LinkedDomains": "https://identity.foundation/.well-known/resources/did-configuration/#LinkedDomains",
    "DIDCommMessaging": "https://didcomm.org/messaging/contexts/v2#DIDCommMessaging",
}
"""Service types with an IRI in the DID Specification Registries."""
CONTEXT_TERMS = {
    DID_CONTEXT: {
        "id": "@id",
        "type": "@type",
        "alsoKnownAs": "https://www.w3.org/ns/activitystreams#alsoKnownAs",
        "assertionMethod": "https://w3id.org/security#assertionMethod",
        "authentication": "https://w3id.org/security#authenticationMethod",
        "capabilityDelegation": "https://w3id.org/security#capabilityDelegationMethod",
        "capabilityInvocation": "https://w3id.org/security#capabilityInvocationMethod",
        "controller": "https://w3id.org/security#controller",
        "keyAgreement": "https://w3id.org/security#keyAgreementMethod",
        "service": "https://www.w3.org/ns/did#service",
        "verificationMethod": "https://w3id.org/security#verificationMethod",
    },
    MULTIKEY_CONTEXT: {"id": "@id", "type": "@type", "Multikey": "https://w3id.org/security#Multikey"},
    JWS_2020_CONTEXT: {
        "privateKeyJwk": "https://w3id.org/security#privateKeyJwk",
        "JsonWebKey2020": "https://w3id.org/security#JsonWebKey2020",
        "JsonWebSignature2020": "https://w3id.org/security#JsonWebSignature2020",
    },
}
"""The top-level terms of the contexts a document may name (did-context 3.1.1,
@digitalbazaar/multikey-context 2.0.1, @transmute/security-context jws-2020-v1): a service type
equal to one of them is not defined again (the DID and Multikey contexts protect theirs)."""
_TERM = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#%]+")


def service_type_value(name: str, contexts: list[Any]) -> tuple[str, str | None]:
    """How the service type `name` is written under `contexts` (the document's context URLs), and
    the IRI its term must be defined as in the inline context (None: no term to define)."""
    defined: dict[str, str] = {TRUST_LEDGER_TERM: TRUST_LEDGER_IRI}
    for context in contexts:
        if isinstance(context, str):
            defined.update(CONTEXT_TERMS.get(context, {}))
    if name in defined:
        iri = defined[name]
        return (name, None) if not iri.startswith("@") else (SERVICE_TYPE_PREFIX + quote(name, safe=""), None)
    if name in REGISTERED_SERVICE_TYPES:
        return name, REGISTERED_SERVICE_TYPES[name]
    if _TERM.fullmatch(name):
        return name, SERVICE_TYPE_PREFIX + name
    if _ABSOLUTE_IRI.fullmatch(name) and not name.startswith("_:"):
        return name, None
    return SERVICE_TYPE_PREFIX + quote(name, safe=""), None


def did_url(did: str, local_id: str) -> str:
    """An absolute DID URL for a key or service id (kept as is if it already is absolute); an id a
    participant wrote in bytes that are not plain text becomes a fragment of those bytes
    percent-encoded (trust_ledger.domain.text)."""
    if is_opaque(local_id):
        return f"{did}#{uri_fragment(local_id)}"
    if local_id.startswith("#"):
        return did + local_id
    if ":" in local_id:
        return local_id
    return f"{did}#{local_id}"


def name_urn(name: str) -> str | None:
    return NAME_URN_PREFIX + name if name else None


def verification_method(did: str, key_id: str, key: KeyRecord) -> dict[str, Any]:
    """One verification method map; raises KeyMaterialError for unusable material."""
    method: dict[str, Any] = {"id": did_url(did, key_id), "type": key.key_type, "controller": did}
    if key.key_type == "JsonWebKey2020":
        method["publicKeyJwk"] = jwk_from_hex(key.public_key)
    elif key.key_type == "Multikey":
        method["publicKeyMultibase"] = multibase_from_hex(key.public_key)
    else:
        raise KeyMaterialError(f"unsupported key type {key.key_type!r}")
    return method


def accreditation_facts(accreditations: Mapping[str, Accreditation]) -> list[dict[str, Any]]:
    """Accreditations as JSON facts, sorted by credential type."""
    return [
        {
            "credentialType": credential_type,
            "roles": [grant.as_state() for grant in held.roles],
            "validFrom": xml_datetime(held.valid_from),
            "validUntil": xml_datetime(held.valid_until) if held.valid_until else None,
            "grantedAt": xml_datetime(held.granted_at),
        }
        for credential_type, held in sorted(accreditations.items())
    ]


def trust_facts(
    version: EntityVersion, effective: EffectiveStatus | None, unusable: list[dict[str, str]]
) -> dict[str, Any]:
    state = version.state
    facts: dict[str, Any] = {
        "name": state.name,
        "parent": version.parent_did,
        "status": state.status,
        "effectiveStatus": effective.status if effective else state.status,
        "effectiveStatusBecauseOf": effective.because_of if effective else None,
        "accreditations": accreditation_facts(state.accreditations),
        "controllerAddress": state.controller,
        "anchor": {"chainId": state.chain_id, "contract": state.contract, "node": state.node},
    }
    if unusable:
        facts["unusableKeys"] = unusable
    revoked = revoked_keys(version.did, state.keys)
    if revoked:
        facts["revokedKeys"] = revoked
    return facts


def revoked_keys(did: str, keys: Mapping[str, KeyRecord]) -> list[dict[str, Any]]:
    """The revoked keys' metadata (no material): id, type, `revoked`, `revocationReason` and, for a
    compromise, `compromisedSince` (see the module docstring)."""
    listed = []
    for key_id, key in keys.items():
        if not key.revoked:
            continue
        entry: dict[str, Any] = {
            "id": did_url(did, key_id),
            "type": key.key_type,
            "revoked": xml_datetime(key.revoked_at),
            "revocationReason": key.revocation_reason or "unspecified",
        }
        if key.compromised:
            entry["compromisedSince"] = xml_datetime(key.compromised_since)
        listed.append(entry)
    return listed


def render_document(version: EntityVersion, effective: EffectiveStatus | None, at: int) -> dict[str, Any]:
    """The DID document of `version` as seen at unix time `at`."""
    state, did = version.state, version.did
    methods: list[dict[str, Any]] = []
    refs: dict[str, list[str]] = {name: [] for name in RELATIONSHIPS}
    unusable: list[dict[str, str]] = []
    for key_id, key in state.keys.items():
        if not key.live_at(at):
            continue
        try:
            method = verification_method(did, key_id, key)
        except KeyMaterialError as error:
            unusable.append({"id": did_url(did, key_id), "reason": str(error)})
            continue
        methods.append(method)
        for name in key.relationships:
            refs[name].append(method["id"])

    contexts: list[Any] = [DID_CONTEXT]
    for method in methods:
        suite = KEY_TYPE_CONTEXTS[method["type"]]
        if suite not in contexts:
            contexts.append(suite)
    inline: dict[str, Any] = dict(TRUST_LEDGER_CONTEXT)
    services = []
    for service_id, service in state.services.items():
        written, iri = service_type_value(service.type, contexts)
        if iri is not None:
            inline[written] = iri
        services.append(
            {"id": did_url(did, service_id), "type": written, "serviceEndpoint": service.endpoint}
        )
    if services:  # the DID context defines it only inside `service`, not in a dereferenced service
        inline["serviceEndpoint"] = SERVICE_ENDPOINT_TERM
    contexts.append(inline)

    document: dict[str, Any] = {"@context": contexts, "id": did, "controller": did}
    also = name_urn(state.name)
    if also:
        document["alsoKnownAs"] = [also]
    if methods:
        document["verificationMethod"] = methods
    for name in RELATIONSHIPS:
        if refs[name]:
            document[name] = refs[name]
    if services:
        document["service"] = services
    document[TRUST_LEDGER_TERM] = trust_facts(version, effective, unusable)
    return document


def as_representation(document: dict[str, Any], content_type: str) -> dict[str, Any]:
    """The document for a media type: plain JSON (`application/did+json`) drops `@context`."""
    if content_type == "application/did+json":
        return {k: v for k, v in document.items() if k != "@context"}
    return document


def find_resource(document: dict[str, Any], fragment: str) -> dict[str, Any] | None:
    """The verification method or service whose id is `#fragment` in `document`."""
    did = document.get("id", "")
    wanted = {f"{did}#{fragment}", f"#{fragment}"}
    for method in document.get("verificationMethod", []):
        if isinstance(method, dict) and method.get("id") in wanted:
            return method
    for name in RELATIONSHIPS:
        for entry in document.get(name, []):
            if isinstance(entry, dict) and entry.get("id") in wanted:
                return entry
    for service in document.get("service", []):
        if isinstance(service, dict) and service.get("id") in wanted:
            return service
    return None


def sanitize_foreign(document: dict[str, Any]) -> dict[str, Any]:
    """A document from another resolver with every embedded `publicKeyJwk` reduced to public members."""
    cleaned = copy.deepcopy(document)

    def clean(method: Any) -> None:
        if isinstance(method, dict) and "publicKeyJwk" in method:
            try:
                method["publicKeyJwk"] = public_jwk(method["publicKeyJwk"])
            except KeyMaterialError:
                method.pop("publicKeyJwk")

    for method in cleaned.get("verificationMethod", []):
        clean(method)
    for name in RELATIONSHIPS:
        for method in cleaned.get(name, []):
            clean(method)
    return cleaned

"""FIWARE VCVerifier's trusted-issuer check, transcribed from its Go source into Python, to apply to
our TIL answers over HTTP exactly as VCVerifier does.

Read at FIWARE/VCVerifier@de891d4 (2026-05-12). Each function names the Go function it transcribes;
nothing is added. What is left out: the caches (``tirCache``, ``common.GlobalCache``), the M2M
authorization client and logging. JSONPath is PaesslerAG/jsonpath's semantics for the forms a
claim path can take here (``$``, ``.key``, ``[*]``, ``[?(@.key=="value")]``): a plain path raises on
a missing key, a path with a wildcard or filter answers the list of what matched, skipping
elements it cannot follow (``path.go`` ``plainPath.evaluatePath``, ``ambiguousPath.evaluate``;
``selector.go`` ``selectValue``, ``starSelector``, ``filterSelector``). Any other form raises
``JsonPathError``, which VCVerifier would also treat as "path does not exist": valid.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

ISSUERS_V4_PATH = "v4/issuers"  # tir/tirClient.go
ISSUERS_V3_PATH = "v3/issuers"
WILDCARD_TIL = "*"  # verifier/trustedissuer.go

# verifier/trustedissuer.go error values
ERROR_INVALID_TIL = "invalid_til_configured"
ERROR_EMPTY_TIL_LIST = "empty_til_list"
ERROR_NO_TIL_FOR_TYPE = "no_til_defined_for_credential_type"
ERROR_NO_TIL_DEFINED = "no_til_defined_for_credential_type"
ERROR_FORBIDDEN_CLAIMS = "forbidden_claim_or_value"


@dataclass(frozen=True)
class Credential:
    """What ``ValidateVC`` reads of ``common.Credential.Contents()``: ``Types``, ``Issuer.ID`` and
    ``Subject[0].CustomFields`` (the subject without ``id``)."""

    types: list[str]
    issuer: str
    subject: dict[str, Any]

    @classmethod
    def from_jwt_vc(cls, payload: Mapping[str, Any]) -> Credential:
        """From a VCDM 1.1 JWT's payload (its ``vc`` claim)."""
        vc = payload["vc"]
        issuer = vc.get("issuer", payload.get("iss"))
        subject = vc["credentialSubject"]
        subject = subject[0] if isinstance(subject, list) else subject
        return cls(
            list(vc["type"]),
            issuer["id"] if isinstance(issuer, dict) else issuer,
            {k: v for k, v in subject.items() if k != "id"},
        )


@dataclass(frozen=True)
class TrustedIssuer:
    """tir/tirClient.go ``TrustedIssuer`` / ``IssuerAttribute``."""

    did: str
    attributes: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class TirCredential:
    """tir/tirClient.go ``Credential``: ``credentialsType``, ``claims`` (``name``, ``path``,
    ``allowedValues``); ``validFor`` is decoded but never read."""

    credentials_type: str
    claims: list[dict[str, Any]]


class JsonPathError(Exception):
    """PaesslerAG/jsonpath's ``Get`` returned an error."""


# ------------------------------------------------------------------------ tir/tirClient.go


def build_url_string(address: str, path: str) -> str:
    """common/httpUtils.go ``BuildUrlString``."""
    if address.endswith("/"):
        return address + path.removeprefix("/")
    return address + path if path.startswith("/") else address + "/" + path


def _request_issuer(client: httpx.Client, til_endpoint: str, did: str) -> httpx.Response | None:
    """``requestIssuer``: v4, then v3 when v4 fails or answers other than 200."""
    try:
        response = client.get(build_url_string(til_endpoint, f"{ISSUERS_V4_PATH}/{did}"))
    except httpx.HTTPError:
        response = None
    if response is not None and response.status_code == 200:
        return response
    try:
        return client.get(build_url_string(til_endpoint, f"{ISSUERS_V3_PATH}/{did}"))
    except httpx.HTTPError:
        return None


def _parse_tir_response(response: httpx.Response) -> TrustedIssuer:
    """``parseTirResponse`` (json.Decoder into ``TrustedIssuer``: unknown members are ignored,
    a member of the wrong JSON type is an error)."""
    body = json.loads(response.content)
    if not isinstance(body, dict):
        raise ValueError("not an object")
    did = body.get("did", "")
    attributes = body.get("attributes") or []
    if not isinstance(did, str) or not isinstance(attributes, list):
        raise ValueError("did or attributes of the wrong type")
    parsed = []
    for attribute in attributes:
        if not isinstance(attribute, dict):
            raise ValueError("an attribute is not an object")
        fields = {}
        for name in ("hash", "body", "issuerType", "tao", "rootTao"):
            value = attribute.get(name, "")
            if not isinstance(value, str):
                raise ValueError(f"attribute {name} is not a string")
            fields[name] = value
        parsed.append(fields)
    return TrustedIssuer(did, parsed)


def get_trusted_issuer(til_endpoints: Sequence[str], did: str) -> tuple[bool, TrustedIssuer | None]:
    """``TirHttpClient.GetTrustedIssuer``: the first endpoint answering 200 with a parsable body."""
    with httpx.Client(timeout=30) as client:
        for endpoint in til_endpoints:
            response = _request_issuer(client, endpoint, did)
            if response is None or response.status_code != 200:
                continue  # "Issuer %s is not known at %s."
            try:
                return True, _parse_tir_response(response)
            except ValueError:
                continue
    return False, None


# ------------------------------------------------------------------------ verifier/trustedissuer.go


def validate_vc(credential: Credential, til: Mapping[str, list[str]]) -> tuple[bool, str | None]:
    """``TrustedIssuerValidationService.ValidateVC``; `til` is the validation context's
    ``GetTrustedIssuersLists()`` (credential type -> TIL endpoints). (result, error)."""
    if not any(len(lists) > 0 for lists in til.values()):
        return False, ERROR_EMPTY_TIL_LIST
    for credential_type in credential.types:
        is_wildcard, error = is_wildcard_til(til.get(credential_type, []))
        if is_wildcard:
            continue
        if error:
            return False, error
        if credential_type not in til:
            return False, ERROR_NO_TIL_FOR_TYPE
        exists, trusted_issuer = get_trusted_issuer(til[credential_type], credential.issuer)
        if not exists or trusted_issuer is None:
            return False, ERROR_NO_TIL_DEFINED
        try:
            credentials = parse_attributes(trusted_issuer)
        except ValueError as parse_error:
            return False, str(parse_error)
        result, error = verify_with_credentials_config(credential, credentials)
        if error or not result:
            return result, error
    return True, None


def is_wildcard_til(til_list: Sequence[str]) -> tuple[bool, str | None]:
    """``isWildcardTil``."""
    if len(til_list) == 1 and til_list[0] == WILDCARD_TIL:
        return True, None
    if len(til_list) > 1 and WILDCARD_TIL in til_list:
        return False, ERROR_INVALID_TIL
    return False, None


def verify_with_credentials_config(
    credential: Credential, credentials: list[TirCredential]
) -> tuple[bool, str | None]:
    """``verifyWithCredentialsConfig``: every type of the credential needs a config, and the
    subject must satisfy one config of each."""
    config_map: dict[str, list[TirCredential]] = {}
    for entry in credentials:
        config_map.setdefault(entry.credentials_type, []).append(entry)
    subject_allowed = True
    for credential_type in credential.types:
        if credential_type not in config_map:
            subject_allowed = False
            break
        subject_allowed = subject_allowed and verify_for_type(credential.subject, config_map[credential_type])
    if not subject_allowed:
        return False, ERROR_FORBIDDEN_CLAIMS
    return True, None


def verify_for_type(subject: dict[str, Any], configs: list[TirCredential]) -> bool:
    """``verifyForType``: one config whose claims all hold (legacy name-based claims are skipped
    when the subject lacks them)."""
    for config in configs:
        all_valid = True
        for claim in config.claims:
            if claim.get("path"):
                if not verify_with_json_path(subject, claim):
                    all_valid = False
                    break
            else:
                if claim.get("name") not in subject:
                    continue
                if not contains(claim.get("allowedValues") or [], subject[claim["name"]]):
                    all_valid = False
                    break
        if all_valid:
            return True
    return False


def verify_with_json_path(subject: dict[str, Any], claim: Mapping[str, Any]) -> bool:
    """``verifyWithJsonPath``: a path that does not resolve is valid."""
    allowed = claim.get("allowedValues") or []
    try:
        values = json_path_get(claim["path"], json.loads(json.dumps(subject), parse_int=float))
    except JsonPathError:
        return True
    if isinstance(values, list):
        return is_subset(values, allowed)
    if isinstance(values, dict):
        return values in [v for v in allowed if isinstance(v, dict)] if _all_maps(allowed) else False
    return any(type(v) is type(values) and v == values for v in allowed)  # slices.Contains


def _all_maps(raw: list[Any]) -> bool:
    """``toSliceOfMaps`` gives nothing at all when one allowed value is not a map."""
    return all(isinstance(item, dict) for item in raw)


def is_subset(sub: list[Any], superset: list[Any]) -> bool:
    """``isSubset`` (cmp.Equal)."""
    return all(any(_go_equal(s, v) for v in superset) for s in sub)


def _go_equal(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def contains(values: list[Any], value: Any) -> bool:
    """``contains``: compared as their JSON encodings (Go sorts map keys)."""
    wanted = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return any(json.dumps(v, sort_keys=True, separators=(",", ":")) == wanted for v in values)


def parse_attributes(trusted_issuer: TrustedIssuer) -> list[TirCredential]:
    """``parseAttributes`` / ``parseAttribute``: each body is standard Base64 of a Credential's JSON."""
    parsed = []
    for attribute in trusted_issuer.attributes:
        try:
            decoded = base64.b64decode(attribute["body"], validate=True)
        except binascii.Error:
            raise ValueError("attribute body is not base64") from None
        body = json.loads(decoded, parse_int=float)  # Go decodes every JSON number as float64
        if not isinstance(body, dict):
            raise ValueError("attribute body is not an object")
        parsed.append(TirCredential(str(body.get("credentialsType", "")), list(body.get("claims") or [])))
    return parsed


# ------------------------------------------------------------------------ PaesslerAG/jsonpath

_STEP = re.compile(
    r'\.(?P<key>[A-Za-z_][A-Za-z0-9_]*)|\[\*\]|\[\?\(@\.(?P<fkey>[A-Za-z_]\w*)=="(?P<fval>[^"\\]*)"\)\]'
)


def json_path_get(path: str, value: Any) -> Any:
    """``jsonpath.Get(path, value)`` for ``$`` followed by ``.key``, ``[*]`` and
    ``[?(@.key=="value")]`` steps."""
    if not path.startswith("$"):
        raise JsonPathError(f"unsupported path {path!r}")
    steps, position = [], 1
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            raise JsonPathError(f"unsupported path {path!r}")
        steps.append(match)
        position = match.end()
    ambiguous = any(not step.group("key") for step in steps)
    if not ambiguous:
        for step in steps:
            value = _select(value, step.group("key"))
        return value
    matches = [value]
    for step in steps:
        following = []
        for current in matches:
            if step.group("key"):
                try:
                    following.append(_select(current, step.group("key")))
                except JsonPathError:
                    continue  # an ending selector that fails drops the match
            elif step.group("fkey") is None:
                following.extend(_children(current))
            else:
                for child in _children(current):
                    if isinstance(child, dict) and child.get(step.group("fkey")) == step.group("fval"):
                        following.append(child)
        matches = following
    return matches


def _select(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        if key in value:
            return value[key]
        raise JsonPathError(f"unknown key {key}")
    raise JsonPathError(f"unsupported value type {type(value).__name__} for select")


def _children(value: Any) -> list[Any]:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return list(value.values())
    return []


def trust_context(configured: Mapping[str, list[str]], types: Sequence[str]) -> dict[str, list[str]]:
    """verifier/verifier.go ``getTrustRegistriesValidationContext``: for every type of the presented
    credential, the TIL endpoints the service configures for it (``GetTrustedIssuersLists`` answers
    an empty list for a type it does not configure)."""
    return {credential_type: list(configured.get(credential_type, [])) for credential_type in types}

"""The official TW DIW verifier's checks, transcribed to judge our credentials, lists and schemas.

Authority: moda-gov-tw/TWDIW-official-app, core-system/twdiw-vp-handler (package
gov.moda.dw.verifier.vc) and twdiw-oid4vp-handler (gov.moda.dw.verifier.oidvp). Each function
names the Java method it transcribes; the order of the checks and what each one accepts are the
Java's. What the transcription leaves out, and why:

- FutureTaskService.validateDidStatus (the issuer's DID status from the official frontend,
  ``GET <frontend>/api/did/{did}``): our trust anchor is the on-chain registry (the resolver), not
  that service, so there is nothing of ours to check there;
- the libraries' internals (danubetech verifiable-credentials-java, Authlete sd-jwt, nimbus,
  jsonschemafriend) are modelled by what they do with these inputs: JSON member reads, the
  SD-JWT digest rule, ES256 over P-256, a draft 2020-12 JSON Schema validation.

A refusal raises ``OfficialRefusal`` with the Java's code (VpException / OidvpError) and message.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import base58
import httpx
import jsonschema_rs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

JSON_ACCEPT = {"Accept": "application/json; charset=UTF-8"}
"""HttpUtils.get: the Accept header of every fetch (ContentType.APPLICATION_JSON)."""
DID_JWK_JCS_PREFIX = bytes([0xD1, 0xD6, 0x03])
"""DidUtils.extractIssuerPublicKey: the multicodec varint of jwk_jcs-pub (0xeb51)."""
EC_REQUIRED = ("crv", "kty", "x", "y")
"""nimbus ECKey.getRequiredParams (RFC 7638)."""

# VpException codes (twdiw-vp-handler vo/VpException.java), named as there
ERR_CRED_INVALID_ISSUER_DID_FORMAT = "ERR_CRED_INVALID_ISSUER_DID_FORMAT"
ERR_CRED_VALIDATE_VC_CONTENT_ERROR = "ERR_CRED_VALIDATE_VC_CONTENT_ERROR"
ERR_CRED_VALIDATE_VC_STATUS_ERROR = "ERR_CRED_VALIDATE_VC_STATUS_ERROR"
ERR_CRED_VALIDATE_VC_SCHEMA_ERROR = "ERR_CRED_VALIDATE_VC_SCHEMA_ERROR"
ERR_CRED_VALIDATE_VC_PROOF_ERROR = "ERR_CRED_VALIDATE_VC_PROOF_ERROR"
ERR_CONN_LOAD_ISSUER_PUBLIC_KEY_ERROR = "ERR_CONN_LOAD_ISSUER_PUBLIC_KEY_ERROR"
ERR_CONN_NO_MATCHED_ISSUER_PUBLIC_KEY = "ERR_CONN_NO_MATCHED_ISSUER_PUBLIC_KEY"
ERR_CONN_LOAD_ISSUER_STATUS_LIST_ERROR = "ERR_CONN_LOAD_ISSUER_STATUS_LIST_ERROR"
ERR_CONN_INVALID_ISSUER_STATUS_LIST = "ERR_CONN_INVALID_ISSUER_STATUS_LIST"
ERR_CONN_LOAD_ISSUER_SCHEMA_ERROR = "ERR_CONN_LOAD_ISSUER_SCHEMA_ERROR"
ERR_SL_VALIDATE_STATUS_LIST_CONTENT_ERROR = "ERR_SL_VALIDATE_STATUS_LIST_CONTENT_ERROR"
ERR_SL_VALIDATE_STATUS_LIST_PROOF_ERROR = "ERR_SL_VALIDATE_STATUS_LIST_PROOF_ERROR"
ERR_PRES_VALIDATE_VP_CONTENT_ERROR = "ERR_PRES_VALIDATE_VP_CONTENT_ERROR"
ERR_PRES_HOLDER_PUBLIC_KEY_INCONSISTENT = "ERR_PRES_HOLDER_PUBLIC_KEY_INCONSISTENT"
ERR_PRES_VALIDATE_VP_PROOF_ERROR = "ERR_PRES_VALIDATE_VP_PROOF_ERROR"
ID_NONCE_NOT_MATCH = "ID_NONCE_NOT_MATCH"  # OidvpError 2005


class OfficialRefusal(Exception):
    """The official verifier refuses: ``code`` names the Java constant, ``failed`` the failed checks."""

    def __init__(self, code: str, message: str, failed: list[str] | None = None):
        super().__init__(f"{code}: {message}" + (f" ({', '.join(failed)})" if failed else ""))
        self.code = code
        self.failed = failed or []


Fetch = Callable[[str], httpx.Response]


def http_fetch(url: str) -> httpx.Response:
    """HttpUtils.get as ResourceLoadService uses it: GET with the JSON Accept header."""
    return httpx.get(url, headers=JSON_ACCEPT, timeout=30)


# --- JWT plumbing (nimbus / danubetech) -----------------------------------------------------


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _jwt(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """(header, claims, signing input, signature) of a compact JWS."""
    head, body, signature = token.split(".")
    return json.loads(_b64url(head)), json.loads(_b64url(body)), f"{head}.{body}".encode(), _b64url(signature)


def _nonblank(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def verify_es256(token: str, jwk: Mapping[str, Any]) -> bool:
    """P_256_ES256_PublicKeyVerifier via ``verify_P_256_ES256`` (ECKey.parse: EC P-256 only)."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("ECKey.parse: not a P-256 EC key")
    header, _claims, signing_input, signature = _jwt(token)
    if header.get("alg") != "ES256" or len(signature) != 64:
        return False
    x, y = (int.from_bytes(_b64url(jwk[name]), "big") for name in ("x", "y"))
    key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    try:
        key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _types(vc: Mapping[str, Any]) -> list[str]:
    """danubetech JsonLDObject.getTypes: ``type`` as a list (a string is a list of one)."""
    types = vc.get("type")
    return [types] if isinstance(types, str) else [t for t in types or [] if isinstance(t, str)]


# --- DidUtils -------------------------------------------------------------------------------


def extract_did_key_jwk(did: str) -> dict[str, Any]:
    """DidUtils.extractIssuerPublicKey: ``did:key:z<base58(D1D603 + JSON of a JWK)>``."""
    parts = did.split(":")
    if len(parts) != 3:
        raise OfficialRefusal(
            ERR_CRED_INVALID_ISSUER_DID_FORMAT, "the format of DID DOES NOT match did:key:xxxxx"
        )
    multibase = parts[2]
    if not multibase.startswith("z"):
        raise OfficialRefusal(ERR_CRED_INVALID_ISSUER_DID_FORMAT, "multibase value DOES NOT start with `z`")
    try:
        raw = base58.b58decode(multibase[1:])
    except ValueError:
        raise OfficialRefusal(ERR_CRED_INVALID_ISSUER_DID_FORMAT, "fail to decode DID") from None
    if raw[:3] != DID_JWK_JCS_PREFIX:
        raise OfficialRefusal(ERR_CRED_INVALID_ISSUER_DID_FORMAT, "fail to decode DID (invalid hex data)")
    try:
        jwk = json.loads(raw[3:].decode("utf-8"))
    except ValueError:
        raise OfficialRefusal(ERR_CRED_INVALID_ISSUER_DID_FORMAT, "fail to decode DID") from None
    if not isinstance(jwk, dict) or not jwk:
        raise OfficialRefusal(ERR_CRED_INVALID_ISSUER_DID_FORMAT, "fail to decode DID")
    return jwk


def validate_cnf_and_sub(holder_jwk: Mapping[str, Any], sub: str) -> bool:
    """CredentialValidateTask.validateCnfAndSub: the sub DID's JWK and cnf.jwk have equal required
    members (nimbus JWK.getRequiredParams)."""
    did_jwk = extract_did_key_jwk(sub)
    return {k: did_jwk.get(k) for k in EC_REQUIRED} == {k: holder_jwk.get(k) for k in EC_REQUIRED}


# --- ResourceLoadService --------------------------------------------------------------------


def load_issuer_public_key(jku: str, kid: str, fetch: Fetch = http_fetch) -> dict[str, Any]:
    """ResourceLoadService.loadIssuerPublicKey: GET jku, 200 and a body; ``keys`` member; the key
    whose ``kid`` equals the header's."""
    response = fetch(jku)
    if response.status_code != 200 or not response.text.strip():
        raise OfficialRefusal(
            ERR_CONN_LOAD_ISSUER_PUBLIC_KEY_ERROR, f"({response.status_code}, {response.text})"
        )
    keys = response.json().get("keys")
    if not keys:
        raise OfficialRefusal("ERR_CONN_INVALID_ISSUER_PUBLIC_KEY", "invalid issuer's public key")
    for key in keys:
        if kid == key.get("kid"):
            return key
    raise OfficialRefusal(ERR_CONN_NO_MATCHED_ISSUER_PUBLIC_KEY, "no matched issuer's public key")


def load_status_list(url: str, fetch: Fetch = http_fetch) -> str:
    """ResourceLoadService.loadStatusList: GET, 200 and a body; StatusListResponseDTO reads the
    ``statusList`` member of a JSON object (unknown members ignored)."""
    response = fetch(url)
    if response.status_code != 200 or not response.text.strip():
        raise OfficialRefusal(
            ERR_CONN_LOAD_ISSUER_STATUS_LIST_ERROR, f"({response.status_code}, {response.text})"
        )
    try:
        body = json.loads(response.text)
    except ValueError:
        body = None  # JsonUtils.jsToVo logs and answers null
    status_list = body.get("statusList") if isinstance(body, dict) else None
    if not _nonblank(status_list):
        raise OfficialRefusal(ERR_CONN_INVALID_ISSUER_STATUS_LIST, "invalid issuer's status list")
    return status_list


def load_schema(url: str, fetch: Fetch = http_fetch) -> str:
    """ResourceLoadService.loadSchema: GET, 200 and a body."""
    response = fetch(url)
    if response.status_code != 200 or not response.text.strip():
        raise OfficialRefusal(ERR_CONN_LOAD_ISSUER_SCHEMA_ERROR, f"({response.status_code}, {response.text})")
    return response.text


# --- the status list (StatusListCheckTask, StatusListValidateTask, ZipUtils) ----------------


def gzip_uncompress(encoded: str) -> bytes:
    """ZipUtils.gzipUncompress: java.util.Base64.getDecoder() (the basic alphabet only; padding
    optional), then GZIP if the bytes start with its magic, else the bytes themselves."""
    if "-" in encoded or "_" in encoded:
        raise ValueError("Illegal base64 character (Base64.getDecoder)")
    try:
        stripped = encoded.rstrip("=")
        data = base64.b64decode(stripped + "=" * (-len(stripped) % 4), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"Base64.getDecoder: {exc}") from None
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def check_from_encoded_list(index: int, encoded_list: str) -> bool:
    """StatusListCheckTask.checkFromEncodedList: bit ``index`` MSB-first; set means not valid."""
    bits = gzip_uncompress(encoded_list)
    return not bits[index // 8] & (0x80 >> (index % 8))


@dataclass(frozen=True)
class StatusListContent:
    encoded_list: str | None
    status_purpose: str
    jku: str | None
    kid: str | None
    failed: list[str]


def validate_status_list_content(token: str, now: float) -> StatusListContent:
    """StatusListValidateTask.validateJwtContent: header typ, jku, kid; claims iss, sub, jti, nbf
    before now, exp after now, nonce; ``vc`` with StatusList2021Credential among >= 2 types and a
    non-empty ``credentialSubject.encodedList``."""
    header, claims, _, _ = _jwt(token)
    failed = [name for name in ("typ", "jku", "kid") if not _nonblank(header.get(name))]
    failed += [name for name in ("iss", "sub", "jti") if not _nonblank(claims.get(name))]
    if not (isinstance(claims.get("nbf"), int | float) and claims["nbf"] < now):
        failed.append("nbf")
    if not (isinstance(claims.get("exp"), int | float) and claims["exp"] > now):
        failed.append("exp")
    if not _nonblank(claims.get("nonce")):
        failed.append("nonce")
    vc = claims.get("vc")
    encoded, purpose = None, ""
    if isinstance(vc, dict) and vc:
        types = _types(vc)
        if not (len(types) >= 2 and "StatusList2021Credential" in types):
            failed.append("vc.type")
        subject = vc.get("credentialSubject") if isinstance(vc.get("credentialSubject"), dict) else {}
        encoded = subject.get("encodedList")
        if not (isinstance(encoded, str) and encoded):
            failed.append("vc.credentialSubject.encodedList")
        purpose = subject.get("statusPurpose") or ""
    else:
        failed.append("vc")
    return StatusListContent(encoded, purpose, header.get("jku"), header.get("kid"), failed)


def check_status(index: int, status_list: str, fetch: Fetch = http_fetch, now: float | None = None) -> bool:
    """StatusListCheckTask.validate: the list's content, its signature by the key its own jku and
    kid name, then the bit (True: valid). Any failure is ERR_CRED_VALIDATE_VC_STATUS_ERROR."""
    at = time.time() if now is None else now
    try:
        content = validate_status_list_content(status_list, at)
        if content.failed or not content.encoded_list or content.jku is None or content.kid is None:
            raise OfficialRefusal(
                ERR_SL_VALIDATE_STATUS_LIST_CONTENT_ERROR, "status list content", content.failed
            )
        key = load_issuer_public_key(content.jku, content.kid, fetch)
        if not verify_es256(status_list, key):
            raise OfficialRefusal(
                ERR_SL_VALIDATE_STATUS_LIST_PROOF_ERROR, "fail to validate status list proof"
            )
        return check_from_encoded_list(index, content.encoded_list)
    except OfficialRefusal as refusal:
        raise OfficialRefusal(ERR_CRED_VALIDATE_VC_STATUS_ERROR, str(refusal), refusal.failed) from None
    except Exception as exc:
        raise OfficialRefusal(
            ERR_CRED_VALIDATE_VC_STATUS_ERROR, f"fail to check from status list: {exc}"
        ) from None


# --- the credential (PresentationServiceAsync.validateVC, CredentialValidateTask) -----------


def _decode_sd(obj: Mapping[str, Any], disclosures: list[str]) -> dict[str, Any]:
    """Authlete SDObjectDecoder.decode on credentialSubject: ``_sd`` digests (SHA-256 of the
    disclosure string, base64url) replaced by the disclosed name/value; ``_sd_alg`` dropped."""
    by_digest = {
        base64.urlsafe_b64encode(hashlib.sha256(d.encode()).digest()).rstrip(b"=").decode(): json.loads(
            _b64url(d)
        )
        for d in disclosures
    }
    out = {k: v for k, v in obj.items() if k not in ("_sd", "_sd_alg")}
    for digest in obj.get("_sd", []):
        found = by_digest.get(digest)
        if found is not None and len(found) == 3:
            out[found[1]] = found[2]
    return out


def _status_infos(vc: Mapping[str, Any]) -> list[tuple[str, int, str]]:
    """CredentialValidateTask.extractStatusList: an object or an array of entries; Jackson's
    ``asText("")`` and ``asInt(-1)`` (a numeric string reads as its number); StatusListInfo refuses
    an empty URL or a negative index."""
    status = vc.get("credentialStatus")
    if status is None:
        raise ValueError("parse vc error, can not get credentialStatus.")
    entries = [status] if isinstance(status, dict) else status if isinstance(status, list) else None
    if entries is None:
        raise ValueError("invalid credentialStatus json format(not json or json array).")
    infos = []
    for entry in entries:
        url, raw_index = entry.get("statusListCredential"), entry.get("statusListIndex")
        url = url if isinstance(url, str) else ""
        if isinstance(raw_index, bool):
            index = -1
        elif isinstance(raw_index, int):
            index = raw_index
        elif isinstance(raw_index, str) and raw_index.strip().lstrip("-").isdigit():
            index = int(raw_index.strip())
        else:
            index = -1
        if not url:
            raise ValueError("statusListCredential must not be empty.")
        if index < 0:
            raise ValueError("statusListIndex must be positive.")
        infos.append((url, index, entry.get("statusPurpose") or ""))
    return infos


@dataclass(frozen=True)
class VcData:
    """PresentationValidationResponseDTO.VcData: what validateVC hands back."""

    holder_public_key: dict[str, Any]
    credential: dict[str, Any]
    sub: str
    statuses: list[tuple[str, bool]]


def validate_vc_content(credential: str, now: float) -> tuple[list[str], dict[str, Any]]:
    """CredentialValidateTask.validateJwtContent: the failed checks and the reconstructed vc."""
    jwt, *disclosures = credential.split("~")
    disclosures = [d for d in disclosures if d]
    header, claims, _, _ = _jwt(jwt)
    failed = [name for name in ("typ", "jku", "kid") if not _nonblank(header.get(name))]
    failed += [name for name in ("iss", "sub", "jti") if not _nonblank(claims.get(name))]
    if not (isinstance(claims.get("nbf"), int | float) and claims["nbf"] < now):
        failed.append("nbf")
    if not (isinstance(claims.get("exp"), int | float) and claims["exp"] > now):
        failed.append("exp")
    if not _nonblank(claims.get("nonce")):
        failed.append("nonce")
    cnf = claims.get("cnf")
    holder = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not (isinstance(holder, dict) and holder):
        failed.append("cnf")
    elif not failed:
        try:
            if not validate_cnf_and_sub(holder, claims["sub"]):
                failed.append("cnf & sub")
        except OfficialRefusal:
            failed.append("cnf & sub")
    vc = claims.get("vc")
    rebuilt: dict[str, Any] = {}
    if isinstance(vc, dict) and vc:
        # VcFromJwtConverter.fromJwtVerifiableCredential, then CredentialUtils.reconstructVc
        rebuilt = {k: v for k, v in vc.items() if k != "credentialSubject"}
        rebuilt.setdefault("id", claims.get("jti"))
        rebuilt.setdefault("issuer", claims.get("iss"))
        subject = vc.get("credentialSubject") if isinstance(vc.get("credentialSubject"), dict) else {}
        subject = {"id": claims.get("sub"), **subject} if "id" not in subject else dict(subject)
        rebuilt["credentialSubject"] = _decode_sd(subject, disclosures)
        types = _types(rebuilt)
        if not (len(types) >= 2 and "VerifiableCredential" in types):
            failed.append("vc.type")
        try:
            _status_infos(rebuilt)
        except ValueError:
            failed.append("vc.credentialStatus")
        schema = rebuilt.get("credentialSchema")
        if not (isinstance(schema, dict) and isinstance(schema.get("id"), str)):
            failed.append("vc.credentialSchema.id")
    else:
        failed.append("vc")
    return failed, rebuilt


def validate_vc(credential: str, fetch: Fetch = http_fetch, now: float | None = None) -> VcData:
    """PresentationServiceAsync.validateVC: iss; the content; every status list; the schema; the
    proof (the key from a jwk_jcs-pub did:key iss, else from jku by kid). (The issuer's DID status
    at the official frontend is not checked: see the module docstring.)"""
    at = time.time() if now is None else now
    jwt = credential.split("~")[0]
    header, claims, _, _ = _jwt(jwt)
    if not _nonblank(claims.get("iss")):
        raise OfficialRefusal(ERR_CRED_INVALID_ISSUER_DID_FORMAT, "issuer's DID is null or empty")
    failed, vc = validate_vc_content(credential, at)
    if failed:
        raise OfficialRefusal(ERR_CRED_VALIDATE_VC_CONTENT_ERROR, "fail to validate vc content", failed)
    statuses = []
    for url, index, purpose in _status_infos(vc):  # StatusListCheckTask for each entry
        valid = check_status(index, load_status_list(url, fetch), fetch, now)  # its own new Date()
        statuses.append((purpose, valid))
    if not all(valid for _, valid in statuses):
        raise OfficialRefusal(ERR_CRED_VALIDATE_VC_STATUS_ERROR, f"vc status is invalid: {statuses}")
    schema = load_schema(vc["credentialSchema"]["id"], fetch)
    claims_only = {k: v for k, v in vc["credentialSubject"].items() if k not in ("id", "type")}
    try:  # SchemaCheckTask.validate -> SchemaUtils.validateBySchema (jsonschemafriend)
        valid_schema = jsonschema_rs.Draft202012Validator(json.loads(schema)).is_valid(claims_only)
    except Exception as exc:
        raise OfficialRefusal(
            ERR_CRED_VALIDATE_VC_SCHEMA_ERROR, f"fail to validate vc schema: {exc}"
        ) from None
    if not valid_schema:
        raise OfficialRefusal(ERR_CRED_VALIDATE_VC_SCHEMA_ERROR, "fail to validate vc schema")
    try:  # FutureTaskService.getIssuerPublicKey
        issuer_key = extract_did_key_jwk(claims["iss"])
    except OfficialRefusal:
        issuer_key = load_issuer_public_key(header.get("jku", ""), header.get("kid", ""), fetch)
    try:
        proof_ok = verify_es256(jwt, issuer_key)
    except ValueError as exc:
        raise OfficialRefusal(ERR_CRED_VALIDATE_VC_PROOF_ERROR, f"fail to validate vc proof: {exc}") from None
    if not proof_ok:
        raise OfficialRefusal(ERR_CRED_VALIDATE_VC_PROOF_ERROR, "fail to validate vc proof")
    return VcData(dict(claims["cnf"]["jwk"]), vc, claims["sub"], statuses)


# --- the presentation (PresentationServiceAsync.validateVP, PresentationValidateTask) -------


@dataclass(frozen=True)
class ValidatedVp:
    client_id: str
    nonce: str
    holder_did: str
    vcs: list[VcData]


def validate_vp_content(vp_jwt: str, now: float) -> tuple[list[str], dict[str, Any]]:
    """PresentationValidateTask.validateJwtContent: iss, aud[0], jti, nbf before now + 30 s, exp
    after now, nonce, and a ``vp`` whose ``verifiableCredential`` lists the credentials."""
    _, claims, _, _ = _jwt(vp_jwt)
    failed = []
    if not _nonblank(claims.get("iss")):
        failed.append("iss")
    aud = claims.get("aud")
    audience = aud if isinstance(aud, list) else [aud] if isinstance(aud, str) else []
    if not (audience and _nonblank(audience[0])):
        failed.append("aud")
    if not _nonblank(claims.get("jti")):
        failed.append("jti")
    if not (isinstance(claims.get("nbf"), int | float) and claims["nbf"] < now + 30):
        failed.append("nbf")
    if not (isinstance(claims.get("exp"), int | float) and claims["exp"] > now):
        failed.append("exp")
    if not _nonblank(claims.get("nonce")):
        failed.append("nonce")
    vp = claims.get("vp")
    if not (isinstance(vp, dict) and vp and isinstance(vp.get("verifiableCredential"), list)):
        failed.append("vp.verifiableCredential")
    return failed, claims


def validate_vp(
    vp_jwt: str, *, client_id: str, nonce: str, fetch: Fetch = http_fetch, now: float | None = None
) -> ValidatedVp:
    """validateVP (content, every credential, one holder key, the VP-JWT signed by it, one sub),
    then the oid4vp-handler's VerifierService.validateClientIdAndNonce."""
    at = time.time() if now is None else now
    failed, claims = validate_vp_content(vp_jwt, at)
    credentials = claims.get("vp", {}).get("verifiableCredential") or []
    if failed or not credentials:
        raise OfficialRefusal(ERR_PRES_VALIDATE_VP_CONTENT_ERROR, "fail to validate vp content", failed)
    vcs = [validate_vc(credential, fetch, at) for credential in credentials]
    keys = {json.dumps(vc.holder_public_key, sort_keys=True) for vc in vcs}
    if len(keys) != 1:
        raise OfficialRefusal(
            ERR_PRES_HOLDER_PUBLIC_KEY_INCONSISTENT, "holder public key is inconsistent in vc"
        )
    try:
        proof_ok = verify_es256(vp_jwt, vcs[0].holder_public_key)
    except ValueError:
        proof_ok = False
    if not proof_ok:
        raise OfficialRefusal(ERR_PRES_VALIDATE_VP_PROOF_ERROR, "fail to validate vp proof")
    subs = {vc.sub for vc in vcs}
    if len(subs) != 1:
        raise OfficialRefusal(ERR_PRES_HOLDER_PUBLIC_KEY_INCONSISTENT, "vc sub is inconsistent")
    aud = claims["aud"][0] if isinstance(claims["aud"], list) else claims["aud"]
    if aud != client_id or claims["nonce"] != nonce:
        raise OfficialRefusal(ID_NONCE_NOT_MATCH, "invalid client_id or nonce")
    return ValidatedVp(aud, claims["nonce"], subs.pop(), vcs)

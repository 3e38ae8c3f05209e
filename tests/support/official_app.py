"""The official TW DIW app's SDK, transcribed as a test client: what it sends and what it reads.

Authority: moda-gov-tw/TWDIW-official-app, APP/APPSDK/lib (Dart): did_key_gen.dart (the holder
DID), openid_vc_vp.dart (applyVCKx, decodeVC, verifyVC/checkVCValid, parseVPQrcode,
parsePresentationDefinition, generateVPKx), http_service.dart (each request: URL, headers, body,
and which members of the answer it reads), utils/utils.dart (jwtDecode, sdJwtDecode, sdJwtEncode,
bytesToBits); and the Android key module the SDK signs with (APPSDK/...-androidapp-token-sdk,
JWSCreator.kt: ``publicKeyToJwk`` writes kty, crv, x, y from ``BigInteger.toByteArray()``, so a
coordinate whose first bit is set gets a leading zero byte; ``createJWS`` base64url-encodes the
header and payload strings as given and turns the DER signature into r || s).

Each step raises ``AppFailure`` with the SDK's code ("2011".."2014" issuing, "4011"/"4021"
presenting, "1" for an exception) where the SDK would return it to the UI. Calls to the official
trust registry front end (``frontUrl``: the issuer's and the verifier's DID status) are left out:
our registry is the chain, which the app cannot ask; the tests say so where it matters.
"""

from __future__ import annotations

import base64
import gzip
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import base58
import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

DID_PREFIX_HEX = "d1d603"
"""did_key_gen.dart generateDidFromJwk: the multicodec prefix written before the JWK's bytes."""
CLIENT_ID = "moda_dw"
"""http_service.dart getAccessToken: the token request's client_id; the proof's iss."""
TIMEOUT = 10
"""HttpService.delayTime: every request times out after 10 s."""


class AppFailure(Exception):
    """The SDK returns ``{"code": code, "message": ...}`` to the app instead of going on."""

    def __init__(self, code: str, message: Any):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _java_biginteger_bytes(value: int) -> bytes:
    """``BigInteger.toByteArray()``: the minimal two's-complement big-endian bytes."""
    return value.to_bytes(value.bit_length() // 8 + 1, "big")


def json_encode(value: Any) -> str:
    """Dart's ``jsonEncode``: compact, members in insertion order, non-ASCII as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def jwt_decode(token: str) -> dict[str, Any]:
    """utils.dart jwtDecode (dart_jsonwebtoken ``JWT.decode``): the payload, unverified."""
    return json.loads(_b64url_decode(token.split(".")[1]))


@dataclass
class AppHolder:
    """The app's key (the KX module's P-256 key) and its DID document (``didFile``)."""

    key: ec.EllipticCurvePrivateKey
    jwk_text: str
    did: str
    did_file: str

    @classmethod
    def generate(cls, *, x_bytes: int | None = None) -> AppHolder:
        """A fresh key, as generateKeyKx + generateDID make it. ``x_bytes`` picks a key whose JWK x
        is that long: 33 (its first bit set: Java's sign byte), 32, or 31 (its first byte zero)."""
        while True:
            key = ec.generate_private_key(ec.SECP256R1())
            numbers = key.public_key().public_numbers()
            if x_bytes is None or len(_java_biginteger_bytes(numbers.x)) == x_bytes:
                break
        # JWSCreator.publicKeyToJwk: org.json keeps insertion order on Android
        jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64url(_java_biginteger_bytes(numbers.x)),
            "y": _b64url(_java_biginteger_bytes(numbers.y)),
        }
        jwk_text = json.dumps(jwk, separators=(",", ":"))
        # generateDidFromJwk: hex(utf8(jwk)) behind d1d603, base58, "z"
        identifier = "z" + base58.b58encode(bytes.fromhex(DID_PREFIX_HEX) + jwk_text.encode()).decode()
        did = f"did:key:{identifier}"
        document = {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
            "id": did,
            "verificationMethod": [
                {
                    "id": f"{did}#{identifier}",
                    "type": "JsonWebKey2020",
                    "controller": did,
                    "publicKeyJwk": json.loads(jwk_text),
                }
            ],
        }
        return cls(key, jwk_text, did, json_encode(document))

    @property
    def public_jwk(self) -> dict[str, Any]:
        return json.loads(self.did_file)["verificationMethod"][0]["publicKeyJwk"]

    def sign(self, header: dict[str, Any], payload: dict[str, Any]) -> str:
        """kxPlatform 'sign' (JWSCreator.createJWS): base64url of the two JSON strings, ES256 r || s."""
        signing_input = f"{_b64url(json_encode(header).encode())}.{_b64url(json_encode(payload).encode())}"
        der = self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


@dataclass
class AppCredential:
    """What applyVCKx hands the app: the credential and the metadata it was issued under."""

    credential: str
    definition: dict[str, Any]
    metadata: dict[str, Any]


@dataclass
class Traffic:
    """Every request the app sent, for the tests to look at."""

    requests: list[httpx.Request] = field(default_factory=list)


class OfficialApp:
    """The SDK's calls, in its order, over real HTTP."""

    def __init__(self, holder: AppHolder | None = None):
        self.holder = holder or AppHolder.generate()
        self.traffic = Traffic()
        self.http = httpx.Client(timeout=TIMEOUT, event_hooks={"request": [self.traffic.requests.append]})

    def close(self) -> None:
        self.http.close()

    # --- issuance: applyVCKx ------------------------------------------------------------------

    def apply_vc(self, qr_code: str, tx_code: str = "") -> AppCredential:
        """openid_vc_vp.dart applyVCKx(didFile, qrCode, txCode): offer -> metadata -> token -> credential."""
        decoded = unquote(qr_code.split("credential_offer_uri=")[1])  # Uri.decodeFull
        offer = self._credential_object(decoded)  # dwissuer-oidvci-101i
        url, config_id = offer["applyVCUrl"], offer["credential_configuration_ids"][0]
        metadata = self._metadata(url)  # dwissuer-oidvci-102i
        definition = metadata["credential_configurations_supported"][config_id]  # 103i
        token = self._access_token(url, offer["pre-authorized_code"], config_id, tx_code)  # 104i
        did_map = json.loads(self.holder.did_file)
        proof = self.holder.sign(
            {"alg": "ES256", "typ": "openid4vci-proof+jwt", "kid": did_map["id"]},
            {"iss": CLIENT_ID, "aud": url, "iat": int(time.time()), "nonce": token["c_nonce"]},
        )
        credential = self._vc(url, token["access_token"], config_id, proof)  # 105i
        return AppCredential(credential, definition, metadata)

    def _credential_object(self, url: str) -> dict[str, Any]:
        """http_service.dart getCredentialObject: GET the offer; read the grant's code, the
        configuration ids and ``credential_issuer`` (the base of every later URL)."""
        response = self.http.get(url)
        data = response.json()
        if response.status_code != 200:
            raise AppFailure("2011", data.get("resp_code") or str(response.status_code))
        return {
            "pre-authorized_code": data["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"][
                "pre-authorized_code"
            ],
            "credential_configuration_ids": data["credential_configuration_ids"],
            "applyVCUrl": data["credential_issuer"],
        }

    def _metadata(self, url: str) -> dict[str, Any]:
        """getCredentialMetadata: ``'$url.well-known/openid-credential-issuer'`` (plain concatenation)."""
        response = self.http.get(f"{url}.well-known/openid-credential-issuer")
        data = json.loads(response.content.decode("utf-8"))
        if response.status_code != 200:
            raise AppFailure("2012", data.get("resp_code") or str(response.status_code))
        return data

    def _access_token(self, url: str, code: str, config_id: str, tx_code: str) -> dict[str, Any]:
        """getAccessToken: ``'${url}token'``, a form with client_id, authorization_details (a JSON
        string written by hand) and tx_code (empty when the offer has none); reads access_token
        and c_nonce."""
        response = self.http.post(
            f"{url}token",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                "client_id": CLIENT_ID,
                "pre-authorized_code": code,
                "authorization_details": (
                    f'[{{"type": "openid_credential", "credential_configuration_id": "{config_id}"}}]'
                ),
                "tx_code": tx_code,
            },
        )
        data = response.json()
        if response.status_code != 200:
            raise AppFailure("2013", data.get("resp_code") or str(response.status_code))
        return {"access_token": data["access_token"], "c_nonce": data.get("c_nonce")}

    def _vc(self, url: str, access_token: str, config_id: str, proof: str) -> str:
        """getVC: ``'${url}credential'``, ``credential_identifier`` = the configuration id,
        ``proofs.jwt``; reads ``credential`` (singular)."""
        response = self.http.post(
            f"{url}credential",
            headers={"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"},
            content=json_encode({"credential_identifier": config_id, "proofs": {"jwt": [proof]}}),
        )
        data = response.json()
        if response.status_code != 200:
            raise AppFailure("2014", data.get("resp_code") or str(response.status_code))
        if data.get("credential") is None:
            raise AppFailure("1", "the credential response has no `credential`")
        return data["credential"]

    # --- the card: decodeVC, verifyVC -------------------------------------------------------------

    @staticmethod
    def decode_vc(token: str) -> dict[str, Any]:
        """decodeVC: the payload with ``vc.credentialSubject.field`` = sdJwtDecode (an exception,
        e.g. no ``vc.credentialSubject``, is code "1")."""
        try:
            payload = jwt_decode(token)
            payload["vc"]["credentialSubject"]["field"] = sd_jwt_decode(token)
        except (KeyError, TypeError, ValueError) as exc:
            raise AppFailure("1", repr(exc)) from None
        return payload

    def check_vc_valid(self, token: str) -> bool:
        """verifyVC's status part (checkVCValid per ``credentialStatus`` entry) and its holder and
        expiry flags; the issuer's trust and signature come from the official front end (left out)."""
        payload = jwt_decode(token)
        statuses = payload["vc"]["credentialStatus"]
        entries = [statuses] if isinstance(statuses, dict) else statuses
        valid = all(self._status_valid(entry) for entry in entries)
        holder = payload["sub"] == json.loads(self.holder.did_file)["id"]
        return valid and holder and int(time.time()) < payload["exp"]

    def _status_valid(self, entry: dict[str, Any]) -> bool:
        """getVCList (GET, reads ``statusList``), then checkVCValid: base64.decode of encodedList,
        GZip, bits MSB-first, ``int.parse(statusListIndex)`` (a string: an int is a TypeError)."""
        response = self.http.get(entry["statusListCredential"])
        if response.status_code != 200:
            raise AppFailure("2", str(response.status_code))
        list_payload = jwt_decode(response.json()["statusList"])
        encoded = list_payload["vc"]["credentialSubject"]["encodedList"]
        bits = gzip.decompress(_dart_base64_decode(encoded))
        index = entry["statusListIndex"]
        if not isinstance(index, str):
            raise AppFailure("1", "type 'int' is not a subtype of type 'String' (int.parse)")
        i = int(index)
        return (bits[i // 8] >> (7 - i % 8)) & 1 == 0

    # --- presentation: parseVPQrcode, generateVPKx --------------------------------------------

    def parse_vp_qrcode(self, qr_code: str) -> tuple[str, list[dict[str, Any]]]:
        """parseVPQrcode: GET the request_uri, the body is the request object; its cards."""
        request_uri = unquote(qr_code.split("request_uri=")[1].split("&")[0])
        response = self.http.get(request_uri)
        if response.status_code != 200:
            data = response.json()
            raise AppFailure("4011", data.get("code") or str(response.status_code))
        token = response.text
        return token, parse_presentation_definition(jwt_decode(token))

    def generate_vp(
        self, request_token: str, vcs: list[dict[str, Any]], custom_data: str = ""
    ) -> tuple[str, httpx.Response]:
        """generateVPKx: per card the SD-JWT with the disclosures naming its fields, one VP-JWT
        over them, a presentation_submission, and the form post to ``response_uri``; succeeds only
        on 200 with ``code == 0`` (http_service.dart sendVP). ``vcs``: {vc, field, card_id?}."""
        did_map = json.loads(self.holder.did_file)
        request = jwt_decode(request_token)
        definition = request["presentation_definition"]
        kept, descriptors = [], []
        for index, vc in enumerate(vcs):
            kept.append(sd_jwt_encode(vc["vc"], vc["field"]))
            card_id = str(vc.get("card_id") or "")
            descriptor_id = card_id or definition["input_descriptors"][index]["id"]
            descriptors.append(
                {
                    "id": descriptor_id,
                    "format": "jwt_vp",
                    "path": "$",
                    "path_nested": {
                        "id": descriptor_id,
                        "format": "jwt_vc",
                        "path": f"$.vp.verifiableCredential[{index}]",
                    },
                }
            )
        header = {"typ": "JWT", "alg": "ES256", "jwk": did_map["verificationMethod"][0]["publicKeyJwk"]}
        now = int(time.time())
        payload = {
            "sub": did_map["id"],
            "aud": request["client_id"],
            "iss": did_map["id"],
            "nbf": now,
            "vp": {
                "context": ["https://www.w3.org/2018/credentials/v1"],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": kept,
            },
            "exp": now + 30 * 86_400,
            "nonce": request["nonce"],
            "jti": f"https://digitalwallet.moda:8443/vp/api/presentation/{uuid.uuid4()}",
        }
        vp_token = self.holder.sign(header, payload)
        submission = {
            "id": str(uuid.uuid4()),
            "definition_id": definition["id"],
            "descriptor_map": descriptors,
        }
        form = {
            "state": request["state"],
            "vp_token": vp_token,
            "presentation_submission": json_encode(submission),
        }
        if custom_data:
            form["custom_data"] = self.holder.sign(header, json.loads(custom_data))
        response = self.http.post(
            request["response_uri"], headers={"Content-Type": "application/x-www-form-urlencoded"}, data=form
        )
        if response.status_code != 200:
            raise AppFailure("4021", str(response.status_code))
        data = response.json()
        if data.get("code") != 0:
            raise AppFailure("4021", data.get("code"))
        return vp_token, response


def parse_presentation_definition(request: dict[str, Any]) -> list[dict[str, Any]]:
    """openid_vc_vp.dart parsePresentationDefinition: per submission requirement the cards of its
    group (``fields[0].filter.contains.const`` is the card, the other paths name the fields after
    ``credentialSubject.``); without requirements, one request of all cards."""
    definition = request["presentation_definition"]

    def card(vc: dict[str, Any], with_id: bool) -> dict[str, Any]:
        fields = vc["constraints"]["fields"]
        entry: dict[str, Any] = {"card": fields[0]["filter"]["contains"]["const"]}
        if with_id:
            entry["card_id"] = vc["id"]
        entry["name"] = vc["name"]
        entry["fields"] = [
            parts[1] for f in fields[1:] if len(parts := f["path"][0].split("credentialSubject.")) > 1
        ]
        return entry

    if "submission_requirements" in definition:
        return [
            {
                "name": req["name"],
                "group": req["from"],
                "rule": req["rule"],
                "count": req.get("count"),
                "max": req.get("max"),
                "cards": [
                    card(vc, True) for vc in definition["input_descriptors"] if req["from"] in vc["group"]
                ],
            }
            for req in definition["submission_requirements"]
        ]
    return [{"cards": [card(vc, False) for vc in definition["input_descriptors"]]}]


def _dart_base64_decode(text: str) -> bytes:
    """Dart's ``base64.decode``: either alphabet, padding as written."""
    normalised = text.replace("-", "+").replace("_", "/")
    if len(normalised) % 4:
        raise AppFailure("1", "FormatException: Invalid length (base64.decode)")
    return base64.b64decode(normalised, validate=True)


def sd_jwt_decode(token: str) -> dict[str, Any]:
    """utils.dart sdJwtDecode: each disclosure ``[salt, name, value]`` read as a list of strings
    (``List<String>.from``: a value that is not a string makes it answer code 1)."""
    parts = token.split(".")
    if len(parts) != 3:
        return {"code": 999, "message": "not a JWT"}
    result: dict[str, Any] = {}
    for part in parts[2].split("~")[1:]:
        if not part:
            continue
        try:
            decoded = json.loads(_dart_base64_decode(part + "=" * (-len(part) % 4)).decode("utf-8"))
            if not all(isinstance(item, str) for item in decoded):
                raise TypeError("List<String>.from: a disclosure member is not a String")
        except (AppFailure, TypeError, ValueError):
            return {"code": 1, "data": {}}
        if len(decoded) == 3:
            result[decoded[1]] = decoded[2]
    return {"code": 0, "data": result}


def sd_jwt_encode(token: str, fields: list[str]) -> str:
    """utils.dart sdJwtEncode: ``jwt~`` then every disclosure whose decoded JSON *contains* a field
    name (a substring test; a disclosure matching two fields is added twice, as the Dart does)."""
    parts = token.split(".")
    sd_parts = parts[2].split("~")
    result = f"{parts[0]}.{parts[1]}.{sd_parts[0]}~"
    for part in sd_parts[1:]:
        if not part:
            continue
        decoded = base64.b64decode(part.replace("-", "+").replace("_", "/") + "=" * (-len(part) % 4)).decode()
        for name in fields:
            if name in decoded:
                result += part + "~"
    return result

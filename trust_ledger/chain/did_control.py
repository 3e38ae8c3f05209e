"""Proof of control of a DID at registration (issue 14 item 4), as contracts/src/DidControl.sol decides it.

A registration's child proves it consents to exactly that registration by signing, or for did:web
publishing, its EIP-712 digest (``registration_digest``: registry, chain id, parent, label, DID,
controller, expiry), so a proof made for one parent cannot register the DID under another:

- ``secp256k1`` (did:ethr with an address, did:pkh:eip155): a 65-byte (r, s, v) signature of the
  digest by the DID's account, checked on chain (ecrecover);
- ``signature`` (did:key, did:jwk, did:ethr with a public key, other did:pkh): a signature the EVM
  cannot check everywhere, so the registering tool and the parent check it (``check_signature``),
  the contract records it and the follower checks it again: Ed25519 (64 bytes), P-256 and secp256k1
  ECDSA over SHA-256 of the digest (ES256 / ES256K, r || s, 64 bytes), and for did:ethr with a public
  key a 65-byte recoverable secp256k1 signature of the digest itself;
- ``webChallenge`` (did:web): the digest, published as a line of hex at ``challenge_url(did)``,
  fetched by the registering tool; the contract checks it is this registration's digest;
- ``none`` (every other method): nothing to prove; the parent vouches.

Pure functions, no I/O: the CLI fetches a did:web challenge, the follower only verifies.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from eth_abi import encode as abi_encode
from eth_keys import keys
from eth_keys.exceptions import BadSignature, ValidationError
from eth_utils import keccak

from trust_ledger.codecs import (
    JWK_JCS_PUB,
    b64url_decode,
    jwk_from_jcs,
    multibase_decode,
    split_key_multicodec,
)

NONE, SECP256K1, SIGNATURE, WEB_CHALLENGE = "none", "secp256k1", "signature", "webChallenge"
PROOF_KINDS = (NONE, SECP256K1, SIGNATURE, WEB_CHALLENGE)
"""ITrustRegistry.DidProofKind, by value."""

MAX_PROOF_LENGTH = 512
CHALLENGE_FILE = "trust-ledger-registration.txt"

_DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
_REGISTRATION_TYPE = "Registration(bytes32 parent,string label,string did,address controller,uint64 expiry)"
_WEB_DID = re.compile(
    r"did:web:(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?:%3[aA](?P<port>[0-9]{1,5}))?"
    r"(?P<path>(?::[A-Za-z0-9._~-]+)*)"
)
"""A did:web whose URL cannot be read two ways: a host name, an optional port, plain path segments."""
_ADDRESS_TAIL = re.compile(r":(0[xX][0-9a-fA-F]{40})\Z")
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def proof_kind(did: str) -> tuple[str, str | None]:
    """The proof `did`'s method allows and, for secp256k1, the 0x address that must sign."""
    if did.startswith(("did:ethr:", "did:pkh:eip155:")):
        match = _ADDRESS_TAIL.search(did)
        return (SECP256K1, match.group(1)) if match else (SIGNATURE, None)
    if did.startswith(("did:key:", "did:jwk:", "did:pkh:")):
        return SIGNATURE, None
    if did.startswith("did:web:"):
        return WEB_CHALLENGE, None
    return NONE, None


def registration_digest(
    chain_id: int, registry: str, parent: str, label: str, did: str, controller: str, expiry: int
) -> bytes:
    """TrustRegistry.registrationDigest, computed off chain."""
    domain = keccak(
        abi_encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [keccak(text=_DOMAIN_TYPE), keccak(text="TrustRegistry"), keccak(text="1"), chain_id, registry],
        )
    )
    registration = keccak(
        abi_encode(
            ["bytes32", "bytes32", "bytes32", "bytes32", "address", "uint64"],
            [
                keccak(text=_REGISTRATION_TYPE),
                bytes.fromhex(parent.removeprefix("0x")),
                keccak(text=label),
                keccak(text=did),
                controller,
                expiry,
            ],
        )
    )
    return keccak(b"\x19\x01" + domain + registration)


# ---------------------------------------------------------------------------------- signing


def sign_secp256k1_recoverable(private_key: bytes, digest: bytes) -> bytes:
    """(r, s, v) with v 27/28 and a low s, as ecrecover and the contract take it."""
    signature = keys.PrivateKey(private_key).sign_msg_hash(digest)
    return signature.r.to_bytes(32, "big") + signature.s.to_bytes(32, "big") + bytes([27 + signature.v])


def sign_jwk(private_jwk: dict[str, Any], digest: bytes) -> bytes:
    """The proof a did:key / did:jwk holder gives: Ed25519 over the digest, or ES256 / ES256K (r || s)."""
    kty, crv = private_jwk.get("kty"), private_jwk.get("crv")
    d = b64url_decode(private_jwk["d"])
    if kty == "OKP" and crv == "Ed25519":
        return ed25519.Ed25519PrivateKey.from_private_bytes(d).sign(digest)
    curves = {"P-256": (ec.SECP256R1(), _P256_N), "secp256k1": (ec.SECP256K1(), _SECP256K1_N)}
    if kty == "EC" and crv in curves:
        curve, order = curves[crv]
        key = ec.derive_private_key(int.from_bytes(d, "big"), curve)
        r, s = decode_dss_signature(key.sign(digest, ec.ECDSA(hashes.SHA256())))
        s = min(s, order - s)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    raise ValueError(f"no proof of control for a {kty} {crv} key: use Ed25519, P-256 or secp256k1")


# ---------------------------------------------------------------------------------- checking


def check_signature(did: str, digest: bytes, proof: bytes) -> bool | None:
    """Whether `proof` is a signature of `digest` by the key `did` names (kind ``signature``); None
    when we cannot decide (a did:pkh namespace or a key type we do not read). Never raises."""
    try:
        if did.startswith("did:ethr:"):
            return _ethr_public_key(did, digest, proof)
        if did.startswith("did:key:"):
            return _verify_jwk(_did_key_jwk(did), digest, proof)
        if did.startswith("did:jwk:"):
            jwk = json.loads(b64url_decode(did[len("did:jwk:") :]).decode("utf-8"))
            return _verify_jwk(jwk, digest, proof) if isinstance(jwk, dict) else False
    except Exception:  # whatever bytes a participant registered: a verdict, never a halted follower
        return False
    return None


def check_recoverable(address: str, digest: bytes, proof: bytes) -> bool:
    """What the contract checks for ``secp256k1``: a low-s (r, s, v) signature of `digest` by `address`."""
    if len(proof) != 65 or proof[64] not in (27, 28):
        return False
    r, s = int.from_bytes(proof[:32], "big"), int.from_bytes(proof[32:64], "big")
    if s > _SECP256K1_N // 2:
        return False
    try:
        signature = keys.Signature(vrs=(proof[64] - 27, r, s))
        return (
            signature.recover_public_key_from_msg_hash(digest).to_checksum_address().lower()
            == address.lower()
        )
    except (BadSignature, ValidationError, ValueError):
        return False


def _ethr_public_key(did: str, digest: bytes, proof: bytes) -> bool | None:
    tail = did.rsplit(":", 1)[1]
    if not re.fullmatch(r"0[xX](02|03)[0-9a-fA-F]{64}", tail):
        return False
    if len(proof) != 65 or proof[64] not in (27, 28):
        return False
    signature = keys.Signature(
        vrs=(proof[64] - 27, int.from_bytes(proof[:32], "big"), int.from_bytes(proof[32:64], "big"))
    )
    recovered = signature.recover_public_key_from_msg_hash(digest)
    return recovered.to_compressed_bytes() == bytes.fromhex(tail[2:])


def _did_key_jwk(did: str) -> dict[str, Any]:
    codec, body = split_key_multicodec(multibase_decode(did[len("did:key:") :].split("#")[0]))
    if codec == JWK_JCS_PUB:
        return jwk_from_jcs(body)
    if codec.crv == "Ed25519":
        return {"kty": "OKP", "crv": "Ed25519", "x": body}
    if codec.crv in ("P-256", "secp256k1"):
        return {"kty": "EC", "crv": codec.crv, "compressed": body}
    raise ValueError(f"a {codec.name} did:key cannot sign")


def _verify_jwk(jwk: dict[str, Any], digest: bytes, proof: bytes) -> bool | None:
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        x = jwk["x"] if isinstance(jwk["x"], bytes) else b64url_decode(jwk["x"])
        try:
            ed25519.Ed25519PublicKey.from_public_bytes(x).verify(proof, digest)
        except InvalidSignature:
            return False
        return True
    curves = {"P-256": ec.SECP256R1(), "secp256k1": ec.SECP256K1()}
    if kty == "EC" and crv in curves:
        if "compressed" in jwk:
            key = ec.EllipticCurvePublicKey.from_encoded_point(curves[crv], jwk["compressed"])
        else:
            point = b"\x04" + b64url_decode(jwk["x"]) + b64url_decode(jwk["y"])
            key = ec.EllipticCurvePublicKey.from_encoded_point(curves[crv], point)
        if len(proof) != 64:
            return False
        signature = encode_dss_signature(int.from_bytes(proof[:32], "big"), int.from_bytes(proof[32:], "big"))
        try:
            key.verify(signature, digest, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True
    return None


# ---------------------------------------------------------------------------------- did:web


def challenge_url(did: str) -> str:
    """Where a did:web's domain publishes registration challenges: beside its did.json
    (``https://host/.well-known/trust-ledger-registration.txt``, or ``https://host/path/...`` for a
    did:web with a path). Always https, as did:web itself."""
    match = _WEB_DID.fullmatch(did)
    if match is None:
        raise ValueError(f"{did} is not a did:web with a domain name (and port) and a plain path")
    host, port, path = match.group("host"), match.group("port"), match.group("path")
    where = host + (f":{port}" if port else "")
    folder = path[1:].replace(":", "/") if path else ".well-known"
    return f"https://{where}/{folder}/{CHALLENGE_FILE}"


def challenge_line(digest: bytes) -> str:
    """The line a did:web domain publishes for one registration: 0x and the digest in hex."""
    return "0x" + digest.hex()


def published(text: str, digest: bytes) -> bool:
    """Whether a fetched challenge file holds this registration's line (one challenge per line)."""
    wanted = challenge_line(digest)
    return any(line.strip().lower() == wanted for line in text.splitlines())

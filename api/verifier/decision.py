"""The trust decision of DESIGN.md for one presented credential, each failure with its own reason.

In order: the presentation's signatures (issuer, with ``alg`` pinned to the registered key) and
holder binding over this request's nonce and audience; the issuer in the registry; the signing key
a valid assertion key of the issuer at issuance time; the validity period; the credential type the
query asked for; the issuer and every ancestor active now; the issuer and every ancestor below the
root accredited for the type at issuance time and for every role the credential grants; the status
bits (revocation, suspension) of lists the issuer owns. Everything is read from a ``TrustSource``,
so the same code decides online (ledger views) and offline (signed snapshot). Before any of it, the
trust data itself must be fresh (projections.trust_freshness): halted or stale data is refused with
TRUST_DATA_STALE, never answered "trusted".
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from api.credentials.claims import numeric_date
from api.credentials.dids import did_jwk, did_key_jwk
from api.credentials.errors import CredentialError, KeyUnsupported
from api.credentials.jwt_vc import verify_vp_jwt
from api.credentials.keys import ImportedJwk
from api.credentials.sd_jwt import TYP_DC_SD_JWT, TYP_VC_SD_JWT, twdiw_types, verify_sd_jwt_vc
from api.credentials.twdiw_vp import is_vp_jwt, verify_twdiw_vp
from api.status.entries import on_chain_list_uri, split_token_list_uri
from api.verifier import reasons as r
from api.verifier import twdiw
from api.verifier.config import CredentialQuery
from api.verifier.reasons import Refused
from api.verifier.trust_source import TrustSource
from projections import accreditation
from projections.accreditation import EntityRecord
from projections.records import KeyRecord
from projections.trust_freshness import FreshnessBounds
from resolver.keys import KeyMaterialError, jwk_from_hex, multibase_from_hex

ASSERTION = "assertionMethod"


@dataclass(frozen=True)
class Binding:
    """What a presentation must be bound to: the verifier's client_id and this request's nonce."""

    audience: str
    nonce: str


@dataclass(frozen=True)
class TrustedCredential:
    """A credential that passed the whole decision, with what the relying party may use."""

    query_id: str
    format: str
    credential_type: str
    issuer: str
    holder: str
    holder_jwk: dict[str, Any] | None
    claims: dict[str, Any]
    roles: list[dict[str, Any]]
    issued_at: int
    key_id: str
    status_checked: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Parsed:
    """A presentation whose signatures and binding verified, before the registry checks."""

    fmt: str
    issuer: str
    payload: dict[str, Any]
    types: list[str]
    subject: dict[str, Any]
    holder: str
    holder_jwk: dict[str, Any] | None
    status_references: list[tuple[str, int]]
    issued_at: int
    key_id: str


class TrustDecision:
    """Decides whether a presented credential is trusted, reading the registry from ``source``."""

    def __init__(
        self,
        source: TrustSource,
        *,
        clock: Callable[[], int],
        leeway: int = 60,
        kb_max_age: int = 300,
        freshness: FreshnessBounds | None = None,
        wall_clock: Callable[[], float] = time.time,
    ):
        """``clock`` is the business time credentials are judged at; ``wall_clock`` ages the trust
        data against ``freshness`` (the follower reports in wall-clock time)."""
        self.source = source
        self.clock = clock
        self.leeway = leeway
        self.kb_max_age = kb_max_age
        self.freshness = freshness or FreshnessBounds()
        self.wall_clock = wall_clock

    def verify(self, presentation: str, query: CredentialQuery, binding: Binding) -> TrustedCredential:
        """The trusted credential, or ``Refused`` with the first failing check's reason code; all
        that it reads of the source is one state of the trust data (``TrustSource.reading``)."""
        with self.source.reading():
            return self._verify(presentation, query, binding)

    def _verify(self, presentation: str, query: CredentialQuery, binding: Binding) -> TrustedCredential:
        self.require_fresh_trust_data()
        keys = _KeyLookup(self.source, self.leeway)
        try:
            parsed = self._parse(presentation, query, binding, keys)
        except CredentialError as error:
            raise Refused(error.reason, str(error)) from None
        credential_type = self._check_type(parsed, query)
        self._check_issuer_active(parsed.issuer)
        roles = _roles(parsed.subject)
        self._check_accreditation(parsed.issuer, credential_type, roles, parsed.issued_at)
        checked = self._check_status(parsed, query)
        self._check_claims(parsed, query)
        return TrustedCredential(
            query_id=query.id,
            format=parsed.fmt,
            credential_type=credential_type,
            issuer=parsed.issuer,
            holder=parsed.holder,
            holder_jwk=parsed.holder_jwk,
            claims=parsed.subject,
            roles=roles,
            issued_at=parsed.issued_at,
            key_id=parsed.key_id,
            status_checked=checked,
        )

    def require_fresh_trust_data(self) -> None:
        """``Refused`` (TRUST_DATA_STALE, naming the block, the age and any halt) unless the source's
        trust data is fresh within the bounds."""
        verdict = self.source.trust_freshness(self.freshness, self.wall_clock())
        if verdict.stale:
            raise Refused(r.TRUST_DATA_STALE, f"the trust data is stale: {verdict.reason}")

    # -- signatures, binding, validity --------------------------------------------------------

    def _parse(
        self, presentation: str, query: CredentialQuery, binding: Binding, keys: _KeyLookup
    ) -> _Parsed:
        if not isinstance(presentation, str) or not presentation:
            raise Refused("MALFORMED", "the presentation is not a string")
        now = self.clock()
        if query.format == "jwt_vc_json":
            verified = verify_vp_jwt(
                presentation,
                keys,
                audience=binding.audience,
                nonce=binding.nonce,
                now=now,
                leeway=self.leeway,
            )
            if len(verified.credentials) != 1:
                raise Refused(
                    r.QUERY_UNANSWERED, "a jwt_vc_json presentation must carry exactly one credential"
                )
            credential = verified.credentials[0]
            vc = credential.credential
            types = vc.get("type")
            return _Parsed(
                fmt=query.format,
                issuer=credential.claims["iss"],
                payload=credential.claims,
                types=[t for t in types if isinstance(t, str)] if isinstance(types, list) else [],
                subject={k: v for k, v in vc["credentialSubject"].items() if k != "id"},
                holder=verified.holder,
                holder_jwk=None,
                status_references=_w3c_references(vc.get("credentialStatus")),
                issued_at=_issued_at(credential.claims),
                key_id=keys.used[-1],
            )
        typ = TYP_VC_SD_JWT if query.format == "vc+sd-jwt" else TYP_DC_SD_JWT
        if typ == TYP_VC_SD_JWT and is_vp_jwt(presentation):  # the official TW DIW app's VP-JWT
            app_vp = verify_twdiw_vp(
                presentation,
                keys,
                audience=binding.audience,
                nonce=binding.nonce,
                now=now,
                leeway=self.leeway,
                max_age=self.kb_max_age,
            )
            index = twdiw.credential_for(query, app_vp.credentials)
            verified_sd, key_id = app_vp.credentials[index], keys.used[index]
        else:
            verified_sd = verify_sd_jwt_vc(
                presentation,
                keys,
                audience=binding.audience,
                nonce=binding.nonce,
                allowed_typs=(typ,),
                now=now,
                leeway=self.leeway,
                kb_max_age=self.kb_max_age,
            )
            key_id = keys.used[-1]
        claims = verified_sd.claims
        holder_jwk = verified_sd.holder_jwk
        holder_key = verified_sd.holder_key or holder_jwk  # imported to verify the KB-JWT
        if typ == TYP_VC_SD_JWT:  # VCDM 1.1 JWT: the credential is the vc claim
            subject = dict(claims["vc"]["credentialSubject"])
            references = _w3c_references(claims["vc"].get("credentialStatus"))
            holder = claims.get("sub") if isinstance(claims.get("sub"), str) else None
            types = twdiw_types(claims)
        else:
            subject = dict(verified_sd.disclosed)
            status = claims.get("status")
            references = (
                [(status["status_list"]["uri"], status["status_list"]["idx"])]
                if isinstance(status, dict)
                else []
            )
            holder = None
            vct = claims.get("vct")
            types = [vct] if isinstance(vct, str) else []
        return _Parsed(
            fmt=query.format,
            issuer=claims["iss"],
            payload=claims,
            types=types,
            subject=subject,
            holder=holder or (did_jwk(holder_key) if holder_key else ""),
            holder_jwk=holder_jwk,
            status_references=references,
            issued_at=_issued_at(claims),
            key_id=key_id,
        )

    # -- registry checks ----------------------------------------------------------------------

    def _check_type(self, parsed: _Parsed, query: CredentialQuery) -> str:
        if query.format == "jwt_vc_json":
            if query.type not in parsed.types:
                raise Refused(
                    r.TYPE_MISMATCH, f"the credential's types {parsed.types} do not include {query.type}"
                )
        elif not set(parsed.types) & set(query.vct_values):
            name = "type" if query.format == "vc+sd-jwt" else "vct"
            raise Refused(r.TYPE_MISMATCH, f"{name} {parsed.types[:1]} is not one of {query.vct_values}")
        return query.type

    def _check_issuer_active(self, issuer: str) -> None:
        """The issuer and every ancestor up to the root active now (projections.accreditation)."""
        refused = accreditation.status_refusal(issuer, self.source.effective_status(issuer))
        if refused is not None:
            raise Refused(refused.reason, refused.message)

    def _check_accreditation(
        self, issuer: str, credential_type: str, roles: list[dict[str, Any]], issued_at: int
    ) -> None:
        """The accreditation rule (projections.accreditation) at the issuance time: the issuer and
        every ancestor below the root accredited for the type and every role the credential grants."""
        refused = accreditation.accreditation_refusal(
            issuer,
            credential_type,
            issued_at,
            lookup=self.source.entity,
            roles=[accreditation.RoleGrant.of(grant["target"], grant["names"]) for grant in roles],
        )
        if refused is not None:
            raise Refused(refused.reason, refused.message)

    def _check_status(self, parsed: _Parsed, query: CredentialQuery) -> list[str]:
        if not parsed.status_references:
            if query.require_status:
                raise Refused(r.STATUS_MISSING, "the credential carries no status list reference")
            return []
        checked = []
        for uri, index in parsed.status_references:
            bits = self.source.status_list(parsed.issuer, on_chain_list_uri(uri))  # <list>/w3c: <list>
            pair = split_token_list_uri(uri) if bits is None else None
            if pair is not None:  # a `bits: 2` Status List Token: its two on-chain lists decide
                checked.extend(self._check_token_status(parsed.issuer, uri, index, pair))
                continue
            if bits is None:
                raise Refused(
                    r.STATUS_UNKNOWN, f"{uri} is not a status list of {parsed.issuer} in the registry"
                )
            try:
                is_set = bits.is_set(index)
            except IndexError as error:
                raise Refused(r.STATUS_UNKNOWN, str(error)) from None
            if is_set:
                reason = r.SUSPENDED if bits.purpose == "suspension" else r.REVOKED
                raise Refused(reason, f"the credential is {reason.lower()} (bit {index} of {uri})")
            checked.append(bits.purpose)
        return checked

    def _check_token_status(self, issuer: str, uri: str, index: int, pair: tuple[str, str]) -> list[str]:
        """Status in a `bits: 2` Status List Token (`<prefix>r<a>-s<b>`, issue 16 item 3), read
        from its source: revocation list `<prefix>r<a>` and suspension list `<prefix>s<b>`, both
        the issuer's on chain. INVALID (revocation bit) is REVOKED, SUSPENDED (suspension bit) is
        SUSPENDED, as the published token says."""
        checked = []
        for purpose, list_uri in zip(("revocation", "suspension"), pair, strict=True):
            bits = self.source.status_list(issuer, list_uri)
            if bits is None or bits.purpose != purpose:
                raise Refused(
                    r.STATUS_UNKNOWN,
                    f"{uri} is not a status list of {issuer}: "
                    f"{list_uri} is not its {purpose} list in the registry",
                )
            try:
                is_set = bits.is_set(index)
            except IndexError as error:
                raise Refused(r.STATUS_UNKNOWN, str(error)) from None
            if is_set:
                reason = r.SUSPENDED if purpose == "suspension" else r.REVOKED
                raise Refused(reason, f"the credential is {reason.lower()} (entry {index} of {uri})")
            checked.append(purpose)
        return checked

    def _check_claims(self, parsed: _Parsed, query: CredentialQuery) -> None:
        missing = [claim.ename for claim in query.claims if claim.ename not in parsed.subject]
        if missing:
            raise Refused(r.CLAIMS_NOT_DISCLOSED, f"claims {missing} were not disclosed")


class _KeyLookup:
    """The issuer key for a JWS from the registry: ``kid`` must be ``<iss>#<key id>`` of an
    assertion key that was valid when the credential was issued (its ``iat``, else ``nbf``).

    Called with the unverified header and payload; the signature check that follows proves the
    issuance time was written by that key's holder.
    """

    def __init__(self, source: TrustSource, leeway: int):
        self.source = source
        self.leeway = leeway
        self.used: list[str] = []

    def __call__(self, header: dict[str, Any], payload: dict[str, Any]) -> Mapping[str, Any]:
        issuer = payload.get("iss")
        if not isinstance(issuer, str):
            raise Refused("CLAIM_MISSING", "the credential has no iss")
        entity = self.source.entity(issuer)
        if entity is None:
            raise Refused(r.ISSUER_UNKNOWN, f"the issuer {issuer} is not in the trust registry")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Refused(r.KEY_UNKNOWN, f"kid {kid!r} is not a key of the issuer {issuer}")
        did, _, key_id = kid.partition("#")
        if did != issuer or not key_id:
            raise Refused(r.KEY_UNKNOWN, f"kid {kid!r} is not a key of the issuer {issuer}")
        key = entity.keys.get(key_id)
        if key is None or ASSERTION not in key.purpose_names:
            raise Refused(r.KEY_UNKNOWN, f"{kid} is not an assertion key of {issuer}")
        issued_at = _issued_at(payload)
        _check_key_at(kid, key, issued_at, self.leeway)
        self.used.append(kid)
        return verification_key(entity, key_id)


def _check_key_at(kid: str, key: KeyRecord, issued_at: int, leeway: int) -> None:
    """Not compromised, and valid at ``issued_at``: added (block time, with ``leeway`` for the
    issuer's clock running behind the chain's), inside its validity window, and not revoked at or
    before it."""
    refuse_compromised(kid, key)
    if issued_at + leeway < (key.added_at or 0):
        raise Refused(r.KEY_NOT_VALID_AT_ISSUANCE, f"{kid} was added after the credential's issuance")
    if not _within(issued_at, key.valid_from, key.valid_until):
        raise Refused(r.KEY_NOT_VALID_AT_ISSUANCE, f"{kid} was outside its validity period at issuance")
    if key.revoked and (key.revoked_at is None or key.revoked_at <= issued_at):
        raise Refused(r.KEY_NOT_VALID_AT_ISSUANCE, f"{kid} had been revoked before the credential's issuance")


def refuse_compromised(kid: str, key: KeyRecord) -> None:
    """``Refused`` (KEY_COMPROMISED) when the key was revoked as compromised: whatever date a signature
    by it carries, the signer chose it, and nothing on chain dates what it signed (api/verifier/README.md,
    "Compromised keys"), so none of its signatures is trusted; the issuer reissues under another key."""
    if key.compromised:
        since = key.compromised_since
        when = (
            datetime.fromtimestamp(since, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if since else "an unknown time"
        )
        raise Refused(
            r.KEY_COMPROMISED,
            f"{kid} was revoked as compromised since {when}: no signature by it can be proven older than "
            "the compromise, so none is trusted (the issuer must reissue under another key)",
        )


def verification_key(entity: EntityRecord, key_id: str) -> Mapping[str, Any]:
    """The public JWK of the entity's key ``key_id`` (JsonWebKey2020 or Multikey), or ``Refused``
    (KEY_UNKNOWN) when it has no such key or the key material is unusable, KEY_COMPROMISED when it
    was revoked as compromised."""
    key = entity.keys.get(key_id)
    if key is None:
        raise Refused(r.KEY_UNKNOWN, f"{entity.did} has no key {key_id}")
    refuse_compromised(f"{entity.did}#{key_id}", key)
    try:
        jwk = _parsed_key(key.key_type, key.public_key)
    except (KeyMaterialError, KeyUnsupported, CredentialError) as error:
        raise Refused(r.KEY_UNKNOWN, f"{entity.did}#{key_id} is not a usable key: {error}") from None
    if jwk is None:
        raise Refused(r.KEY_UNKNOWN, f"{entity.did}#{key_id} has unsupported type {key.key_type!r}")
    return jwk


@functools.lru_cache(maxsize=1024)
def _parsed_key(key_type: str, public_key: str) -> ImportedJwk | None:
    """The public JWK of registered key material, imported (None for a type that is not supported),
    parsed once per type and material: what the key may do is judged from its record on every call."""
    if key_type == "JsonWebKey2020":
        return ImportedJwk(jwk_from_hex(public_key))
    if key_type == "Multikey":
        return ImportedJwk(did_key_jwk("did:key:" + multibase_from_hex(public_key)))
    return None


def _issued_at(claims: Mapping[str, Any]) -> int:
    """``iat``, else ``nbf``; also read from a payload whose signature is not checked yet, so each is
    validated first (ClaimMissing for ``1e400``, ``NaN``, a string...)."""
    for name in ("iat", "nbf"):
        issued_at = numeric_date(claims, name, required=False)
        if issued_at is not None:
            return issued_at
    raise Refused("CLAIM_MISSING", "the credential has neither iat nor nbf: its issuance time is unknown")


def _within(at: int, valid_from: int, valid_until: int) -> bool:
    """``valid_from <= at < valid_until``, 0 meaning unbounded."""
    return at >= valid_from and (not valid_until or at < valid_until)


def _w3c_references(status: Any) -> list[tuple[str, int]]:
    entries = [status] if isinstance(status, dict) else status if isinstance(status, list) else []
    references = []
    for entry in entries:
        uri, index = (
            (entry.get("statusListCredential"), entry.get("statusListIndex"))
            if isinstance(entry, dict)
            else (None, None)
        )
        digits = str(index) if isinstance(index, str | int) and not isinstance(index, bool) else ""
        if not isinstance(uri, str) or not (digits.isascii() and digits.isdigit() and len(digits) <= 18):
            raise Refused(r.STATUS_UNKNOWN, f"malformed credentialStatus entry {entry!r}")
        references.append((uri, int(digits)))
    return references


def _roles(subject: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``roles: [{target, names}]`` of a role credential (empty for others)."""
    roles = subject.get("roles")
    if roles is None:
        return []
    if not isinstance(roles, list) or not all(
        isinstance(grant, dict)
        and isinstance(grant.get("target"), str)
        and isinstance(grant.get("names"), list)
        and all(isinstance(name, str) for name in grant["names"])
        for grant in roles
    ):
        raise Refused("CLAIM_MISSING", "roles must be a list of {target, names[]}")
    return [{"target": grant["target"], "names": list(grant["names"])} for grant in roles]

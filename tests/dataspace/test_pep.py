"""PacketDelivery's PEP served by uvicorn, called with real access tokens minted by the verifier's code:
the whole policy table role by role, every way a token can be bad, the credentials behind a token
judged again by the accreditation rule in trust views that follow a real chain, and the NGSI-LD
answers."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from anvil.devchain import free_port
from api.credentials.keys import SigningKey
from api.dataspace.orders import DeliveryOrderStore
from api.dataspace.pep import create_pep_app
from api.dataspace.policy import (
    P_CREATE,
    P_INFO_GOLD,
    P_INFO_STANDARD,
    PACKET_DELIVERY,
    READABLE_ATTRS,
    WRITABLE_ATTRS,
    decide,
    roles_for_target,
)
from api.verifier.config import AccessTokenPolicy
from api.verifier.decision import TrustedCredential
from api.verifier.tokens import mint_access_token
from projections.accreditation import record_from_views
from projections.api import TrustViews
from tests.credentials.forge import hs256_with_public_key, parts, unsigned, with_payload
from tests.support.dataspace import BROKER, CUSTOMER, HAPPYPETS, NOCHEAPER, SHOP, followed_registry
from tests.support.waiting import wait_until

AUDIENCE = "https://packetdelivery.test/ngsi-ld"
HOLDER = "did:key:z6MkhappypetsCustomer"
ORDER = "urn:ngsi-ld:DELIVERYORDER:happypets001"
ENTITIES = "/ngsi-ld/v1/entities"
ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"


def order_path(entity_id: str = ORDER, attr: str | None = None) -> str:
    return f"{ENTITIES}/{entity_id}" + (f"/attrs/{attr}" if attr else "")


def new_order(entity_id: str | None = None, **attrs: Any) -> dict[str, Any]:
    return {
        "id": entity_id or f"urn:ngsi-ld:DELIVERYORDER:{uuid.uuid4().hex}",
        "type": "DELIVERYORDER",
        "deliveryAddress": {"type": "Property", "value": {"addressCountry": "DE", "addressLocality": "Bonn"}},
        "EDA": {"type": "Property", "value": "2024-05-02"},
        "ETA": {"type": "Property", "value": "11:00:00"},
        "PDA": {"type": "Property", "value": "2024-05-02"},
        "PTA": {"type": "Property", "value": "11:00:00"},
        **attrs,
    }


GOOD_VALUES: dict[str, Any] = {
    "deliveryAddress": {"addressCountry": "DE", "addressLocality": "Köln", "streetAddress": "Domkloster 4"},
    "EDA": "2021-10-04",
    "ETA": "08:00:00",
    "PDA": "2021-10-04",
    "PTA": "16:30:00",
    "originAddress": {"addressCountry": "BE"},
}


def customer(roles: list[dict[str, Any]], issuer: str = HAPPYPETS) -> TrustedCredential:
    """What the verifier's trust decision hands to mint_access_token for a customer credential."""
    return TrustedCredential(
        query_id="customer",
        format="dc+sd-jwt",
        credential_type=CUSTOMER,
        issuer=issuer,
        holder=HOLDER,
        holder_jwk=None,
        claims={"name": "Jane Doe"},
        roles=roles,
        issued_at=int(time.time()) - 3600,
        key_id=f"{issuer}#key-1",
    )


def grant(*names: str, target: str = PACKET_DELIVERY) -> list[dict[str, Any]]:
    return [{"target": target, "names": list(names)}] if names else []


@dataclass
class Pep:
    """The served PEP: its URL, the verifier's key, another organisation's key the directory also
    knows, the key directory token_key reads, the store, the trust views it judges tokens in and
    the chain they follow."""

    url: str
    verifier: SigningKey
    rogue: SigningKey
    directory: dict[str, dict[str, Any]]
    orders: DeliveryOrderStore
    views: TrustViews
    chain: Any

    def token(
        self,
        roles: list[dict[str, Any]] | None = None,
        *,
        credentials: Sequence[TrustedCredential] | None = None,
        key: SigningKey | None = None,
        issuer: str = PACKET_DELIVERY,
        audience: str = AUDIENCE,
        now: int | None = None,
        ttl: int = 600,
    ) -> str:
        """An access token as the verifier mints it after a login with one customer credential granting
        ``roles`` (or with the given ``credentials``)."""
        minted = mint_access_token(
            key or self.verifier,
            issuer=issuer,
            subject=HOLDER,
            policy=AccessTokenPolicy(audience=audience, ttl=ttl),
            credentials=credentials if credentials is not None else [customer(roles or [])],
            now=int(time.time()) if now is None else now,
        )
        return minted["access_token"]

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.request(method, self.url + path, headers=headers, timeout=30, **kwargs)


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on a free port in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 30, what="the PEP to listen")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="module")
def pep(module_chain, module_var) -> Iterator[Pep]:
    verifier = SigningKey.generate(did=PACKET_DELIVERY, key_id="key-1")
    rogue = SigningKey.generate(did=NOCHEAPER, key_id="key-1")
    # The directory also knows another organisation's key: the PEP must refuse it for its kid alone.
    directory = {verifier.kid: verifier.public_jwk, rogue.kid: rogue.public_jwk}
    orders = DeliveryOrderStore()
    with followed_registry(module_chain) as service:
        app = create_pep_app(
            target_did=PACKET_DELIVERY,
            audience=AUDIENCE,
            token_key=directory.get,
            trusted_issuer=PACKET_DELIVERY,
            store=orders,
            views=service.views,
            clock=time.time,
        )
        with serve(app) as url:
            yield Pep(url, verifier, rogue, directory, orders, service.views, module_chain)


def problem(response: httpx.Response, status: int, type_: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == type_ and body["title"] and body["detail"], body
    return body


# -- the policy table ------------------------------------------------------------------------------

ROLE_SETS: dict[str, tuple[str, ...]] = {
    "no-role": (),
    "standard": (P_INFO_STANDARD,),
    "gold": (P_INFO_GOLD,),
    "create": (P_CREATE,),
    "standard+create": (P_INFO_STANDARD, P_CREATE),
}


@dataclass(frozen=True)
class Case:
    """One request of the table and the roles (any one of) that allow it, with its success status."""

    method: str
    path: str
    allowed_for: frozenset[str]
    ok: int
    body: Any = None

    def __str__(self) -> str:
        return f"{self.method} {self.path.removeprefix(ENTITIES) or '/'}"


def _cases() -> list[Case]:
    readers = frozenset({P_INFO_STANDARD, P_INFO_GOLD})
    cases = [Case("GET", order_path(), readers, 200)]
    for attr in (*READABLE_ATTRS, "originAddress"):
        cases.append(
            Case("GET", order_path(attr=attr), readers if attr in READABLE_ATTRS else frozenset(), 200)
        )
    for attr in (*READABLE_ATTRS, "originAddress"):
        allowed = frozenset({P_INFO_GOLD}) if attr in WRITABLE_ATTRS else frozenset()
        body = {"type": "Property", "value": GOOD_VALUES[attr]}
        cases.append(Case("PATCH", order_path(attr=attr), allowed, 204, body))
    cases += [
        Case("POST", ENTITIES, frozenset({P_CREATE}), 201, "new-order"),
        Case("GET", ENTITIES + "?type=DELIVERYORDER", frozenset(), 200),
        Case("DELETE", order_path(), frozenset(), 204),
        Case("PATCH", order_path(), frozenset(), 204, {"PTA": {"type": "Property", "value": "10:00:00"}}),
        Case("PUT", order_path(attr="PTA"), frozenset(), 204, {"type": "Property", "value": "10:00:00"}),
        Case("DELETE", order_path(attr="PTA"), frozenset(), 204),
        Case("POST", order_path() + "/attrs", frozenset(), 204, {"PTA": {"type": "Property", "value": "1"}}),
        Case("GET", "/ngsi-ld/v1/subscriptions", frozenset(), 200),
    ]
    return cases


@pytest.mark.parametrize("case", _cases(), ids=str)
@pytest.mark.parametrize("role_set", list(ROLE_SETS))
def test_policy_table(pep: Pep, role_set: str, case: Case) -> None:
    roles = ROLE_SETS[role_set]
    body = new_order() if case.body == "new-order" else case.body
    response = pep.call(case.method, case.path, pep.token(grant(*roles)), json=body)
    if case.allowed_for & set(roles):
        assert response.status_code == case.ok, response.text
        return
    detail = problem(response, 403, "about:blank")["detail"]
    assert response.headers["www-authenticate"].startswith('Bearer error="insufficient_scope"')
    for role in case.allowed_for:  # the roles that would have allowed it, and for which target
        assert role in detail and f"for {PACKET_DELIVERY}" in detail
    if not case.allowed_for:
        assert "not allowed by the policy for any role" in detail


def test_decide_is_the_table() -> None:
    assert decide("patch", "attr", "PTA", {P_INFO_GOLD}).allowed
    refused = decide("PATCH", "attr", "PTA", {P_INFO_STANDARD})
    assert not refused.allowed and refused.needed == (P_INFO_GOLD,) and P_INFO_GOLD in refused.reason
    assert not decide("GET", "attr", "originAddress", {P_INFO_GOLD, P_INFO_STANDARD, P_CREATE}).allowed
    assert not decide("GET", "entity", "PTA", {P_INFO_GOLD}).allowed
    assert decide("POST", "entities", None, {P_CREATE}).allowed


def test_roles_for_other_targets_do_not_count(pep: Pep) -> None:
    elsewhere = pep.token(grant(P_INFO_GOLD, P_CREATE, target=HAPPYPETS))
    assert pep.call("GET", order_path(), elsewhere).status_code == 403
    body = {"type": "Property", "value": "12:00:00"}
    assert pep.call("PATCH", order_path(attr="PTA"), elsewhere, json=body).status_code == 403
    # gold for another target next to standard for PacketDelivery: still only standard here
    mixed = pep.token(grant(P_INFO_GOLD, target=NOCHEAPER) + grant(P_INFO_STANDARD))
    assert pep.call("GET", order_path(attr="PTA"), mixed).status_code == 200
    refused = pep.call("PATCH", order_path(attr="PTA"), mixed, json=body)
    detail = problem(refused, 403, "about:blank")["detail"]
    assert f"needs role P.Info.gold for {PACKET_DELIVERY} (granted: P.Info.standard)" in detail
    claim = grant(P_INFO_GOLD, target=NOCHEAPER) + grant(P_CREATE)
    assert roles_for_target(claim, PACKET_DELIVERY) == {P_CREATE}


def test_roles_from_several_credentials_are_merged(pep: Pep) -> None:
    credentials = [customer(grant(P_INFO_STANDARD)), customer(grant(P_CREATE), issuer=NOCHEAPER)]
    token = pep.token(credentials=credentials)
    assert pep.call("GET", order_path(), token).status_code == 200
    assert pep.call("POST", ENTITIES, token, json=new_order()).status_code == 201
    assert pep.call("PATCH", order_path(attr="PDA"), token, json={"value": "2021-10-09"}).status_code == 403


# -- the token -------------------------------------------------------------------------------------


def test_no_token_is_401_with_a_bare_challenge(pep: Pep) -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}):
        response = pep.call("GET", order_path(), headers=headers)
        problem(response, 401, "about:blank")
        assert response.headers["www-authenticate"] == "Bearer"


def _claims(pep: Pep, **changes: Any) -> dict[str, Any]:
    claims = parts(pep.token(grant(P_INFO_GOLD)))[1]
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


BAD_TOKENS: dict[str, Any] = {
    "expired": lambda pep: pep.token(grant(P_INFO_GOLD), now=int(time.time()) - 700, ttl=600),
    "other-audience": lambda pep: pep.token(grant(P_INFO_GOLD), audience="https://nocheaper.test/api"),
    "other-key-same-kid": lambda pep: pep.token(
        grant(P_INFO_GOLD), key=SigningKey.generate(did=PACKET_DELIVERY, key_id="key-1")
    ),
    "alg-none": lambda pep: unsigned(
        {"alg": "none", "typ": "at+jwt", "kid": pep.verifier.kid}, _claims(pep, roles=grant(P_INFO_GOLD))
    ),
    "hs256-with-public-key": lambda pep: hs256_with_public_key(
        {"typ": "at+jwt", "kid": pep.verifier.kid}, _claims(pep), pep.verifier.public_jwk
    ),
    "kid-of-another-organisation": lambda pep: pep.token(grant(P_INFO_GOLD), key=pep.rogue),
    "unknown-kid-of-the-verifier": lambda pep: pep.token(
        grant(P_INFO_GOLD), key=SigningKey.generate(did=PACKET_DELIVERY, key_id="key-2")
    ),
    "issued-by-someone-else": lambda pep: pep.token(grant(P_INFO_GOLD), issuer=NOCHEAPER),
    "typ-jwt": lambda pep: pep.verifier.sign(_claims(pep), {"typ": "JWT"}),
    "no-typ": lambda pep: pep.verifier.sign(_claims(pep)),
    "no-exp": lambda pep: pep.verifier.sign(_claims(pep, exp=None), {"typ": "at+jwt"}),
    "iat-in-the-future": lambda pep: pep.token(grant(P_INFO_GOLD), now=int(time.time()) + 300),
    "roles-upgraded": lambda pep: with_payload(pep.token(grant(P_INFO_STANDARD)), roles=grant(P_INFO_GOLD)),
    "roles-not-a-list": lambda pep: pep.verifier.sign(_claims(pep, roles="P.Info.gold"), {"typ": "at+jwt"}),
    "no-credentials": lambda pep: pep.verifier.sign(_claims(pep, credentials=None), {"typ": "at+jwt"}),
    "credentials-not-a-list": lambda pep: pep.verifier.sign(
        _claims(pep, credentials=CUSTOMER), {"typ": "at+jwt"}
    ),
    "credential-without-issuer": lambda pep: pep.verifier.sign(
        _claims(pep, credentials=[{"type": CUSTOMER, "roles": grant(P_INFO_GOLD)}]), {"typ": "at+jwt"}
    ),
    "credential-roles-without-target": lambda pep: pep.verifier.sign(
        _claims(pep, credentials=[{"type": CUSTOMER, "issuer": HAPPYPETS, "roles": [{"names": []}]}]),
        {"typ": "at+jwt"},
    ),
    "garbage": lambda pep: "not-a-jwt",
}


WHY_REJECTED: dict[str, str] = {
    "expired": "EXPIRED",
    "other-audience": "AUDIENCE_MISMATCH",
    "other-key-same-kid": "SIGNATURE_INVALID",
    "alg-none": "ALG_NOT_ALLOWED",
    "hs256-with-public-key": "ALG_NOT_ALLOWED",
    "kid-of-another-organisation": "is not a key of the trusted verifier",
    "unknown-kid-of-the-verifier": "is not a registered key of the verifier",
    "issued-by-someone-else": "ISSUER_MISMATCH",
    "typ-jwt": "is not at+jwt",
    "no-typ": "is not at+jwt",
    "no-exp": "CLAIM_MISSING",
    "iat-in-the-future": "IAT_INVALID",
    "roles-upgraded": "SIGNATURE_INVALID",
    "roles-not-a-list": "malformed roles claim",
    "no-credentials": "names no credentials behind its roles",
    "credentials-not-a-list": "names no credentials behind its roles",
    "credential-without-issuer": "malformed credentials claim",
    "credential-roles-without-target": "malformed credentials claim",
    "garbage": "not a compact JWS",
}


@pytest.mark.parametrize("name", list(BAD_TOKENS))
def test_bad_tokens_are_401_invalid_token(pep: Pep, name: str) -> None:
    token = BAD_TOKENS[name](pep)
    for method, path, body in (
        ("GET", order_path(), None),
        ("PATCH", order_path(attr="PTA"), {"type": "Property", "value": "23:59:00"}),
    ):
        response = pep.call(method, path, token, json=body)
        assert WHY_REJECTED[name] in problem(response, 401, "about:blank")["detail"]
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith('Bearer error="invalid_token", error_description="'), challenge
        assert WHY_REJECTED[name] in challenge
    assert pep.orders.get_attr(ORDER, "PTA")["value"] != "23:59:00"


def test_a_good_token_passes_with_either_typ_spelling(pep: Pep) -> None:
    token = pep.verifier.sign(_claims(pep), {"typ": "application/at+jwt"})
    assert pep.call("GET", order_path(), token).status_code == 200


# -- the credentials behind the token: the accreditation rule again, at each request ----------------


def refused_by_the_rule(response: httpx.Response) -> str:
    """The rule's reason code and sentence from a 401 invalid_token answer."""
    detail = problem(response, 401, "about:blank")["detail"]
    assert detail.startswith("invalid access token: "), detail
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer error="invalid_token", error_description="'), challenge
    return detail.removeprefix("invalid access token: ")


def test_an_accreditation_withdrawn_after_the_token_was_minted_is_refused(pep: Pep) -> None:
    """The verifier minted the token while the shop and its parent, the broker, were accredited for
    customer cards; the trust anchor then withdraws the broker's (the holder's grandparent's). The
    credential no longer passes the rule (the verifier would refuse it now: NOT_ACCREDITED, the
    ancestor named), and neither does the token at the PEP."""
    token = pep.token(credentials=[customer(grant(P_INFO_STANDARD, P_INFO_GOLD), issuer=SHOP)])
    body = {"type": "Property", "value": "17:00:00"}
    assert pep.call("PATCH", order_path(attr="PTA"), token, json=body).status_code == 204
    pep.chain.gateway("anchor").withdraw_accreditation(BROKER, CUSTOMER)

    def withdrawn() -> bool:
        broker = record_from_views(pep.views, BROKER)
        return broker is not None and CUSTOMER not in broker.accreditations

    wait_until(withdrawn, 30, what="the views to show the broker's accreditation withdrawn")
    for method, path, json_body in (("GET", order_path(attr="ETA"), None), ("PATCH", PTA_PATH, body)):
        reason = refused_by_the_rule(pep.call(method, path, token, json=json_body))
        assert reason == f"NOT_ACCREDITED: the issuer's ancestor {BROKER} is not accredited for {CUSTOMER}"


def test_a_credential_of_an_issuer_outside_the_registry_is_refused(pep: Pep) -> None:
    stranger = "did:elsi:EU.EORI.NLSTRANGER"
    token = pep.token(credentials=[customer(grant(P_INFO_STANDARD), issuer=stranger)])
    reason = refused_by_the_rule(pep.call("GET", order_path(), token))
    assert reason == f"ISSUER_UNKNOWN: the issuer {stranger} is not in the trust registry"


def test_roles_beyond_the_issuers_accreditation_are_refused(pep: Pep) -> None:
    """NoCheaper is accredited for standard customers only: a token saying it granted gold (which
    the verifier never mints) does not get gold, nor the standard role it also carries."""
    token = pep.token(credentials=[customer(grant(P_INFO_STANDARD, P_INFO_GOLD), issuer=NOCHEAPER)])
    reason = refused_by_the_rule(pep.call("GET", order_path(), token))
    assert reason.startswith(f"ROLE_NOT_ACCREDITED: the issuer {NOCHEAPER} is not accredited to grant")
    assert P_INFO_GOLD in reason


def test_every_credential_behind_a_token_must_pass(pep: Pep) -> None:
    good = customer(grant(P_INFO_STANDARD))
    token = pep.token(credentials=[good, customer(grant(P_INFO_GOLD), issuer=NOCHEAPER)])
    assert refused_by_the_rule(pep.call("GET", order_path(), token)).startswith("ROLE_NOT_ACCREDITED")
    assert pep.call("GET", order_path(), pep.token(credentials=[good])).status_code == 200


# -- the NGSI-LD resource --------------------------------------------------------------------------


def test_get_entity_shows_only_the_readable_attributes(pep: Pep) -> None:
    response = pep.call("GET", order_path(), pep.token(grant(P_INFO_STANDARD)))
    assert response.status_code == 200
    entity = response.json()
    assert set(entity) == {"id", "type", *READABLE_ATTRS}
    assert entity["id"] == ORDER and entity["type"] == "DELIVERYORDER"
    assert entity["EDA"]["type"] == "Property"
    assert "originAddress" in pep.orders.get(ORDER)


def test_gold_patches_the_pta_and_a_get_shows_it(pep: Pep) -> None:
    gold = pep.token(grant(P_INFO_GOLD))
    order = "urn:ngsi-ld:DELIVERYORDER:happypets002"
    response = pep.call(
        "PATCH", order_path(order, "PTA"), gold, json={"type": "Property", "value": "18:15:00"}
    )
    assert response.status_code == 204 and not response.content
    standard = pep.token(grant(P_INFO_STANDARD))
    assert pep.call("GET", order_path(order, "PTA"), standard).json() == {
        "type": "Property",
        "value": "18:15:00",
    }
    assert pep.call("GET", order_path(order), standard).json()["PTA"]["value"] == "18:15:00"


def test_standard_may_not_patch_the_pta(pep: Pep) -> None:
    before = pep.orders.get_attr(ORDER, "PTA")
    response = pep.call(
        "PATCH", order_path(attr="PTA"), pep.token(grant(P_INFO_STANDARD)), json={"value": "01:00:00"}
    )
    detail = problem(response, 403, "about:blank")["detail"]
    assert "PATCH of attribute PTA needs role P.Info.gold" in detail
    assert pep.orders.get_attr(ORDER, "PTA") == before


def test_post_creates_and_a_duplicate_is_409(pep: Pep) -> None:
    creator = pep.token(grant(P_CREATE))
    entity = new_order(**{"@context": "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"})
    response = pep.call("POST", ENTITIES, creator, json=entity)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{ENTITIES}/{entity['id']}"
    shown = pep.call("GET", response.headers["location"], pep.token(grant(P_INFO_GOLD))).json()
    assert shown == {name: value for name, value in entity.items() if name != "@context"}
    again = pep.call("POST", ENTITIES, creator, json=new_order(entity["id"]))
    assert entity["id"] in problem(again, 409, ERRORS + "AlreadyExists")["detail"]
    assert pep.call("POST", ENTITIES, pep.token(grant(P_INFO_GOLD)), json=new_order()).status_code == 403


def test_unknown_entity_and_attribute_are_404(pep: Pep) -> None:
    gold = pep.token(grant(P_INFO_GOLD, P_CREATE))
    missing = "urn:ngsi-ld:DELIVERYORDER:nosuchorder"
    problem(pep.call("GET", order_path(missing), gold), 404, ERRORS + "ResourceNotFound")
    problem(pep.call("GET", order_path(missing, "PTA"), gold), 404, ERRORS + "ResourceNotFound")
    patch = pep.call(
        "PATCH", order_path(missing, "PTA"), gold, json={"type": "Property", "value": "10:00:00"}
    )
    problem(patch, 404, ERRORS + "ResourceNotFound")
    partial = new_order()
    del partial["PTA"]
    assert pep.call("POST", ENTITIES, gold, json=partial).status_code == 201
    problem(pep.call("GET", order_path(partial["id"], "PTA"), gold), 404, ERRORS + "ResourceNotFound")
    assert "PTA" not in pep.call("GET", order_path(partial["id"]), gold).json()


PTA_PATH = order_path(attr="PTA")
ADDRESS_PATH = order_path(attr="deliveryAddress")

MALFORMED: dict[str, tuple[str, str, bytes, str]] = {
    "not-json": ("PATCH", PTA_PATH, b"{not json", "InvalidRequest"),
    "empty": ("PATCH", PTA_PATH, b"", "InvalidRequest"),
    "nan": ("PATCH", PTA_PATH, b'{"type": "Property", "value": NaN}', "InvalidRequest"),
    "lone-surrogate": ("PATCH", PTA_PATH, b'{"type": "Property", "value": "\\ud800"}', "InvalidRequest"),
    "too-deep-for-json": ("PATCH", PTA_PATH, b"[" * 60_000, "InvalidRequest"),
    "not-an-object": ("PATCH", PTA_PATH, b'"18:00"', "BadRequestData"),
    "no-value": ("PATCH", PTA_PATH, b'{"type": "Property"}', "BadRequestData"),
    "relationship": ("PATCH", PTA_PATH, b'{"type": "Relationship", "object": "urn:x"}', "BadRequestData"),
    "pta-not-a-time": ("PATCH", PTA_PATH, b'{"type": "Property", "value": "tomorrow"}', "BadRequestData"),
    "pta-a-bare-date": ("PATCH", PTA_PATH, b'{"type": "Property", "value": "2021-10-10"}', "BadRequestData"),
    "pda-bad-date": ("PATCH", order_path(attr="PDA"), b'{"value": "2021-13-40"}', "BadRequestData"),
    "pda-a-number": ("PATCH", order_path(attr="PDA"), b'{"value": 20211010}', "BadRequestData"),
    "empty-address": ("PATCH", ADDRESS_PATH, b'{"type": "Property", "value": ""}', "BadRequestData"),
    "nested-address": ("PATCH", ADDRESS_PATH, b'{"value": ' + b"[" * 50 + b"]" * 50 + b"}", "BadRequestData"),
    "entity-a-list": ("POST", ENTITIES, b"[]", "BadRequestData"),
    "entity-wrong-id": (
        "POST",
        ENTITIES,
        json.dumps(new_order("urn:ngsi-ld:Shipment:1")).encode(),
        "BadRequestData",
    ),
    "entity-wrong-type": (
        "POST",
        ENTITIES,
        json.dumps({**new_order(), "type": "Shipment"}).encode(),
        "BadRequestData",
    ),
    "entity-bad-pta": ("POST", ENTITIES, json.dumps(new_order(PTA="10:00")).encode(), "BadRequestData"),
    "entity-bad-name": (
        "POST",
        ENTITIES,
        json.dumps(new_order(**{"a b": {"value": 1}})).encode(),
        "BadRequestData",
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_bodies_are_400(pep: Pep, name: str) -> None:
    method, path, content, error = MALFORMED[name]
    token = pep.token(grant(P_INFO_GOLD, P_CREATE))
    response = pep.call(method, path, token, content=content, headers={"Content-Type": "application/json"})
    problem(response, 400, ERRORS + error)


def test_a_huge_body_is_413(pep: Pep) -> None:
    content = json.dumps({"type": "Property", "value": "x" * 70_000}).encode()
    response = pep.call("PATCH", ADDRESS_PATH, pep.token(grant(P_INFO_GOLD)), content=content)
    problem(response, 413, "about:blank")


def test_one_log_line_per_decision(pep: Pep, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="api.dataspace.pep"):
        pep.call("PATCH", order_path(attr="PTA"), pep.token(grant(P_INFO_STANDARD)), json={"value": "09:00"})
        pep.call("GET", order_path(attr="PTA"), pep.token(grant(P_INFO_STANDARD)))
        pep.call("GET", order_path(), "not-a-jwt")
        pep.call("GET", order_path())
    lines = [record.getMessage() for record in caplog.records if record.name == "api.dataspace.pep"]
    assert len(lines) == 4, lines
    denied, allowed, invalid, missing = lines
    assert HOLDER in denied and "denied" in denied and "P.Info.gold" in denied and "PATCH" in denied
    assert HOLDER in allowed and "allowed" in allowed and "P.Info.standard" in allowed
    assert "invalid token" in invalid and "no bearer token" in missing


def test_a_broken_key_directory_is_503_not_500(pep: Pep) -> None:
    def unreachable(kid: str) -> dict[str, Any] | None:
        raise ConnectionError(f"the trust registry is down, cannot resolve {kid}")

    app = create_pep_app(
        target_did=PACKET_DELIVERY,
        audience=AUDIENCE,
        token_key=unreachable,
        trusted_issuer=PACKET_DELIVERY,
        store=DeliveryOrderStore(),
        views=pep.views,
    )
    with serve(app) as url:
        response = httpx.get(
            url + order_path(), headers={"Authorization": f"Bearer {pep.token()}"}, timeout=30
        )
    problem(response, 503, "about:blank")
    assert "ConnectionError" not in response.text


def test_stale_trust_data_is_refused_not_trusted(pep: Pep) -> None:
    """Two minutes on the PEP's clock without a follower pass (the bound is 60 s): the views cannot
    show a withdrawal made meanwhile, so the PEP refuses with the reason instead of trusting them."""
    later = time.time() + 120
    app = create_pep_app(
        target_did=PACKET_DELIVERY,
        audience=AUDIENCE,
        token_key=pep.directory.get,
        trusted_issuer=PACKET_DELIVERY,
        store=DeliveryOrderStore(),
        views=pep.views,
        clock=lambda: later,
    )
    token = pep.token(grant(P_INFO_STANDARD), now=int(later))
    with serve(app) as url:
        response = httpx.get(url + order_path(), headers={"Authorization": f"Bearer {token}"}, timeout=30)
    body = problem(response, 503, "about:blank")
    assert body["detail"].startswith("TRUST_DATA_STALE: the trust data is stale:"), body
    assert response.headers["Retry-After"]

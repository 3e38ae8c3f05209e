"""The packet-delivery scenario end to end, on a running chain: the same code is the test
(tests/dataspace) and the demo (`trust-ledger demo dataspace`).

HappyPets and NoCheaper run the issuer module, PacketDelivery runs the verifier module and a PEP in
front of its delivery orders; holders use the reference wallet. Everything talks HTTP: DWVC-101 ->
OID4VCI -> wallet; DWVP-01-101 -> OID4VP + SIOPv2 -> DWVP-01-201 (access token) -> NGSI-LD via the PEP.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from anvil.accounts import dev_account
from anvil.devchain import free_port
from api.credentials.keys import SigningKey, read_payload
from api.credentials.sd_jwt import issue_sd_jwt_vc
from api.credentials.status import token_status_reference
from api.dataspace.hierarchy import (
    CUSTOMER,
    DATA_SPACE_VCT,
    EMPLOYEE,
    HAPPY_PETS,
    MARKETPLACE,
    NO_CHEAPER,
    PARTIES,
    register_data_space,
)
from api.dataspace.orders import DeliveryOrderStore
from api.dataspace.pep import create_pep_app
from api.dataspace.policy import P_CREATE, P_INFO_GOLD, P_INFO_STANDARD, PACKET_DELIVERY
from api.issuer.app import create_app as create_issuer_app
from api.issuer.config import IssuerConfig
from api.issuer.wiring import open_issuer
from api.local_servers import LocalServers
from api.verifier.app import create_app as create_verifier_app
from api.verifier.config import VerifierConfig
from api.verifier.decision import verification_key
from api.verifier.reasons import Refused
from api.verifier.trust_source import ViewsTrustSource
from api.verifier.wiring import open_verifier
from api.wallet import Wallet
from api.wallet.presentation import PresentationOutcome
from api.wallet.store import CredentialStore, StoredCredential, credential_id
from projections.service import LedgerService
from resolver.app import create_app as create_resolver_app
from trust_ledger.chain.follower import Horizon
from trust_ledger.chain.gateway import TrustGateway

ORDER = "urn:ngsi-ld:DELIVERYORDER:happypets001"
GOLD = [{"target": PACKET_DELIVERY, "names": [P_INFO_STANDARD, P_INFO_GOLD]}]
STANDARD = [{"target": PACKET_DELIVERY, "names": [P_INFO_STANDARD]}]
CREATE = [{"target": PACKET_DELIVERY, "names": [P_CREATE]}]


@dataclass
class Step:
    """One thing somebody tries, what the rules say must happen, and what did."""

    actor: str
    action: str
    expected: str
    outcome: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.expected == self.outcome


@dataclass
class DataSpace:
    """The running parties: their base URLs and what the scenario needs to drive them."""

    resolver: str
    happypets: str
    nocheaper: str
    packetdelivery: str
    pep: str
    tokens: dict[str, str]
    nocheaper_key: SigningKey
    wallets: Path
    views: Any
    withdraw: Callable[[str, str], None]
    steps: list[Step] = field(default_factory=list)

    def wallet(self, name: str) -> Wallet:
        return Wallet(self.wallets / name)


@contextlib.contextmanager
def running_data_space(anchor: TrustGateway, service: LedgerService, var: Path) -> Iterator[DataSpace]:
    """Register the parties on chain (idempotent) and serve resolver, both issuers, the verifier and
    the PEP, each on its own loopback port, until the block exits. ``service`` must follow the chain."""
    keys = register_data_space(anchor, var / "keys")
    service.wait_for_block(anchor.block_number())
    horizon = Horizon(confirmations=0)
    tokens = {name: secrets.token_urlsafe(24) for name in ("happypets", "nocheaper", "packetdelivery")}
    with contextlib.ExitStack() as stack:
        serve = LocalServers(stack).serve
        resolver = serve(create_resolver_app(service.views, chain_status=service.chain_status))
        happypets_port, nocheaper_port, verifier_port, pep_port = (free_port() for _ in range(4))
        pep_url = f"http://127.0.0.1:{pep_port}"
        for did, name, port, templates in (
            (HAPPY_PETS, "happypets", happypets_port, _happypets_templates()),
            (NO_CHEAPER, "nocheaper", nocheaper_port, _nocheaper_templates()),
        ):
            config = IssuerConfig.model_validate(
                {
                    "did": did,
                    "base_url": f"http://127.0.0.1:{port}",
                    "signing_key": {"key_id": keys[did].key_id, "jwk": keys[did].private_jwk()},
                    "templates": templates,
                    "access_tokens": [tokens[name]],
                    "status_list_size": 1024,
                    "var_dir": str(var / name),
                }
            )
            controller = anchor.with_signer(dev_account(_account(did)))
            issuer = open_issuer(config, controller, service, horizon=horizon)
            stack.callback(issuer.records.close)
            serve(create_issuer_app(issuer), port)
        verifier_key = keys[PACKET_DELIVERY]
        verifier_config = VerifierConfig.model_validate(
            {
                "did": PACKET_DELIVERY,
                "base_url": f"http://127.0.0.1:{verifier_port}",
                "signing_key": {"key_id": verifier_key.key_id, "jwk": verifier_key.private_jwk()},
                "access_tokens": [tokens["packetdelivery"]],
                "var_dir": str(var / "packetdelivery"),
                "templates": _login_templates(pep_url),
            }
        )
        source = ViewsTrustSource(service.views)
        verifier = open_verifier(verifier_config, source)
        stack.callback(verifier.close)
        serve(create_verifier_app(verifier), verifier_port)
        pep = create_pep_app(
            target_did=PACKET_DELIVERY,
            audience=pep_url,
            token_key=_registry_key(source),
            trusted_issuer=PACKET_DELIVERY,
            store=DeliveryOrderStore(),
            views=service.views,
        )
        serve(pep, pep_port)

        def withdraw(did: str, credential_type: str) -> None:
            """The trust anchor withdraws a child's accreditation; returns once the views hold it."""
            service.wait_for_block(anchor.withdraw_accreditation(did, credential_type).block_number)

        yield DataSpace(
            resolver=resolver,
            happypets=f"http://127.0.0.1:{happypets_port}",
            nocheaper=f"http://127.0.0.1:{nocheaper_port}",
            packetdelivery=f"http://127.0.0.1:{verifier_port}",
            pep=pep_url,
            tokens=tokens,
            nocheaper_key=keys[NO_CHEAPER],
            wallets=var / "wallets",
            views=service.views,
            withdraw=withdraw,
        )


def run_scenario(space: DataSpace, report: Callable[[Step], None] = lambda step: None) -> list[Step]:
    """Play the scenario; every step is recorded (and reported as it happens)."""

    def record(step: Step) -> None:
        space.steps.append(step)
        report(step)

    alice, bob, carol, dave = (space.wallet(name) for name in ("alice", "bob", "carol", "dave"))
    record(
        _issue(
            space, space.happypets, "happypets", "gold_customer", alice, "HappyPets", "Alice (gold customer)"
        )
    )
    record(_issue(space, space.nocheaper, "nocheaper", "customer", bob, "NoCheaper", "Bob (customer)"))
    record(_issue(space, space.happypets, "happypets", "employee", carol, "HappyPets", "Carol (employee)"))
    refused = "11011"  # NoCheaper's own issuer module will not grant what it is not accredited for
    record(
        _issue(
            space,
            space.nocheaper,
            "nocheaper",
            "gold_customer",
            dave,
            "NoCheaper",
            "Dave (customer)",
            refused,
        )
    )

    alice_token = _login(space, record, alice, "Alice", "customer_login", "trusted")
    bob_token = _login(space, record, bob, "Bob", "customer_login", "trusted")
    carol_token = _login(space, record, carol, "Carol", "employee_login", "trusted")
    _forge_gold_card(space, dave)
    _login(
        space,
        record,
        dave,
        "Dave (NoCheaper card with P.Info.gold written in)",
        "customer_login",
        "ROLE_NOT_ACCREDITED",
    )

    attr = f"/ngsi-ld/v1/entities/{ORDER}/attrs"
    new_pta = {"type": "Property", "value": "2026-12-01T14:30:00Z"}
    record(_call(space, "Alice", alice_token, "GET", f"{attr}/ETA", "200"))
    record(_call(space, "Alice", alice_token, "PATCH", f"{attr}/PTA", "204", new_pta))
    record(_call(space, "Alice", alice_token, "GET", f"{attr}/PTA", "200", check=new_pta["value"]))
    record(_call(space, "Bob", bob_token, "GET", f"{attr}/ETA", "200"))
    record(_call(space, "Bob", bob_token, "PATCH", f"{attr}/PTA", "403", new_pta))
    order: dict[str, Any] = {
        "id": f"urn:ngsi-ld:DELIVERYORDER:{uuid.uuid4().hex[:12]}",
        "type": "DELIVERYORDER",
        "deliveryAddress": {
            "type": "Property",
            "value": {"addressLocality": "Taipei", "streetAddress": "1 Main St"},
        },
        "PDA": {"type": "Property", "value": "2026-12-02"},
        "PTA": {"type": "Property", "value": "2026-12-02T10:00:00Z"},
    }
    record(_call(space, "Carol", carol_token, "POST", "/ngsi-ld/v1/entities", "201", order))
    record(
        _call(
            space,
            "Alice",
            alice_token,
            "POST",
            "/ngsi-ld/v1/entities",
            "403",
            {**order, "id": order["id"] + "x"},
        )
    )
    record(_call(space, "nobody", None, "GET", f"{attr}/ETA", "401"))

    # The PEP judges the credentials behind a token again at each request, with the rule the verifier
    # applies at login: once the marketplace may no longer sell customer cards, Alice's token (from
    # HappyPets, a child of the marketplace) stops working, with the verifier's reason code.
    space.withdraw(MARKETPLACE, CUSTOMER)
    record(Step("trust anchor", f"withdraws the marketplace's {CUSTOMER} accreditation", "done", "done"))
    record(_call(space, "Alice", alice_token, "GET", f"{attr}/ETA", "401"))
    _login(space, record, alice, "Alice (again)", "customer_login", "NOT_ACCREDITED")
    return space.steps


# -- steps ----------------------------------------------------------------------------------


def _issue(
    space: DataSpace,
    url: str,
    name: str,
    template: str,
    wallet: Wallet,
    issuer: str,
    holder: str,
    expected: str = "issued",
) -> Step:
    """DWVC-101 at the issuer's module, then the holder's wallet collects over OID4VCI."""
    fields = [{"ename": "name", "content": holder.split(" ")[0]}]
    answer = httpx.post(
        f"{url}/api/qrcode/data",
        headers={"Access-Token": space.tokens[name]},
        json={"vcUid": template, "fields": fields},
        timeout=60,
    )
    action = f"issues {holder} a {template} card"
    if answer.status_code != 200:  # DWVC-101 answers 200, as the official module
        body = answer.json()
        return Step(
            issuer, action, expected, body.get("code", str(answer.status_code)), body.get("message", "")
        )
    stored = wallet.accept_offer(answer.json()["deepLink"])
    roles = stored[0].claims.get("roles")
    return Step(issuer, action, expected, "issued", f"roles {json.dumps(roles)}" if roles else "")


def _login(
    space: DataSpace, record: Callable[[Step], None], wallet: Wallet, who: str, template: str, expected: str
) -> str | None:
    """SIOP login with a VP at PacketDelivery; the portal polls DWVP-01-201 for the access token."""
    headers = {"Access-Token": space.tokens["packetdelivery"]}
    transaction_id = str(uuid.uuid4())
    opened = httpx.get(
        f"{space.packetdelivery}/api/oidvp/qrcode",
        params={"ref": template, "transactionId": transaction_id},
        headers=headers,
        timeout=60,
    ).json()
    outcome = wallet.present(opened["authUri"], resolver_url=space.resolver)
    result = httpx.post(
        f"{space.packetdelivery}/api/oidvp/result",
        json={"transactionId": transaction_id},
        headers=headers,
        timeout=60,
    ).json()
    if result.get("verifyResult"):
        detail = f"access token with roles {json.dumps(_token_roles(result['access_token']))}"
        record(Step(who, f"logs in to PacketDelivery ({template})", expected, "trusted", detail))
        return result["access_token"]
    code = refusal_code(result, outcome)
    record(
        Step(
            who,
            f"logs in to PacketDelivery ({template})",
            expected,
            code,
            result.get("resultDescription", ""),
        )
    )
    return None


def _forge_gold_card(space: DataSpace, wallet: Wallet) -> None:
    """NoCheaper bypasses its issuer module and signs a customer card granting P.Info.gold with its
    registered key, pointing at its own status list: only the accreditation check can stop it."""
    status_list = space.views.status_lists_of(NO_CHEAPER)[0]
    credential = issue_sd_jwt_vc(
        space.nocheaper_key,
        vct=DATA_SPACE_VCT[CUSTOMER],
        claims={"name": "Dave", "roles": GOLD},
        holder_jwk=wallet.holder.key.public_jwk,
        expires_at=int(time.time()) + 86_400,
        status=token_status_reference(status_list.size - 1, status_list.uri),
        issuer_id=NO_CHEAPER,
    ).sd_jwt
    CredentialStore(wallet.store_dir).save(
        StoredCredential(
            id=credential_id(credential),
            format="dc+sd-jwt",
            raw=credential,
            configuration_id="forged",
            issuer=NO_CHEAPER,
            received_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            claims={"name": "Dave", "roles": GOLD},
        )
    )


def refusal_code(result: dict[str, Any], outcome: PresentationOutcome) -> str:
    """What a refused login shows: the verifier's first reason code, else the wallet's HTTP status."""
    reasons = result.get("reasons")
    return str(reasons[0]["code"]) if reasons else f"HTTP {outcome.status}"


def _call(
    space: DataSpace,
    who: str,
    token: str | None,
    method: str,
    path: str,
    expected: str,
    body: dict[str, Any] | None = None,
    check: str | None = None,
) -> Step:
    """A request to the PEP in front of PacketDelivery's delivery orders."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.request(method, space.pep + path, headers=headers, json=body, timeout=60)
    detail = ""
    if response.status_code >= 400:
        detail = response.json().get("detail", "")
    elif check is not None and check not in response.text:
        return Step(
            who, f"{method} {path}", expected, f"{response.status_code} without {check}", response.text
        )
    elif response.content:
        detail = response.text[:120]
    return Step(who, f"{method} {path}", expected, str(response.status_code), detail)


# -- wiring ---------------------------------------------------------------------------------


def _template(credential_type: str, roles: Any) -> dict[str, Any]:
    return {
        "type": credential_type,
        "vct": DATA_SPACE_VCT[credential_type],
        "fields": ["name"],
        "roles": roles,
        "formats": ["dc+sd-jwt"],
    }


def _happypets_templates() -> dict[str, Any]:
    return {"gold_customer": _template(CUSTOMER, GOLD), "employee": _template(EMPLOYEE, CREATE)}


def _nocheaper_templates() -> dict[str, Any]:
    return {"customer": _template(CUSTOMER, STANDARD), "gold_customer": _template(CUSTOMER, GOLD)}


def _login_templates(pep_url: str) -> dict[str, Any]:
    def login(credential_id: str, credential_type: str) -> dict[str, Any]:
        return {
            "name": f"PacketDelivery login ({credential_type})",
            "siop": True,
            "credentials": [
                {
                    "id": credential_id,
                    "type": credential_type,
                    "vct_values": [DATA_SPACE_VCT[credential_type]],
                    "claims": [{"ename": "name"}, {"ename": "roles"}],
                }
            ],
            "access_token": {"audience": pep_url},
        }

    return {"customer_login": login("customer", CUSTOMER), "employee_login": login("employee", EMPLOYEE)}


def _account(did: str) -> str:
    return next(party.account for party in PARTIES if party.did == did)


def _registry_key(source: ViewsTrustSource) -> Callable[[str], Mapping[str, Any] | None]:
    """The PEP's key lookup: a ``kid`` DID URL -> that entity's registered key, from the views."""

    def lookup(kid: str) -> Mapping[str, Any] | None:
        did, _, key_id = kid.partition("#")
        entity = source.entity(did)
        if entity is None:
            return None
        try:
            return verification_key(entity, key_id)
        except Refused:
            return None

    return lookup


def _token_roles(token: str) -> Any:
    return read_payload(token).get("roles")

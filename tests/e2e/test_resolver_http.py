"""The resolver as deployed: a `serve resolver` process following a real Anvil, over real HTTP."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
from datetime import UTC, datetime
from urllib.parse import quote

from anvil.accounts import dev_account
from tests.support.cli_process import CLI
from tests.support.stores import postgres_schema
from tests.support.waiting import wait_until

ROOT = "did:web:anchor.test"
MARKET = "did:elsi:EU.EORI.NLMARKETPLACE"
PACKET = "did:elsi:EU.EORI.NLPACKETDEL"
HAPPYPETS = "did:elsi:EU.EORI.NLHAPPYPETS"
KEY_1 = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
KEY_2 = {
    "kty": "EC",
    "crv": "P-256",
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
}
LEGACY = 'application/ld+json;profile="https://w3id.org/did-resolution"'


def xml_time(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def later(chain, seconds: int = 100) -> None:
    chain.w3.provider.make_request("evm_increaseTime", [seconds])


def build(chain) -> dict:
    """root -> marketplace -> packetdelivery -> happypets; PacketDelivery rotates key-1 to key-2."""
    anchor, market, packet = chain.gateway("anchor"), chain.gateway("dev1"), chain.gateway("dev2")
    anchor.register("root", "marketplace", MARKET, dev_account("dev1").address)
    anchor.accredit(MARKET, "CustomerCredential", [(PACKET, ["P.Info.standard", "P.Info.gold"])])
    market.register(MARKET, "packetdelivery", PACKET, dev_account("dev2").address)
    packet.register(PACKET, "happypets", HAPPYPETS, dev_account("dev3").address)
    first = packet.add_key(PACKET, "key-1", "JsonWebKey2020", json.dumps(KEY_1).encode(), ["assertionMethod"])
    later(chain)
    packet.add_key(PACKET, "key-2", "JsonWebKey2020", json.dumps(KEY_2).encode(), ["assertionMethod"])
    rotated = packet.revoke_key(PACKET, "key-1")
    packet.add_service(PACKET, "issuer", "OID4VCI", "https://packetdelivery.example/issuer")
    list_id, _ = packet.create_status_list(PACKET, "revocation", "https://packetdelivery.example/status/1")
    last = packet.set_statuses(list_id, [0, 7, 131_071])
    return {
        "key1_time": first.block_time,
        "rotated_time": rotated.block_time,
        "list_id": list_id,
        "block": last.block_number,
    }


def identifiers(did: str) -> str:
    return "/1.0/identifiers/" + quote(did, safe="")


def test_resolution_trust_list_and_status_lists_over_http(chain, start_resolver):
    built = build(chain)
    resolver = start_resolver()
    resolver.wait_for_block(built["block"])

    document = resolver.get(identifiers(PACKET))
    assert document.status_code == 200
    assert document.headers["content-type"] == "application/did+ld+json"
    assert int(document.headers["x-ledger-block"]) >= built["block"]
    body = document.json()
    assert [vm["id"] for vm in body["verificationMethod"]] == [f"{PACKET}#key-2"]
    assert body["verificationMethod"][0]["publicKeyJwk"] == KEY_2
    assert body["assertionMethod"] == [f"{PACKET}#key-2"]
    assert body["service"] == [
        {
            "id": f"{PACKET}#issuer",
            "type": "OID4VCI",
            "serviceEndpoint": "https://packetdelivery.example/issuer",
        }
    ]
    assert body["trustLedger"]["parent"] == MARKET
    assert body["trustLedger"]["anchor"]["contract"] == chain.deployment.trust_registry

    # versionTime before the rotation: key-1 only; the same DID under the data-space path.
    before = resolver.get(
        "/api/did/v1/identifiers/" + quote(PACKET, safe=""),
        params={"versionTime": xml_time(built["key1_time"])},
        headers={"Accept": "application/did-resolution"},
    )
    assert before.status_code == 200
    result = before.json()
    assert [vm["id"] for vm in result["didDocument"]["verificationMethod"]] == [f"{PACKET}#key-1"]
    assert result["didDocumentMetadata"]["nextVersionId"] is not None
    assert result["didResolutionMetadata"]["contentType"] == "application/did+ld+json"  # DID Core 1.0

    legacy = resolver.get(identifiers(PACKET), headers={"Accept": LEGACY})
    assert legacy.headers["content-type"].startswith("application/ld+json")
    assert legacy.json()["didDocument"]["id"] == PACKET

    fragment = resolver.get(identifiers(f"{PACKET}#key-2"))
    assert fragment.status_code == 200 and fragment.json()["publicKeyJwk"] == KEY_2
    service = resolver.get(identifiers(f"{PACKET}?service=issuer"), follow_redirects=False)
    assert service.status_code == 303
    assert service.headers["location"] == "https://packetdelivery.example/issuer"

    etag = document.headers["etag"]
    assert resolver.get(identifiers(PACKET), headers={"If-None-Match": etag}).status_code == 304

    # Errors with their spec codes, in both wire formats.
    missing = resolver.get(
        identifiers("did:example:nobody"), headers={"Accept": "application/did-resolution"}
    )
    assert missing.status_code == 404
    assert missing.json()["didResolutionMetadata"]["error"]["type"] == "https://www.w3.org/ns/did#NOT_FOUND"
    legacy_missing = resolver.get(identifiers("did:example:nobody"), headers={"Accept": LEGACY})
    assert legacy_missing.json()["didResolutionMetadata"]["error"] == "notFound"
    assert resolver.get(identifiers("did:Bad:x")).status_code == 400
    assert resolver.get(identifiers(PACKET), headers={"Accept": "text/html"}).status_code == 406
    assert resolver.get(identifiers("did:unknownmethod:abc")).status_code == 501
    did_key = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    assert resolver.get(identifiers(did_key)).json()["id"] == did_key

    # The trust list, entity detail, FIWARE TIL and the TW DIW lookup.
    listing = resolver.get("/1.0/trust-list", params={"subtree": MARKET}).json()
    assert [item["did"] for item in listing["items"]] == [MARKET, PACKET, HAPPYPETS]
    accredited = resolver.get("/1.0/trust-list", params={"credentialType": "CustomerCredential"}).json()
    assert [item["did"] for item in accredited["items"]] == [MARKET]
    issuer = resolver.get("/v4/issuers/" + quote(MARKET, safe="")).json()
    attribute, base = issuer["attributes"]  # and VerifiableCredential's, which VCVerifier asks for
    claims = json.loads(base64.b64decode(attribute["body"]))
    assert claims["credentialsType"] == "CustomerCredential"
    assert json.loads(base64.b64decode(base["body"]))["credentialsType"] == "VerifiableCredential"
    assert attribute["tao"] == ROOT and attribute["rootTao"] == ROOT
    assert resolver.get("/api/did/" + quote(PACKET, safe="")).json()["data"]["status"] == 1

    # The status list's bitstring equals the chain's words.
    listed = resolver.get(f"/1.0/status-lists/{built['list_id']}").json()
    encoded = listed["encodedList"]
    assert encoded.startswith("u")
    bitstring = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    reader = chain.gateway(None)
    assert bitstring == b"".join(
        reader.status_word(built["list_id"], w).to_bytes(32, "big") for w in range(512)
    )

    # A revoked entity answers 410; a status as of a past time comes from that time's versions.
    chain.gateway("dev2").set_status(HAPPYPETS, "revoked")
    suspended = chain.gateway("dev1").set_status(PACKET, "suspended")
    later(chain)
    reactivated = chain.gateway("dev1").set_status(PACKET, "active")
    resolver.wait_for_block(reactivated.block_number)
    packet_entity = "/1.0/entities/" + quote(PACKET, safe="")
    then = resolver.get(packet_entity, params={"asOf": xml_time(suspended.block_time)}).json()
    assert then["effectiveStatus"]["status"] == "suspended"
    assert resolver.get(packet_entity).json()["effectiveStatus"]["status"] == "active"
    gone = resolver.get(identifiers(HAPPYPETS), headers={"Accept": "application/did-resolution"})
    assert gone.status_code == 410
    assert gone.json()["didDocumentMetadata"]["deactivated"] is True
    assert gone.json()["didDocument"] is None
    history = resolver.get(packet_entity).json()["history"]
    assert [entry["event"] for entry in history][-2:] == ["StatusChanged", "StatusChanged"]
    assert history[-1]["txHash"] == reactivated.tx_hash


def test_suspended_ancestor_makes_descendants_effectively_suspended(chain, start_resolver):
    build(chain)
    resolver = start_resolver()
    suspended = chain.gateway("anchor").set_status(MARKET, "suspended")
    resolver.wait_for_block(suspended.block_number)
    entity = resolver.get("/1.0/entities/" + quote(HAPPYPETS, safe="")).json()
    assert entity["status"] == "active"
    assert entity["effectiveStatus"] == {"status": "suspended", "ownStatus": "active", "becauseOf": MARKET}
    assert resolver.get("/api/did/" + quote(HAPPYPETS, safe="")).json()["data"]["status"] == 3
    suspended_list = resolver.get("/1.0/trust-list", params={"status": "suspended"}).json()
    assert {item["did"] for item in suspended_list["items"]} == {MARKET, PACKET, HAPPYPETS}


def test_unreachable_chain_is_never_a_5xx_and_is_caught_up_after(chain, start_resolver, proxy):
    built = build(chain)
    resolver = start_resolver(env={"TRUST_LEDGER_RPC_URL": proxy.url})
    resolver.wait_for_block(built["block"])
    proxy.down()
    registered = chain.gateway("dev3").register(
        HAPPYPETS, "shop", "did:example:shop", dev_account("dev4").address
    )

    def says_unreachable() -> bool:
        return resolver.get("/health").json()["chainReachable"] is False

    wait_until(says_unreachable, 60, what="the resolver to notice the chain is gone")
    answer = resolver.get(identifiers(PACKET))
    assert answer.status_code == 200 and answer.headers["x-chain-reachable"] == "false"
    assert resolver.get("/health").json()["status"] == "degraded"
    assert resolver.get(identifiers("did:example:shop")).status_code == 404
    proxy.up()
    resolver.wait_for_block(registered.block_number)
    assert resolver.get(identifiers("did:example:shop")).status_code == 200


def test_rebuild_from_zero_equals_the_live_views(chain, start_resolver):
    built = build(chain)
    resolver = start_resolver()
    resolver.wait_for_block(built["block"])
    pages = {
        path: resolver.get(path).json()
        for path in (
            "/1.0/trust-list",
            identifiers(PACKET),
            f"/1.0/status-lists/{built['list_id']}",
            "/1.0/entities/" + quote(PACKET, safe=""),
        )
    }
    resolver.process.terminate()
    resolver.process.wait(30)

    rebuilt = subprocess.run(
        [*CLI, "rebuild"],
        env=resolver.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "views rebuilt up to ledger notification" in rebuilt.stdout
    again = start_resolver(var=resolver.var)
    for path, before in pages.items():
        after = again.get(path).json()
        for body in (before, after):
            body.pop("links", None)  # absolute URLs name the old and the new port
        assert after == before, path


def test_read_only_replica_over_a_shared_postgresql_store(chain, start_resolver):
    with postgres_schema("e2e") as env:
        built = build(chain)
        writer = start_resolver(env=env)
        writer.wait_for_block(built["block"])
        # The replica has no manifest and no chain: it only reads the shared views.
        replica = start_resolver(
            serve_options=["--no-follow"],
            env={**env, "TRUST_LEDGER_DEPLOYMENT": "/nonexistent/deployment.json"},
        )
        assert replica.get(identifiers(PACKET)).json() == writer.get(identifiers(PACKET)).json()
        assert replica.get("/health").json()["chainReachable"] is None

        later_change = chain.gateway("dev2").add_service(
            PACKET, "verifier", "OID4VP", "https://pd.example/vp"
        )
        replica.wait_for_block(later_change.block_number)
        services = replica.get(identifiers(PACKET)).json()["service"]
        assert [service["id"] for service in services] == [f"{PACKET}#issuer", f"{PACKET}#verifier"]
        for resolver in (replica, writer):  # before the schema goes
            resolver.process.terminate()
            resolver.process.wait(30)

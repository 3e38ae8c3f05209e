"""The admin CLI as a person runs it: real processes against a real Anvil."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from anvil.accounts import dev_account
from tests.support.cli_process import CLI, ok, refused

MARKET = "did:elsi:EU.EORI.NLMARKETPLACE"
PACKET = "did:elsi:EU.EORI.NLPACKETDEL"
HAPPYPETS = "did:elsi:EU.EORI.NLHAPPYPETS"


@pytest.fixture
def cli(chain, tmp_path):
    """Run `trust-ledger ...` against the test chain, signing as a dev account or a key file."""

    def run(
        *args: str, signer: str | None = None, key_file: str | None = None
    ) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "TRUST_LEDGER_DEPLOYMENT": str(chain.manifest),
            "TRUST_LEDGER_VAR": str(tmp_path),
        }
        env.pop("TRUST_LEDGER_PRIVATE_KEY", None)
        if signer:
            env["TRUST_LEDGER_PRIVATE_KEY"] = signer
        options = ["--key-file", key_file] if key_file else []
        return subprocess.run(
            [*CLI, *options, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def test_register_hierarchy_and_refusals(cli, chain):
    # No signer on the dev chain: the trust anchor's dev account signs.
    out = ok(
        cli(
            "entity",
            "register",
            "--parent",
            "root",
            "--label",
            "marketplace",
            "--did",
            MARKET,
            "--controller",
            "dev1",
        )
    )
    assert f"registered {MARKET} as 'marketplace' under root: block" in out
    ok(
        cli(
            "entity",
            "register",
            "--parent",
            MARKET,
            "--label",
            "packetdelivery",
            "--did",
            PACKET,
            "--controller",
            dev_account("dev2").address,
            signer="dev1",
        )
    )
    head = chain.w3.eth.block_number

    grandparent = refused(
        cli(
            "entity",
            "register",
            "--parent",
            PACKET,
            "--label",
            "happypets",
            "--did",
            HAPPYPETS,
            "--controller",
            "dev3",
        )
    )
    assert grandparent == f"{dev_account('anchor').address} is not the controller of {PACKET}"
    stranger = refused(
        cli(
            "entity",
            "register",
            "--parent",
            PACKET,
            "--label",
            "happypets",
            "--did",
            HAPPYPETS,
            "--controller",
            "dev3",
            signer="dev7",
        )
    )
    assert stranger == f"{dev_account('dev7').address} is not the controller of {PACKET}"
    assert chain.w3.eth.block_number == head, "refusals send nothing"

    ok(cli("entity", "suspend", MARKET))
    suspended = refused(
        cli(
            "entity",
            "register",
            "--parent",
            PACKET,
            "--label",
            "happypets",
            "--did",
            HAPPYPETS,
            "--controller",
            "dev3",
            signer="dev2",
        )
    )
    assert suspended == f"{MARKET} is suspended, so it and its descendants cannot act"
    assert refused(cli("entity", "show", HAPPYPETS)) == f"no entity in the registry has the DID {HAPPYPETS}"

    shown = json.loads(ok(cli("--json", "entity", "show", PACKET)))
    assert shown["status"] == "active"
    assert shown["effective"] == f"inactive (because of {MARKET})"

    ok(cli("entity", "reactivate", MARKET))
    ok(
        cli(
            "entity",
            "register",
            "--parent",
            PACKET,
            "--label",
            "happypets",
            "--did",
            HAPPYPETS,
            "--controller",
            "dev3",
            signer="dev2",
        )
    )
    ok(cli("entity", "revoke", MARKET))
    assert refused(cli("entity", "reactivate", MARKET)) == f"{MARKET} is revoked, and revocation is final"


def test_accredit_keys_services_controller_with_key_file(cli, chain, tmp_path):
    ok(
        cli(
            "entity",
            "register",
            "--parent",
            "root",
            "--label",
            "marketplace",
            "--did",
            MARKET,
            "--controller",
            "dev1",
        )
    )
    key_file = tmp_path / "market.key"
    key_file.write_text(dev_account("dev1").key.hex())

    ok(
        cli(
            "entity",
            "accredit",
            MARKET,
            "--type",
            "CustomerCredential",
            "--role",
            f"{PACKET}=P.Info.standard,P.Info.gold",
            "--valid-until",
            "2030-01-01T00:00:00Z",
        )
    )
    ok(
        cli(
            "entity",
            "register",
            "--parent",
            MARKET,
            "--label",
            "packetdelivery",
            "--did",
            PACKET,
            "--controller",
            "dev2",
            key_file=str(key_file),
        )
    )
    escalation = refused(
        cli(
            "entity",
            "accredit",
            PACKET,
            "--type",
            "CustomerCredential",
            "--role",
            f"{PACKET}=P.Create",
            "--valid-until",
            "2029-01-01T00:00:00Z",
            key_file=str(key_file),
        )
    )
    assert escalation == (
        f"{MARKET} may not grant role P.Create for {PACKET} in CustomerCredential itself, "
        "so it cannot hand it down"
    )
    too_long = refused(
        cli(
            "entity",
            "accredit",
            PACKET,
            "--type",
            "CustomerCredential",
            "--valid-until",
            "2031-01-01T00:00:00Z",
            key_file=str(key_file),
        )
    )
    assert too_long.startswith(
        f"the validity window exceeds {MARKET}'s own accreditation for CustomerCredential"
    )
    ok(
        cli(
            "entity",
            "accredit",
            PACKET,
            "--type",
            "CustomerCredential",
            "--role",
            f"{PACKET}=P.Info.standard",
            "--valid-until",
            "2029-01-01T00:00:00Z",
            key_file=str(key_file),
        )
    )
    reader = chain.gateway(None)
    assert reader.call(
        reader.registry,
        "mayGrantRole",
        reader.node_of(PACKET),
        "CustomerCredential",
        PACKET,
        "P.Info.standard",
    )
    ok(cli("entity", "withdraw", PACKET, "--type", "CustomerCredential", key_file=str(key_file)))

    jwk = json.dumps(
        {
            "kty": "EC",
            "crv": "P-256",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        },
        separators=(",", ":"),
    )
    ok(
        cli(
            "key",
            "add",
            MARKET,
            "--id",
            "key-1",
            "--jwk",
            jwk,
            "--purpose",
            "assertionMethod",
            "--purpose",
            "authentication",
            signer="dev1",
        )
    )
    private = refused(
        cli("key", "add", MARKET, "--id", "key-2", "--jwk", jwk[:-1] + ',"d":"secret"}', signer="dev1")
    )
    assert private == "--jwk holds private members (d): give the public key only"
    ok(
        cli(
            "key",
            "add",
            MARKET,
            "--id",
            "key-ed",
            "--multibase",
            "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "--purpose",
            "authentication",
            signer="dev1",
        )
    )
    key = reader.call(reader.registry, "keyOf", reader.node_of(MARKET), "key-ed")
    assert key[0] is True and key[2] == 1
    ok(cli("key", "revoke", MARKET, "--id", "key-1", signer="dev1"))
    assert refused(cli("key", "revoke", MARKET, "--id", "key-1", signer="dev1")) == (
        f"the key 'key-1' of {MARKET} is already revoked; it can only be declared compromised later, "
        "or compromised since an earlier time"
    )
    # issue 14 item 1: a rotated key found stolen later is declared compromised, with a time
    assert refused(
        cli("key", "revoke", MARKET, "--id", "key-1", "--reason", "compromise", signer="dev1")
    ) == ("--reason compromise needs --since: the time since which the key is compromised")
    assert refused(
        cli("key", "revoke", MARKET, "--id", "key-1", "--reason", "lost", "--since", "1", signer="dev1")
    ) == ("--reason 'lost' is not one of unspecified, superseded, compromise")
    assert refused(
        cli("key", "revoke", MARKET, "--id", "key-ed", "--since", "2024-01-01T00:00:00Z", signer="dev1")
    ) == ("--since is for --reason compromise only, not unspecified")
    assert refused(
        cli(
            "key",
            "revoke",
            MARKET,
            "--id",
            "key-ed",
            "--reason",
            "compromise",
            "--since",
            "2999-01-01T00:00:00Z",
            signer="dev1",
        )
    ).startswith("a keyCompromise revocation needs a compromise time between 1 and the block time ")
    out = ok(
        cli(
            "key",
            "revoke",
            MARKET,
            "--id",
            "key-1",
            "--reason",
            "compromise",
            "--since",
            "2024-01-01T00:00:00Z",
            signer="dev1",
        )
    )
    assert f"revoked key #key-1 of {MARKET} as compromised since 2024-01-01T00:00:00Z: block" in out

    ok(
        cli(
            "service",
            "add",
            MARKET,
            "--id",
            "resolver",
            "--type",
            "DIDResolver",
            "--endpoint",
            "https://market.example/1.0/identifiers/",
            signer="dev1",
        )
    )
    ok(cli("service", "remove", MARKET, "--id", "resolver", signer="dev1"))

    ok(cli("entity", "set-controller", MARKET, "--controller", "dev4", signer="dev1"))
    assert chain.gateway(None).entity(MARKET).controller == dev_account("dev4").address


def test_status_lists_and_bits(cli, chain):
    ok(
        cli(
            "entity",
            "register",
            "--parent",
            "root",
            "--label",
            "marketplace",
            "--did",
            MARKET,
            "--controller",
            "dev1",
        )
    )
    out = ok(
        cli(
            "--json",
            "status-list",
            "create",
            MARKET,
            "--purpose",
            "revocation",
            "--uri",
            "https://market.example/status/1",
            signer="dev1",
        )
    )
    created = json.loads(out)
    list_id = created["events"][0]["args"]["listId"]
    ok(cli("status", "set", str(list_id), "0", "7,9", "256-511", signer="dev1"))
    reader = chain.gateway(None)
    assert reader.status_word(list_id, 1) == 2**256 - 1
    assert reader.is_status_set(list_id, 7) and reader.is_status_set(list_id, 9)
    assert refused(cli("status", "clear", str(list_id), "300", signer="dev1")) == (
        f"status list {list_id} is a revocation list: revocation is final, so its bits can only be set "
        "(index 300 cannot be cleared); use a suspension list for a status that can be lifted"
    )
    assert reader.is_status_set(list_id, 300)

    stranger = refused(cli("status", "set", str(list_id), "1", signer="dev5"))
    assert stranger.endswith("nor one of its status-list delegates")
    assert refused(cli("status", "set", str(list_id), "5-2", signer="dev1")) == (
        "'5-2' is not an index or a range like 100-120"
    )
    ok(cli("status-list", "delegate", MARKET, "dev5", signer="dev1"))
    ok(cli("status", "set", str(list_id), "1", signer="dev5"))
    assert reader.is_status_set(list_id, 1)


def test_bad_signer_and_missing_manifest_are_one_line_errors(cli, tmp_path):
    assert refused(cli("entity", "suspend", MARKET, signer="not-a-key")) == (
        "TRUST_LEDGER_PRIVATE_KEY does not hold a hex private key or a dev account name"
    )
    missing = subprocess.run(
        [*CLI, "--deployment", str(tmp_path / "none.json"), "entity", "show", MARKET],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused(missing).startswith(f"no deployment manifest at {tmp_path / 'none.json'}")

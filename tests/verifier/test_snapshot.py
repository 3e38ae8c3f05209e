"""Signed offline snapshots on the real chain: what the offline source reads is what the live views
read, a snapshot that is tampered with or signed by another key is refused, and `export-trust`
writes one that loads with the public key it writes."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from anvil.accounts import dev_account
from api.credentials.keys import SigningKey
from api.verifier.snapshot import (
    SNAPSHOT_TYP,
    OfflineTrustSource,
    SnapshotInvalid,
    build_snapshot,
    sign_snapshot,
)
from api.verifier.trust_source import ViewsTrustSource
from projections.accreditation import RoleGrant
from projections.api import EffectiveStatus
from projections.service import LedgerService
from tests.support.chain import ROOT_DID, DevChain
from tests.support.cli_process import CLI, ok, refused
from tests.support.waiting import wait_until
from trust_ledger.chain.follower import default_horizon

PARENT = "did:web:agency.snapshot.test"
ISSUER = "did:web:acme.snapshot.test"
SIBLING = "did:web:sibling.snapshot.test"
NEPHEW = "did:web:nephew.snapshot.test"
TARGET = "did:web:verifier.snapshot.test"
UNKNOWN = "did:web:nobody.snapshot.test"
EMPLOYEE = "EmployeeCredential"
REVOCATION_URI = "https://acme.snapshot.test/status/1"
SUSPENSION_URI = "https://acme.snapshot.test/status/2"
PERSISTENCE_VARIABLES = (
    "PERSISTENCE_MODULE",
    "TRUSTLEDGER_PERSISTENCE_MODULE",
    "ISSUANCERECORDS_PERSISTENCE_MODULE",
)


@dataclass
class FollowedHierarchy:
    """The test hierarchy on chain, a LedgerService following it, and the status bits that were set."""

    chain: DevChain
    service: LedgerService
    issuer_key: SigningKey
    bits: dict[str, set[int]]  # status list URI -> indices set

    @property
    def live(self) -> ViewsTrustSource:
        return ViewsTrustSource(self.service.views)


def _register(chain: DevChain, issuer_key: SigningKey) -> tuple[dict[str, set[int]], int]:
    """root -> agency (dev1) -> acme (dev2, key + accreditation with roles), and a suspended sibling
    (dev3) with a child of its own; acme owns a revocation and a suspension list with bits set."""
    anchor, agency, acme = chain.gateway("anchor"), chain.gateway("dev1"), chain.gateway("dev2")
    anchor.register("root", "agency", PARENT, dev_account("dev1").address)
    anchor.accredit(PARENT, EMPLOYEE, [(TARGET, ["A", "B"])])
    agency.register(PARENT, "acme", ISSUER, dev_account("dev2").address)
    agency.accredit(ISSUER, EMPLOYEE, [(TARGET, ["A"])])
    acme.add_key(
        ISSUER,
        "key-1",
        "JsonWebKey2020",
        json.dumps(issuer_key.public_jwk).encode(),
        ["assertionMethod"],
    )
    agency.register(PARENT, "sibling", SIBLING, dev_account("dev3").address)
    chain.gateway("dev3").register(SIBLING, "nephew", NEPHEW, dev_account("dev4").address)
    agency.set_status(SIBLING, "suspended")
    revocation, _ = acme.create_status_list(ISSUER, "revocation", REVOCATION_URI)
    suspension, _ = acme.create_status_list(ISSUER, "suspension", SUSPENSION_URI, 1024)
    acme.set_statuses(revocation, [0, 3, 131_071])
    acme.set_statuses(suspension, [7, 500, 1023])
    last = acme.set_statuses(suspension, [500], value=False)  # a lifted suspension (revocation is final)
    return {REVOCATION_URI: {0, 3, 131_071}, SUSPENSION_URI: {7, 1023}}, last.block_number


@pytest.fixture
def snapshot_hierarchy(
    chain: DevChain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FollowedHierarchy]:
    """The hierarchy registered on the test chain, its views (SQLite) on the last block."""
    monkeypatch.setenv("TRUST_LEDGER_VAR", str(tmp_path / "var"))
    for name in PERSISTENCE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    issuer_key = SigningKey.generate(did=ISSUER, key_id="key-1")
    bits, last_block = _register(chain, issuer_key)
    service = LedgerService.open(
        chain.gateway(None), default_horizon(chain.deployment.chain_id), poll_interval=0.05
    )
    service.start()
    try:
        wait_until(
            lambda: (service.views.freshness().block_number or -1) >= last_block,
            60,
            what=f"the views to reach block {last_block}",
        )
        yield FollowedHierarchy(chain, service, issuer_key, bits)
    finally:
        service.stop()
        service.views.close()


def _all_dids(hierarchy: FollowedHierarchy) -> list[str]:
    listing = hierarchy.service.views.trust_list(size=1000)
    assert listing.total == len(listing.items)
    return [entry.did for entry in listing.items]


def _assert_same_trust(offline: OfflineTrustSource, hierarchy: FollowedHierarchy) -> None:
    """Every entity, effective status and status-list bit reads the same offline as live."""
    live = hierarchy.live
    for did in [*_all_dids(hierarchy), UNKNOWN]:
        assert offline.entity(did) == live.entity(did), did
        assert offline.effective_status(did) == live.effective_status(did), did
    for uri, expected in hierarchy.bits.items():
        offline_bits = offline.status_list(ISSUER, uri)
        live_bits = live.status_list(ISSUER, uri)
        assert offline_bits is not None and offline_bits == live_bits
        assert all(offline_bits.is_set(i) == live_bits.is_set(i) for i in range(live_bits.size))
        assert {i for i in range(offline_bits.size) if offline_bits.is_set(i)} == expected


def test_offline_source_reads_what_the_views_read(snapshot_hierarchy: FollowedHierarchy) -> None:
    views = snapshot_hierarchy.service.views
    snapshot = build_snapshot(views)
    key = SigningKey.generate()
    token = sign_snapshot(snapshot, key)

    offline = OfflineTrustSource.load(token, key.public_jwk)

    assert set(_all_dids(snapshot_hierarchy)) >= {ROOT_DID, PARENT, ISSUER, SIBLING, NEPHEW}
    assert offline.entity_count == len(_all_dids(snapshot_hierarchy))
    _assert_same_trust(offline, snapshot_hierarchy)
    issuer = offline.entity(ISSUER)
    assert issuer is not None and issuer.parent_did == PARENT and issuer.status == "active"
    assert issuer.accreditations[EMPLOYEE].roles == (RoleGrant.of(TARGET, ["A"]),)
    assert "assertionMethod" in issuer.keys["key-1"].purpose_names
    assert offline.effective_status(SIBLING) == EffectiveStatus("suspended", "suspended", None)
    assert offline.effective_status(NEPHEW) == EffectiveStatus("suspended", "active", SIBLING)
    assert offline.entity(UNKNOWN) is None and offline.effective_status(UNKNOWN) is None
    assert offline.status_list(ISSUER, "https://acme.snapshot.test/status/404") is None
    assert offline.status_list(PARENT, REVOCATION_URI) is None, "a list is found under its owner only"

    freshness = views.freshness()
    assert offline.chain_id == snapshot_hierarchy.chain.deployment.chain_id
    assert offline.block_number == freshness.block_number
    assert offline.as_of() == freshness.block_time
    assert offline.issuer == key.kid
    exported = snapshot["exported_at"]
    assert offline.describe().startswith(f"offline snapshot of block {freshness.block_number} exported at ")
    assert offline.age(exported + 90) == 90
    assert offline.block_age(exported + 90) == exported + 90 - freshness.block_time
    assert 0 <= offline.age() < 60


def test_snapshot_loads_from_a_file(snapshot_hierarchy: FollowedHierarchy, tmp_path: Path) -> None:
    key = SigningKey.generate("Ed25519")
    path = tmp_path / "trust.jws"
    path.write_text(sign_snapshot(build_snapshot(snapshot_hierarchy.service.views), key) + "\n")

    for source in (path, str(path)):
        _assert_same_trust(OfflineTrustSource.load(source, key.public_jwk), snapshot_hierarchy)


def test_tampered_foreign_or_malformed_snapshots_are_refused(
    snapshot_hierarchy: FollowedHierarchy, tmp_path: Path
) -> None:
    key = SigningKey.generate()
    snapshot = build_snapshot(snapshot_hierarchy.service.views)
    token = sign_snapshot(snapshot, key)
    header, payload, signature = token.split(".")
    middle = len(payload) // 2
    flipped = "B" if payload[middle] != "B" else "C"
    tampered = f"{header}.{payload[:middle]}{flipped}{payload[middle + 1 :]}.{signature}"

    with pytest.raises(SnapshotInvalid, match=r"SIGNATURE_INVALID.*does not verify"):
        OfflineTrustSource.load(tampered, key.public_jwk)
    with pytest.raises(SnapshotInvalid, match=r"SIGNATURE_INVALID"):
        OfflineTrustSource.load(token, SigningKey.generate().public_jwk)
    with pytest.raises(SnapshotInvalid, match=r"ALG_NOT_ALLOWED.*'ES256' does not match a Ed25519 key"):
        OfflineTrustSource.load(token, SigningKey.generate("Ed25519").public_jwk)
    with pytest.raises(SnapshotInvalid, match=r"KEY_UNSUPPORTED.*private members"):
        OfflineTrustSource.load(token, key.private_jwk())

    as_jwt = key.sign({**snapshot, "iss": key.kid}, {"typ": "JWT"})
    with pytest.raises(SnapshotInvalid, match=re.escape(f"typ is 'JWT', not '{SNAPSHOT_TYP}'")):
        OfflineTrustSource.load(as_jwt, key.public_jwk)
    no_lists = sign_snapshot({k: v for k, v in snapshot.items() if k != "status_lists"}, key)
    with pytest.raises(SnapshotInvalid, match=r"malformed snapshot payload: KeyError 'status_lists'"):
        OfflineTrustSource.load(no_lists, key.public_jwk)
    not_base64url = {**snapshot["status_lists"][0], "bitstring": "eJw+/w=="}
    with pytest.raises(SnapshotInvalid, match=rf"{REVOCATION_URI}: bad bitstring \(not base64url"):
        OfflineTrustSource.load(
            sign_snapshot({**snapshot, "status_lists": [not_base64url]}, key), key.public_jwk
        )
    short_list = {**snapshot["status_lists"][0], "size": 8}
    with pytest.raises(SnapshotInvalid, match=rf"{REVOCATION_URI}: bitstring does not hold 8 bits"):
        OfflineTrustSource.load(
            sign_snapshot({**snapshot, "status_lists": [short_list]}, key), key.public_jwk
        )
    entity = next(e for e in snapshot["entities"] if e["keys"])
    key_id = next(iter(entity["keys"]))
    bad_key = {**entity, "keys": {key_id: {**entity["keys"][key_id], "valid_from": "yesterday"}}}
    with pytest.raises(SnapshotInvalid, match=r"malformed .*'valid_from' is not an integer"):
        OfflineTrustSource.load(sign_snapshot({**snapshot, "entities": [bad_key]}, key), key.public_jwk)
    held = {**entity, "accreditations": {EMPLOYEE: {"roles": [{"target": TARGET, "names": "A"}]}}}
    with pytest.raises(SnapshotInvalid, match=r"malformed .*'names' is not a list of strings"):
        OfflineTrustSource.load(sign_snapshot({**snapshot, "entities": [held]}, key), key.public_jwk)
    with pytest.raises(SnapshotInvalid, match=r"unknown snapshot format 'trust-ledger-snapshot/99'"):
        OfflineTrustSource.load(
            sign_snapshot({**snapshot, "format": "trust-ledger-snapshot/99"}, key), key.public_jwk
        )
    with pytest.raises(SnapshotInvalid, match=r"cannot read the snapshot .*missing\.jws"):
        OfflineTrustSource.load(tmp_path / "missing.jws", key.public_jwk)


# ---------------------------------------------------------------------- the CLI


@pytest.fixture
def export_cli(snapshot_hierarchy: FollowedHierarchy, tmp_path: Path):
    """Run `trust-ledger ...` in a process on the test chain, with its own (empty) var dir."""

    def run(*args: str, manifest: Path | None = None, var: str = "cli-var") -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "TRUST_LEDGER_DEPLOYMENT": str(manifest or snapshot_hierarchy.chain.manifest),
            "TRUST_LEDGER_VAR": str(tmp_path / var),
        }
        for name in (*PERSISTENCE_VARIABLES, "TRUST_LEDGER_PRIVATE_KEY", "TRUST_LEDGER_RPC_URL"):
            env.pop(name, None)
        return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)

    return run


def test_export_trust_writes_a_snapshot_that_loads_with_its_public_key(
    export_cli, snapshot_hierarchy: FollowedHierarchy, tmp_path: Path
) -> None:
    out = tmp_path / "trust.jws"
    entities = len(_all_dids(snapshot_hierarchy))

    printed = ok(export_cli("export-trust", "--out", str(out)))

    assert f"exported {entities} entities and 2 status lists at block " in printed
    assert f"to {out} ({out.stat().st_size} bytes)" in printed
    key_file = tmp_path / "cli-var" / "trust-export-key.jwk"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    public = json.loads((tmp_path / "trust.jws.pub.jwk").read_text())
    assert public == SigningKey.from_jwk(key_file.read_text()).public_jwk
    offline = OfflineTrustSource.load(out, public)
    _assert_same_trust(offline, snapshot_hierarchy)
    assert offline.block_number >= snapshot_hierarchy.service.views.freshness().block_number

    # The key is made once and reused; --public-key-out puts the public JWK elsewhere.
    again = tmp_path / "again.jws"
    ok(export_cli("--json", "export-trust", "--out", str(again), "--public-key-out", str(tmp_path / "p.jwk")))
    assert json.loads((tmp_path / "p.jwk").read_text()) == public
    _assert_same_trust(OfflineTrustSource.load(again, public), snapshot_hierarchy)


def test_export_trust_with_a_given_key_and_its_refusals(
    export_cli, snapshot_hierarchy: FollowedHierarchy, tmp_path: Path
) -> None:
    key = SigningKey.generate("secp256k1")
    key_file = tmp_path / "export.jwk"
    key_file.write_text(json.dumps(key.private_jwk()))
    out = tmp_path / "trust.jws"

    summary = json.loads(
        ok(export_cli("--json", "export-trust", "--out", str(out), "--signing-key", str(key_file)))
    )

    assert summary["kid"] == key.kid and summary["status_lists"] == 2
    assert summary["bytes"] == out.stat().st_size
    assert json.loads(Path(summary["public_key"]).read_text()) == key.public_jwk
    _assert_same_trust(OfflineTrustSource.load(out, key.public_jwk), snapshot_hierarchy)
    assert not (tmp_path / "cli-var" / "trust-export-key.jwk").exists()

    public_only = tmp_path / "public.jwk"
    public_only.write_text(json.dumps(key.public_jwk))
    assert refused(export_cli("export-trust", "--out", str(out), "--signing-key", str(public_only))) == (
        f"{public_only} does not hold a private JWK: JWK has no private part 'd'"
    )
    missing = tmp_path / "missing.jwk"
    assert refused(export_cli("export-trust", "--out", str(out), "--signing-key", str(missing))) == (
        f"cannot read the signing key {missing}: No such file or directory"
    )
    # No manifest and nothing in the views: no follower keeps them fresh, said in one line.
    nothing = refused(
        export_cli("export-trust", "--out", str(out), manifest=tmp_path / "none.json", var="empty-var")
    )
    assert nothing == (
        "TRUST_DATA_STALE: the views are not exported: no follower has reported on these views "
        "(views at block None)"
    )

"""The wallet on disk: its key and DID, and credentials that survive restarts and crashes."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from api.credentials.keys import SigningKey
from api.wallet import Wallet, WalletError
from api.wallet.store import CredentialStore, StoredCredential
from tests.wallet.issuer_stub import PERSON, StubIssuer


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_key_file_is_private_and_holds_the_jwk(tmp_path: Path) -> None:
    wallet = Wallet(tmp_path / "w")
    key_file = tmp_path / "w" / "holder_key.jwk"
    assert mode(key_file) == 0o600 and mode(tmp_path / "w") == 0o700
    jwk = json.loads(key_file.read_text())
    assert SigningKey.from_jwk(jwk).public_jwk == wallet.holder.key.public_jwk and "d" in jwk
    holder = json.loads((tmp_path / "w" / "holder.json").read_text())
    assert holder["holder_did"] == wallet.holder_did and holder["binding"] == "did:jwk"
    assert holder["curve"] == "P-256" and jwk["d"] not in json.dumps(holder)


def test_persistence_across_instances(issuer: StubIssuer, tmp_path: Path) -> None:
    first = Wallet(tmp_path / "w", curve="Ed25519", binding="did:key")
    stored = first.accept_offer(issuer.offer("Person", "Degree"))
    again = Wallet(tmp_path / "w")
    assert again.holder_did == first.holder_did and again.holder.key.curve == "Ed25519"
    assert again.credentials() == stored
    assert Wallet.open(tmp_path / "w").credential(stored[1].id[:6]) == stored[1]
    # The reopened wallet keeps accepting with the same key.
    [more] = again.accept_offer(issuer.offer("Person"))
    assert issuer.proofs[-1].holder_did == first.holder_did and more.claims == PERSON
    assert len(again.credentials()) == 3


def test_explicit_settings_must_match_the_existing_wallet(tmp_path: Path) -> None:
    Wallet(tmp_path / "w", binding="did:key")
    with pytest.raises(WalletError, match=r"uses did:key, not did:jwk"):
        Wallet(tmp_path / "w", binding="did:jwk")
    with pytest.raises(WalletError, match=r"has a key on P-256, not Ed25519"):
        Wallet(tmp_path / "w", curve="Ed25519")
    with pytest.raises(WalletError, match=r"unsupported curve 'P-384'"):
        Wallet(tmp_path / "other", curve="P-384")


def test_open_does_not_create(tmp_path: Path) -> None:
    with pytest.raises(WalletError, match=r"^wallet failed: there is no wallet in "):
        Wallet.open(tmp_path / "none")
    assert not (tmp_path / "none").exists()


def test_concurrent_creation_yields_one_key(tmp_path: Path) -> None:
    barrier = threading.Barrier(8)
    dids: list[str] = []

    def create() -> None:
        barrier.wait()
        dids.append(Wallet(tmp_path / "w").holder_did)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(dids) == 8 and len(set(dids)) == 1
    assert Wallet(tmp_path / "w").holder_did == dids[0]
    assert sorted(p.name for p in (tmp_path / "w").iterdir()) == ["holder.json", "holder_key.jwk"]


def _credential(number: int) -> StoredCredential:
    return StoredCredential(
        id=f"{number:016x}",
        format="jwt_vc_json",
        raw=f"raw-{number}",
        configuration_id="Degree",
        issuer="https://issuer.test",
        received_at=f"2026-01-01T00:00:0{number}Z",
        claims={"n": number},
    )


def test_a_failed_write_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = CredentialStore(tmp_path)
    store.save(_credential(1))

    def crash(source: str, target: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        store.save(_credential(2))
    with pytest.raises(OSError, match="disk gone"):
        store.save(StoredCredential(**{**_credential(1).to_json(), "claims": {"n": "changed"}}))
    monkeypatch.undo()
    assert store.all() == [_credential(1)]
    assert [p.name for p in store.directory.iterdir()] == [f"{1:016x}.json"]


def test_leftovers_of_an_interrupted_write_are_ignored(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.save(_credential(1))
    (store.directory / f".{2:016x}.json.k2j3.tmp").write_text('{"id": "trunc')
    assert store.all() == [_credential(1)]
    assert mode(store.directory / f"{1:016x}.json") == 0o600


def test_lookup_by_prefix(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path)
    store.save(_credential(1))
    store.save(_credential(2))
    assert store.get(f"{2:016x}") == _credential(2)
    with pytest.raises(WalletError, match="matches 2 credentials"):
        store.get("0000")
    with pytest.raises(WalletError, match="no credential 'ff'"):
        store.get("ff")

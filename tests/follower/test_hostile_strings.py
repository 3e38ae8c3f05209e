"""Participants write any bytes into string fields (the ABI does not check UTF-8): the follower
mirrors them faithfully, renders them safely and never halts.

The raw logs here are encoded exactly as the contracts' events encode them (string fields carry
arbitrary bytes, as a participant's transaction can) and shaped as eth_getLogs returns them, so
they go through the real decoder, follower, ledger and projector without depending on what the
contracts accept."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections import Projector, open_views
from resolver.documents import render_document
from tests.support.chainlogs import ACCOUNTS, CHAIN_ID, STATUS_REGISTRY, TRUST_REGISTRY
from trust_ledger.chain.abi import selector
from trust_ledger.chain.compiler import compile_contracts
from trust_ledger.chain.decoding import LogDecoder
from trust_ledger.chain.follower import BlockHeader, Follower
from trust_ledger.domain import ROOT_NODE
from trust_ledger.domain.text import is_opaque, raw_bytes, text_of
from trust_ledger.ledger import TrustLedger

HOSTILE = b"svc-\xff\xfe"


def _abis() -> dict[str, dict[str, dict]]:
    compiled = compile_contracts()
    return {
        address: {entry["name"]: entry for entry in compiled[name].abi if entry["type"] == "event"}
        for address, name in ((TRUST_REGISTRY, "TrustRegistry"), (STATUS_REGISTRY, "StatusRegistry"))
    }


ABIS = _abis()


def decoder() -> LogDecoder:
    return LogDecoder(
        CHAIN_ID,
        {address: list(events.values()) for address, events in ABIS.items()},
    )


def _wire(param: dict) -> str:
    kind = param["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_wire(c) for c in param["components"]) + ")" + kind[len("tuple") :]
    return "bytes" + kind[len("string") :] if kind.startswith("string") else kind


def _topic(param: dict, value: Any) -> str:
    if param["type"] == "bytes32":
        return value
    return "0x" + abi_encode([param["type"]], [value]).hex()


@dataclass
class RawChain:
    """Raw eth_getLogs entries in chain order, one block per log, string fields as given bytes."""

    logs: list[dict[str, Any]] = field(default_factory=list)
    block: int = 10

    def emit(self, event: str, **args: Any) -> None:
        address = TRUST_REGISTRY if event in ABIS[TRUST_REGISTRY] else STATUS_REGISTRY
        entry = ABIS[address][event]
        indexed = [p for p in entry["inputs"] if p["indexed"]]
        plain = [p for p in entry["inputs"] if not p["indexed"]]
        self.block += 1
        self.logs.append(
            {
                "address": address.lower(),
                "topics": ["0x" + selector(entry).hex()] + [_topic(p, args[p["name"]]) for p in indexed],
                "data": "0x" + abi_encode([_wire(p) for p in plain], [args[p["name"]] for p in plain]).hex(),
                "blockNumber": hex(self.block),
                "blockHash": self.hash(self.block),
                "blockTimestamp": hex(1_735_689_600 + 12 * self.block),
                "transactionHash": "0x" + keccak(text=f"tx{self.block}").hex(),
                "logIndex": "0x0",
            }
        )

    @staticmethod
    def hash(number: int) -> str:
        return "0x" + keccak(text=f"block{number}").hex()


class RawLogSource:
    """A LogSource serving `chain`'s raw logs, the head at its last block."""

    def __init__(self, chain: RawChain):
        self.chain = chain

    def header(self, block: int | str) -> BlockHeader | None:
        number = self.chain.block if isinstance(block, str) else block
        if number > self.chain.block:
            return None
        return BlockHeader(number, RawChain.hash(number), 1_735_689_600 + 12 * number)

    def get_logs(self, from_block: int, to_block: int) -> list[dict[str, Any]]:
        return [raw for raw in self.chain.logs if from_block <= int(raw["blockNumber"], 16) <= to_block]


def node_of(parent: str, label: bytes) -> str:
    return "0x" + keccak(bytes.fromhex(parent[2:]) + keccak(label)).hex()


@dataclass(frozen=True)
class Strings:
    """One string field per participant-written string of the two registries."""

    root_did: bytes
    did: bytes
    label: bytes
    credential_type: bytes
    role_target: bytes
    role_name: bytes
    key_id: bytes
    key_type: bytes
    public_key: bytes
    service_id: bytes
    service_type: bytes
    endpoint: bytes
    uri: bytes


def history(chain: RawChain, s: Strings) -> tuple[str, str]:
    """Every event of both registries with `s` in their string fields; returns (child node, delegate)."""
    anchor, child_controller, delegate = ACCOUNTS["deployer"], ACCOUNTS["domaina"], ACCOUNTS["delegate"]
    child = node_of(ROOT_NODE, s.label)
    chain.emit(
        "EntityRegistered",
        node=ROOT_NODE,
        parent=ROOT_NODE,
        label=b"",
        did=s.root_did,
        controller=anchor,
        proofKind=0,
        proofExpiry=0,
        proof=b"",
        by=anchor,
    )
    chain.emit(
        "EntityRegistered",
        node=child,
        parent=ROOT_NODE,
        label=s.label,
        did=s.did,
        controller=child_controller,
        proofKind=2,  # a signature the follower checks: it must come to a verdict on any bytes
        proofExpiry=2**64 - 1,
        proof=s.did[:64],
        by=anchor,
    )
    type_hash = "0x" + keccak(s.credential_type).hex()
    chain.emit(
        "EntityAccredited",
        node=child,
        credentialTypeHash=type_hash,
        credentialType=s.credential_type,
        roles=[(s.role_target, [s.role_name, HOSTILE])],
        validFrom=0,
        validUntil=0,
        by=anchor,
    )
    chain.emit(
        "KeyAdded",
        node=child,
        keyId=s.key_id,
        keyType=s.key_type,
        publicKey=s.public_key,
        purposes=3,
        validFrom=0,
        validUntil=0,
        by=child_controller,
    )
    chain.emit(
        "ServiceAdded",
        node=child,
        serviceId=s.service_id,
        serviceType=s.service_type,
        endpoint=s.endpoint,
        by=child_controller,
    )
    # A second service whose id differs from the first only in bytes that render alike.
    chain.emit(
        "ServiceAdded",
        node=child,
        serviceId=s.service_id + b"\xff",
        serviceType=s.service_type,
        endpoint=s.endpoint,
        by=child_controller,
    )
    chain.emit(
        "ServiceAdded",
        node=child,
        serviceId=s.service_id + b"\xfe",
        serviceType=s.service_type,
        endpoint=s.endpoint,
        by=child_controller,
    )
    chain.emit(
        "StatusListCreated", listId=1, owner=child, purpose=0, size=256, uri=s.uri, by=child_controller
    )
    chain.emit("StatusWordsChanged", listId=1, wordIndices=[0], words=[1 << 255], by=child_controller)
    chain.emit("StatusDelegateChanged", owner=child, delegate=delegate, authorised=True, by=child_controller)
    chain.emit("ServiceRemoved", node=child, serviceId=s.service_id, by=child_controller)
    chain.emit("KeyRevoked", node=child, keyId=s.key_id, reason=2, compromisedSince=1, by=child_controller)
    chain.emit(
        "AccreditationWithdrawn",
        node=child,
        credentialTypeHash=type_hash,
        credentialType=s.credential_type,
        by=anchor,
    )
    return child, delegate


def any_bytes(max_size: int = 80) -> st.SearchStrategy[bytes]:
    """Arbitrary bytes, biased towards what breaks text handling: invalid UTF-8, NUL and other
    control characters, U+FFFD, bidirectional controls, the opaque form itself, and empty."""
    tricky = st.sampled_from(
        [
            b"",
            b"\x00",
            b"\xff\xfe",
            b"\xed\xa0\x80",
            b"\xc0\xaf",
            "\ufffd".encode(),
            "\u202e".encode(),
            b"\r\n\t",
            b"a" * 3000,
            b"x [0x78]",
            "\ufffd [0x78]".encode(),
            b"did:",
            "\U0001f600".encode(),
        ]
    )
    return st.lists(st.one_of(st.binary(max_size=max_size), tricky), max_size=3).map(b"".join)


STRINGS = st.builds(
    Strings,
    **{
        name: any_bytes() for name in Strings.__dataclass_fields__ if name not in ("label", "did", "root_did")
    },
    root_did=any_bytes(),
    label=any_bytes(40),
    did=any_bytes(),
).filter(lambda s: s.did != s.root_did and node_of(ROOT_NODE, s.label) != ROOT_NODE)


def ledger_env(backend: str, directory: Path) -> dict[str, str]:
    if backend == "sqlite":
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(directory / "ledger.sqlite"),
        }
    return {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def recorded_strings(ledger: TrustLedger, did: str) -> list[str]:
    """Every string value in the entity's history (its events' changes)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for item in ledger.history(did):
        walk(item["changes"])
    return found


@pytest.mark.parametrize("backend", ["popo", "sqlite"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strings=STRINGS)
def test_any_bytes_in_every_string_field_are_mirrored_without_halting(backend: str, strings: Strings) -> None:
    chain = RawChain()
    child, _ = history(chain, strings)
    with tempfile.TemporaryDirectory() as directory:
        env = ledger_env(backend, Path(directory))
        ledger = TrustLedger(env=env)
        views = open_views(env)
        try:
            follower = Follower(ledger, decoder(), RawLogSource(chain), start_block=0)
            progress = follower.poll()
            assert progress.logs == len(chain.logs)
            assert ledger.cursor().block_number == chain.block

            did = text_of(strings.did)
            entity = ledger.entity_by_node(child)
            assert entity is not None and entity["did"] == did
            history_items = ledger.history(did)
            assert (
                len(history_items) == len(chain.logs) - 3
            )  # all but the root's and the two status-list logs
            assert [i["event"] for i in history_items][-3:] == [
                "ServiceRemoved",
                "KeyRevoked",
                "AccreditationWithdrawn",
            ]
            # Recorded faithfully: every participant's bytes read back exactly from what the ledger holds.
            recorded = recorded_strings(ledger, did)
            for written in (
                strings.label,
                strings.did,
                strings.credential_type,
                strings.role_target,
                strings.role_name,
                strings.key_id,
                strings.key_type,
                strings.service_id,
                strings.service_type,
                strings.endpoint,
            ):
                assert written in {raw_bytes(text) for text in recorded}
            services = entity["services"]
            assert {raw_bytes(i) for i in services} == {
                strings.service_id + b"\xff",
                strings.service_id + b"\xfe",
            }
            assert raw_bytes(ledger.status_list(1)["uri"]) == strings.uri
            # Rendered safely: nothing recorded holds a control character or undecodable text.
            for text in recorded:
                assert text == text_of(raw_bytes(text))
                assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text)

            Projector(ledger, views.recorder).run_once()
            assert views.freshness().block_number == chain.block
            version = views.entity_version(did)
            assert version is not None and version.version == len(history_items)
            document = render_document(version, views.effective_status(did), at=2_000_000_000)
            json.dumps(document, ensure_ascii=False).encode("utf-8")  # the resolver's encoding never fails
            assert ledger.replay_state() == ledger.current_state()
        finally:
            views.close()
            ledger.close()


def test_a_service_id_that_is_not_utf8_is_recorded_flagged_and_shown_safely() -> None:
    """The reported case: `addService` with id bytes `svc-\\xff\\xfe` halted the follower for good."""
    chain = RawChain()
    strings = Strings(
        b"did:web:anchor.test",
        b"did:web:a.test",
        b"alpha",
        b"T",
        b"did:web:t",
        b"r",
        b"key-1",
        b"Multikey",
        b"\xed\x01" + b"\x01" * 32,
        HOSTILE,
        b"OID4VCI",
        b"https://a.test",
        b"u",
    )
    child, _ = history(chain, strings)
    logs = [decoder().decode(raw, 0) for raw in chain.logs]
    added = next(log for log in logs if log.event == "ServiceAdded")
    assert added.args["serviceId"] == "svc-\ufffd\ufffd [0x7376632dfffe]"
    assert is_opaque(added.args["serviceId"]) and raw_bytes(added.args["serviceId"]) == HOSTILE

    ledger = TrustLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    Follower(ledger, decoder(), RawLogSource(chain), start_block=0).poll()
    assert ledger.cursor().block_number == chain.block
    kinds = [item["event"] for item in ledger.history("did:web:a.test")]
    assert kinds.count("ServiceAdded") == 3 and "ServiceRemoved" in kinds
    assert ledger.entity_by_node(child)["name"] == "alpha"


NASTY = Strings(
    root_did=b"did:web:anchor.test\x00",
    did=b"did:web:\x00\xff" + b"x" * 240,  # the longest DID the contract takes, not text, a NUL in it
    label=b"\xc0\xaf.evil",
    credential_type=b"Type\x00",
    role_target="a\u202eb".encode(),
    role_name="\ufffd".encode(),
    key_id=b"key\x00",
    key_type=b"\xff" * 64,
    public_key=b"",
    service_id=HOSTILE,
    service_type=b"",
    endpoint=b"https://a.test/" + b"\x00\xff" * 50_000,
    uri=b"https://s.test/\r\n",
)


def test_nasty_strings_reach_the_views_on_every_store(store) -> None:
    """NUL (PostgreSQL text refuses it), undecodable bytes, bidi controls, U+FFFD, a dot in a label,
    empty strings and a 150 KB endpoint, on POPO, SQLite and PostgreSQL, ledger and views alike."""
    chain = RawChain()
    child, _ = history(chain, NASTY)
    ledger = store.open()
    views = open_views(store.env)
    try:
        Follower(ledger, decoder(), RawLogSource(chain), start_block=0).poll()
        Projector(ledger, views.recorder).run_once()
        assert views.freshness().block_number == chain.block
        did = text_of(NASTY.did)
        version = views.entity_version(did)
        assert version is not None and version.state.name == child  # a label with a dot names no one
        assert raw_bytes(next(iter(version.state.services.values())).endpoint) == NASTY.endpoint
        entries = views.trust_list().items
        assert [e.did for e in entries] == [text_of(NASTY.root_did), did]
        assert raw_bytes(views.status_lists_of(did)[0].uri) == NASTY.uri
    finally:
        views.close()

"""Issuance records: one event-sourced ``Issuance`` aggregate per DWVC-101 transaction.

Events: Offered, ReplacesCards, ReplacedCardsRevoked, TxCodeRejected, TokenIssued,
CredentialIssued, StatusChangeStarted, Revoked / Suspended / Recovered, StatusChangeFailed. Personal data
(the holder's fields, then the credential) only appears sealed with a per-offer key (see
sealing.py); what stays readable is what DWVC-202/203/301 need: cid, vcUid, dates, status,
dataTag, and the status-list positions. Codes and tokens are kept as SHA-256 hashes only.

Concurrency is the event store's: an aggregate is saved only if nobody saved a newer version
since it was read (the store's unique (id, version) key), so two requests racing on one offer or
one credential never both win, also across processes; ``IssuerContext.update`` retries the loser
on the fresh state. No process-wide lock is needed, nor held while the chain is waited on.

A status change is claimed first (StatusChangeStarted: no other change of the card may start
while it is in flight), then sent to the chain, then recorded once mined (Revoked / Suspended /
Recovered with the transaction hash and block) or abandoned (StatusChangeFailed). ``status`` is
therefore the status the card has once its transaction is final; whether the trust views (and
so the published lists) show it yet is ``status_block`` against the views' block.

``IssuanceIndex`` is the read side: a small in-memory view pulled from the notification log
(lookups by offer, code, token, cid and dataTag, and the DWVC-202/203 rows).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import ApplicationRecorder

from trust_ledger.paths import private_file
from trust_ledger.settings import LEDGER_PREFIX, RECORDS_PREFIX, VIEWS_PREFIX, read_settings
from trust_ledger.state_db import ledger_settings, on_postgres
from trust_ledger.table_creation import creating_tables

OTHERS = (VIEWS_PREFIX, RECORDS_PREFIX)
"""Prefixes of settings meant for another store than the ledger's."""

ACTIVE, SUSPENDED, REVOKED = "ACTIVE", "SUSPENDED", "REVOKED"
STATUS_CODE = {ACTIVE: "0", SUSPENDED: "1", REVOKED: "2"}


def digest(secret: str) -> str:
    """SHA-256 hex of a bearer secret (codes and tokens are never stored in clear)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Issuance(Aggregate):
    """One offer and, once collected, the credential it produced."""

    @staticmethod
    def create_id(transaction_id: str) -> UUID:
        return UUID(transaction_id)

    @event("Offered")
    def __init__(
        self,
        transaction_id: str,
        offer_id: str,
        vc_uid: str,
        credential_type: str,
        data_tag: str | None,
        issuance_date: str,
        expiration_date: str,
        configuration_ids: list[str],
        code_hash: str,
        tx_code_hash: str | None,
        offer_expires_at: int,
        sealed_fields: str,
        issuer_did: str | None = None,  # None only in events recorded before records were scoped
    ) -> None:
        self.issuer_did = issuer_did
        self.transaction_id = transaction_id
        self.offer_id = offer_id
        self.vc_uid = vc_uid
        self.credential_type = credential_type
        self.data_tag = data_tag
        self.issuance_date = issuance_date
        self.expiration_date = expiration_date
        self.configuration_ids = configuration_ids
        self.code_hash = code_hash
        self.tx_code_hash = tx_code_hash
        self.offer_expires_at = offer_expires_at
        self.sealed_fields: str | None = sealed_fields
        self.code_used = False
        self.token_hash: str | None = None
        self.token_expires_at = 0
        self.cid: str | None = None
        self.issued_configurations: list[str] = []
        self.sealed_credential: str | None = None
        self.allocations: list[dict[str, Any]] = []
        self.status = ACTIVE
        self.tx_code_failures = 0
        self.status_change: dict[str, Any] | None = None  # {action, since} while one is in flight
        self.status_tx: str | None = None
        self.status_block: int | None = None
        self.replaces: list[str] = []  # DWVC-101 cids still to revoke when the offer is fetched

    @event("ReplacesCards")
    def replace_cards(self, cids: list[str]) -> None:
        """This offer reissues the valid cards `cids`: they are revoked when the holder fetches it."""
        self.replaces = list(cids)

    @event("ReplacedCardsRevoked")
    def replaced_cards_revoked(self) -> None:
        self.replaces = []

    @event("TxCodeRejected")
    def reject_tx_code(self) -> None:
        self.tx_code_failures += 1

    @event("TokenIssued")
    def issue_token(self, token_hash: str, token_expires_at: int) -> None:
        self.code_used = True
        self.token_hash = token_hash
        self.token_expires_at = token_expires_at

    @event("CredentialIssued")
    def issue_credential(
        self, cid: str, configuration_id: str, sealed_credential: str, allocations: list[dict[str, Any]]
    ) -> None:
        if self.cid is None:  # the first format issued defines the card (cid, status entries, DWVC-201)
            self.cid = cid
            self.sealed_credential = sealed_credential
            self.allocations = allocations
        self.issued_configurations.append(configuration_id)
        if set(self.issued_configurations) >= set(self.configuration_ids):
            self.sealed_fields = None  # every format is issued: the offer's copy of the fields goes
            self.token_hash = None  # and the access token is spent

    def change_in_flight(self, now: int, stale_after: int) -> str | None:
        """The action of a status change started less than `stale_after` seconds ago, else None
        (an older claim is one whose process died before recording the outcome: it may be taken over)."""
        change = self.status_change
        if change is None or now - change["since"] >= stale_after:
            return None
        return change["action"]

    @event("StatusChangeStarted")
    def start_status_change(self, action: str, since: int) -> None:
        self.status_change = {"action": action, "since": since}

    @event("StatusChangeFailed")
    def fail_status_change(self, reason: str) -> None:
        self.status_change = None

    @event("Revoked")
    def revoke(self, tx_hash: str, block_number: int = 0) -> None:
        self._changed(REVOKED, tx_hash, block_number)

    @event("Suspended")
    def suspend(self, tx_hash: str, block_number: int = 0) -> None:
        self._changed(SUSPENDED, tx_hash, block_number)

    @event("Recovered")
    def recover(self, tx_hash: str, block_number: int = 0) -> None:
        self._changed(ACTIVE, tx_hash, block_number)

    def _changed(self, status: str, tx_hash: str, block_number: int) -> None:
        self.status = status
        self.status_change = None
        self.status_tx = tx_hash or None
        self.status_block = block_number or None


class IssuanceRecords(Application[UUID]):
    """The issuer's off-chain records; persistence chosen by the environment (records_env).

    With `issuer_did` every read is scoped to that issuer: another organisation's issuance in the
    same store is unknown here (records from before scoping, without a DID, belong to the module
    that owns the var directory: see wiring.claim_var_dir). Without it (tools, tests) all are read.
    """

    name = "IssuanceRecords"
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "1000"}

    def __init__(self, env: dict[str, str] | None = None, *, issuer_did: str | None = None) -> None:
        super().__init__(env=env)
        self.issuer_did = issuer_did

    def construct_recorder(self) -> ApplicationRecorder:
        """The records' recorder, its tables created once however many replicas start together."""
        with creating_tables(self.factory):
            return self.factory.application_recorder()

    def owns(self, issuer_did: str | None) -> bool:
        """Whether an issuance recorded for `issuer_did` is this module's."""
        return self.issuer_did is None or issuer_did in (None, self.issuer_did)

    def get(self, transaction_id: str) -> Issuance | None:
        """This issuer's issuance of `transaction_id`, or None (unknown, another issuer's, not a UUID)."""
        try:
            issuance: Any = self.repository.get(UUID(transaction_id))
        except (ValueError, AggregateNotFoundError):
            return None
        if not isinstance(issuance, Issuance) or not self.owns(getattr(issuance, "issuer_did", None)):
            return None
        return issuance


def records_env(var: Path | None = None) -> dict[str, str]:
    """The records' store: what ISSUANCERECORDS_PERSISTENCE_MODULE names (eventsourcing reads its
    settings itself); else the ledger's PostgreSQL when the ledger is there (its settings, given
    to the records under their own prefix, so `TRUSTLEDGER_`-prefixed ones count too; a setting
    the environment gives the records themselves wins), so that every replica of the issuer reads
    and writes one store; else SQLite under var/ (issuer-records.sqlite)."""
    settings = read_settings()
    if settings.records_persistence_module:
        return {}
    if on_postgres():
        ledger = ledger_settings()  # eventsourcing's settings in the environment, read as the ledger's
        names = {name.removeprefix(LEDGER_PREFIX) for name in ledger if not name.startswith(OTHERS)}
        return {
            RECORDS_PREFIX + name: value
            for name in sorted(names)
            if RECORDS_PREFIX + name not in ledger and (value := ledger.get(name)) is not None
        }
    database = private_file((var or settings.var_dir) / "issuer-records.sqlite")
    return {
        "ISSUANCERECORDS_PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "ISSUANCERECORDS_SQLITE_DBNAME": str(database),
        "ISSUANCERECORDS_SQLITE_LOCK_TIMEOUT": "30",
    }


@dataclass
class Row:
    """What DWVC-202/203 list about one issued credential."""

    transaction_id: str
    vc_uid: str
    data_tag: str | None
    issuance_date: str
    expiration_date: str
    cid: str | None = None
    status: str = ACTIVE
    status_tx: str | None = None
    status_block: int | None = None

    def final(self, views_block: int | None) -> bool:
        """Whether the trust views (hence the published lists) show `status`: no change was ever
        sent, or the views have reached the block that mined the last one."""
        return self.status_block is None or (views_block is not None and views_block >= self.status_block)


@dataclass
class IssuanceIndex:
    """Lookups over the records, pulled from their notification log (exactly the events, in order)."""

    records: IssuanceRecords
    position: int = 0
    by_offer: dict[str, str] = field(default_factory=dict)
    by_code: dict[str, str] = field(default_factory=dict)
    by_token: dict[str, str] = field(default_factory=dict)
    by_cid: dict[str, str] = field(default_factory=dict)
    rows: dict[str, Row] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self) -> int:
        """Process the notifications recorded since the last refresh."""
        with self._lock:
            while True:
                section = self.records.recorder.select_notifications(
                    start=self.position, limit=500, inclusive_of_start=False
                )
                for notification in section:
                    self._apply(self.records.mapper.to_domain_event(notification))
                    self.position = notification.id
                if len(section) < 500:
                    return self.position

    def issued(self, **filters: str | None) -> list[Row]:
        """Issued credentials matching every given (non-None) attribute, oldest first."""
        self.refresh()
        wanted = {k: v for k, v in filters.items() if v is not None}
        return [
            row
            for row in self.rows.values()
            if row.cid is not None and all(getattr(row, k) == v for k, v in wanted.items())
        ]

    def _apply(self, domain_event: Any) -> None:
        tx = str(domain_event.originator_id)
        if isinstance(domain_event, Issuance.Offered):  # type: ignore[attr-defined]  # made by @event
            if not self.records.owns(getattr(domain_event, "issuer_did", None)):
                return  # another issuer's: none of its events is indexed here
            self.by_offer[domain_event.offer_id] = tx
            self.by_code[domain_event.code_hash] = tx
            self.rows[tx] = Row(
                tx,
                domain_event.vc_uid,
                domain_event.data_tag,
                domain_event.issuance_date,
                domain_event.expiration_date,
            )
        elif tx not in self.rows:
            return
        elif isinstance(domain_event, Issuance.TokenIssued):  # type: ignore[attr-defined]  # made by @event
            self.by_token[domain_event.token_hash] = tx
        elif isinstance(domain_event, Issuance.CredentialIssued):  # type: ignore[attr-defined]  # made by @event
            self.by_cid[domain_event.cid] = tx
            self.rows[tx].cid = domain_event.cid
        elif isinstance(domain_event, Issuance.Revoked | Issuance.Suspended | Issuance.Recovered):  # type: ignore[attr-defined]
            row = self.rows[tx]
            row.status = STATUS_OF_EVENT[type(domain_event).__name__]
            row.status_tx = domain_event.tx_hash or None
            # absent in events recorded before finality was tracked: shown as final
            row.status_block = getattr(domain_event, "block_number", 0) or None


STATUS_OF_EVENT = {"Revoked": REVOKED, "Suspended": SUSPENDED, "Recovered": ACTIVE}

"""Every environment variable trust-ledger reads, in one settings object (pydantic-settings).

`read_settings()` reads the process environment when it is called, never at import: tests and
`trust-ledger demo` set variables for their own process and the next read sees them. Nothing else
in the project reads `os.environ`; eventsourcing reads its own variables too (the ledger's and the
issuer records' stores), and the views get theirs from `Settings.eventsourcing_env()`. An empty
variable counts as unset. A malformed value is a `SettingsError` (a ValueError) naming the
variable, so the command line reports it as one line.

The README's "Environment variables" table is `environment_table()` (`python -m trust_ledger.settings`
prints it; tests/test_settings.py checks the README holds it).

Importing this module costs pydantic-settings (~0.1 s): the command line's help pages do not.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from trust_ledger.paths import PROJECT_ROOT

LEDGER_PREFIX, VIEWS_PREFIX, RECORDS_PREFIX = "TRUSTLEDGER_", "TRUSTVIEWS_", "ISSUANCERECORDS_"
"""The prefixes of eventsourcing settings meant for one application only: the ledger (TrustLedger),
the views (TrustViews) and the issuer's records (IssuanceRecords)."""

STORE_CHOICES = (
    "PERSISTENCE_MODULE",
    LEDGER_PREFIX + "PERSISTENCE_MODULE",
    VIEWS_PREFIX + "PERSISTENCE_MODULE",
    RECORDS_PREFIX + "PERSISTENCE_MODULE",
)
"""The variables that choose a store; a process that keeps its stores in SQLite under its own var
directory (`trust-ledger demo`, tests) unsets them."""

RESOLVER_REPLAY_ENTRIES = 4096
"""The resolver hot path's answers remembered at once, per process (resolver.hot_path)."""

_EVENTSOURCING = re.compile(
    rf"(?:{LEDGER_PREFIX}|{VIEWS_PREFIX}|{RECORDS_PREFIX})?"
    r"(?:PERSISTENCE_MODULE|INFRASTRUCTURE_FACTORY|FACTORY_TOPIC|SQLITE_[A-Z_]+|POSTGRES_[A-Z_]+"
    r"|SINGLE_ROW_TRACKING|ORIGINATOR_ID_TYPE|CREATE_TABLE|[A-Z_]+_TOPIC|CIPHER_KEY"
    r"|AGGREGATE_CACHE_[A-Z_]+|DEEPCOPY_FROM_AGGREGATE_CACHE|IS_SNAPSHOTTING_ENABLED)"
)
"""The names eventsourcing's infrastructure reads (each unprefixed or for one application)."""


def is_eventsourcing_setting(name: str) -> bool:
    """Whether eventsourcing may read the variable `name` (for the ledger, views or records)."""
    return _EVENTSOURCING.fullmatch(name) is not None


def _doc(default: str) -> dict[str, Any]:
    """A field's default as the README shows it."""
    return {"shown_default": default}


class SettingsError(ValueError):
    """An environment variable holds a value the project cannot use; the message names it."""


class Settings(BaseSettings):
    """The environment, read once per `read_settings()` call. Field descriptions are the README's."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore", frozen=True)

    # -- where things are ------------------------------------------------------------------------
    var_dir: Path = Field(
        PROJECT_ROOT / "var",
        validation_alias="TRUST_LEDGER_VAR",
        description="runtime state: manifest, SQLite ledger, views and module stores, Anvil state",
        json_schema_extra=_doc("`var/` of the checkout"),
    )
    deployment: Path | None = Field(
        None,
        validation_alias="TRUST_LEDGER_DEPLOYMENT",
        description="deployment manifest (`--deployment`)",
        json_schema_extra=_doc("`$TRUST_LEDGER_VAR/deployment.json`"),
    )
    wallet_dir: Path | None = Field(
        None,
        validation_alias="TRUST_LEDGER_WALLET_DIR",
        description="the reference wallet's keys and credentials (`wallet --dir`)",
        json_schema_extra=_doc("`$TRUST_LEDGER_VAR/wallet`"),
    )
    keys_dir: Path | None = Field(
        None,
        validation_alias="TRUST_LEDGER_KEYS_DIR",
        description="the issuer's per-offer sealing keys, never inside the var directory "
        "(the issuer configuration's `keys_dir` wins)",
        json_schema_extra=_doc("`<var>-keys` beside the issuer's var directory"),
    )
    keys_schema: str | None = Field(
        None,
        validation_alias="TRUST_LEDGER_KEYS_SCHEMA",
        description="with the ledger on PostgreSQL: the schema of the issuer's sealing keys, never the "
        "records' (grant and back it up apart)",
        json_schema_extra=_doc("`<POSTGRES_SCHEMA>_keys`"),
    )
    # -- the chain and its signer -----------------------------------------------------------------
    rpc_url: str | None = Field(
        None,
        validation_alias="TRUST_LEDGER_RPC_URL",
        description="JSON-RPC endpoint, overriding the manifest's (`--rpc-url`)",
        json_schema_extra=_doc("the manifest's"),
    )
    private_key: SecretStr | None = Field(
        None,
        validation_alias="TRUST_LEDGER_PRIVATE_KEY",
        description="signer of write commands: hex key, or a dev account name on the dev chain "
        "(`--key-file` wins)",
        json_schema_extra=_doc("the anchor's dev account on the dev chain"),
    )
    resolver_url: str = Field(
        "http://127.0.0.1:8080",
        validation_alias="TRUST_LEDGER_RESOLVER_URL",
        description="the resolver the wallet asks about a verifier (`wallet present --resolver`)",
        json_schema_extra=_doc("`http://127.0.0.1:8080`"),
    )
    resolver_replay_entries: int = Field(
        RESOLVER_REPLAY_ENTRIES,
        ge=0,
        validation_alias="TRUST_LEDGER_RESOLVER_REPLAY",
        description="resolutions each resolver process answers again from memory while the views "
        "have not moved (`serve resolver`, `dev`); 0 renders every one",
        json_schema_extra=_doc(f"`{RESOLVER_REPLAY_ENTRIES}`"),
    )
    # -- logs ---------------------------------------------------------------------------------------
    log_format: Literal["json", "text"] | None = Field(
        None,
        validation_alias="TRUST_LEDGER_LOG_FORMAT",
        description="log lines of the long-running commands: `json` or `text` (`--log-format`)",
        json_schema_extra=_doc("`json` (`text` for `dev`)"),
    )
    log_level: str = Field(
        "info",
        validation_alias="TRUST_LEDGER_LOG_LEVEL",
        description="log level; `debug` shows every request",
        json_schema_extra=_doc("`info`"),
    )
    # -- stores (eventsourcing's variables) -----------------------------------------------------------
    persistence_module: str | None = Field(
        None,
        validation_alias=AliasChoices(LEDGER_PREFIX + "PERSISTENCE_MODULE", "PERSISTENCE_MODULE"),
        description="the ledger's store, and the views' and issuer records' unless theirs is set: "
        "`eventsourcing.sqlite` or `eventsourcing.postgres`",
        json_schema_extra=_doc("SQLite files under `$TRUST_LEDGER_VAR`"),
    )
    views_persistence_module: str | None = Field(
        None,
        validation_alias=VIEWS_PREFIX + "PERSISTENCE_MODULE",
        description="the views' store when it differs from the ledger's (any setting below may carry "
        "the `TRUSTVIEWS_` prefix)",
        json_schema_extra=_doc("the ledger's (SQLite: a `-views` file beside it)"),
    )
    records_persistence_module: str | None = Field(
        None,
        validation_alias=RECORDS_PREFIX + "PERSISTENCE_MODULE",
        description="the issuer records' store (with `ISSUANCERECORDS_`-prefixed settings)",
        json_schema_extra=_doc("`issuer-records.sqlite` in the issuer's var directory"),
    )
    sqlite_dbname: str | None = Field(
        None,
        validation_alias=AliasChoices(LEDGER_PREFIX + "SQLITE_DBNAME", "SQLITE_DBNAME"),
        description="SQLite store: the database file",
        json_schema_extra=_doc("`$TRUST_LEDGER_VAR/ledger.sqlite` when no store is named"),
    )
    postgres_dbname: str | None = Field(
        None,
        validation_alias="POSTGRES_DBNAME",
        description="PostgreSQL store: database",
        json_schema_extra=_doc(""),
    )
    postgres_host: str | None = Field(
        None,
        validation_alias="POSTGRES_HOST",
        description="PostgreSQL store: host",
        json_schema_extra=_doc(""),
    )
    postgres_port: str | None = Field(
        None,
        validation_alias="POSTGRES_PORT",
        description="PostgreSQL store: port",
        json_schema_extra=_doc("`5432`"),
    )
    postgres_user: str | None = Field(
        None,
        validation_alias="POSTGRES_USER",
        description="PostgreSQL store: user",
        json_schema_extra=_doc(""),
    )
    postgres_password: SecretStr | None = Field(
        None,
        validation_alias="POSTGRES_PASSWORD",
        description="PostgreSQL store: password",
        json_schema_extra=_doc(""),
    )
    postgres_schema: str | None = Field(
        None,
        validation_alias="POSTGRES_SCHEMA",
        description="PostgreSQL store: schema (ledger and views share it); eventsourcing reads further "
        "`POSTGRES_*` settings",
        json_schema_extra=_doc("the user's search path"),
    )
    # -- the test suite and benchmarks (scripts/postgres-up exports them) ------------------------------
    test_pg_host: str = Field(
        "localhost",
        validation_alias="TRUST_LEDGER_PG_HOST",
        description="tests and benchmarks: their PostgreSQL server's host",
        json_schema_extra=_doc("`localhost`"),
    )
    test_pg_port: str = Field(
        "5432",
        validation_alias="TRUST_LEDGER_PG_PORT",
        description="tests and benchmarks: its port",
        json_schema_extra=_doc("`5432`"),
    )
    test_pg_user: str = Field(
        "trust_ledger",
        validation_alias="TRUST_LEDGER_PG_USER",
        description="tests and benchmarks: its user",
        json_schema_extra=_doc("`trust_ledger`"),
    )
    test_pg_password: SecretStr = Field(
        SecretStr("trust_ledger"),
        validation_alias="TRUST_LEDGER_PG_PASSWORD",
        description="tests and benchmarks: its password",
        json_schema_extra=_doc("`trust_ledger`"),
    )
    test_pg_dbname: str = Field(
        "trust_ledger",
        validation_alias="TRUST_LEDGER_PG_DBNAME",
        description="tests and benchmarks: its database (each test gets a schema of its own)",
        json_schema_extra=_doc("`trust_ledger`"),
    )

    _eventsourcing: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("log_format", mode="before")
    @classmethod
    def _any_case(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("log_level")
    @classmethod
    def _logging_level(cls, value: str) -> str:
        if value.upper() not in logging.getLevelNamesMapping():
            raise ValueError("not a logging level (debug, info, warning, error, critical)")
        return value.lower()

    def model_post_init(self, context: Any, /) -> None:
        self._eventsourcing = {
            name: value for name, value in os.environ.items() if value and is_eventsourcing_setting(name)
        }

    # -- derived ----------------------------------------------------------------------------------------

    @property
    def deployment_path(self) -> Path:
        """TRUST_LEDGER_DEPLOYMENT, else deployment.json in the var directory."""
        return self.deployment or self.var_dir / "deployment.json"

    @property
    def wallet_path(self) -> Path:
        """TRUST_LEDGER_WALLET_DIR, else wallet/ in the var directory."""
        return self.wallet_dir or self.var_dir / "wallet"

    @property
    def logging_level(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level.upper()]

    def chooses_store(self) -> bool:
        """Whether the environment names the ledger's store (else: SQLite under the var directory)."""
        return bool(self.persistence_module)

    def eventsourcing_env(self) -> dict[str, str]:
        """Every eventsourcing setting in the environment, prefixed or not, as eventsourcing reads them."""
        return dict(self._eventsourcing)

    def test_postgres_env(self, schema: str) -> dict[str, str]:
        """eventsourcing's settings for a schema of the tests' (and benchmarks') PostgreSQL."""
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_HOST": self.test_pg_host,
            "POSTGRES_PORT": self.test_pg_port,
            "POSTGRES_USER": self.test_pg_user,
            "POSTGRES_PASSWORD": self.test_pg_password.get_secret_value(),
            "POSTGRES_DBNAME": self.test_pg_dbname,
            "POSTGRES_SCHEMA": schema,
        }


def read_settings() -> Settings:
    """The settings the environment holds now; `SettingsError` names each malformed variable."""
    try:
        return Settings()
    except ValidationError as error:
        problems = [_problem(e["loc"], e["msg"]) for e in error.errors()]
        raise SettingsError("environment: " + "; ".join(problems)) from None


def _problem(location: tuple[Any, ...], message: str) -> str:
    """`NAME='value': what is wrong` for one malformed variable."""
    name = str(location[0]) if location else "?"
    value = os.environ.get(name)
    shown = (
        f"{name}={value!r}" if value is not None and "PASSWORD" not in name and "KEY" not in name else name
    )
    return f"{shown}: {message.removeprefix('Value error, ')}"


def variables(name: str) -> tuple[str, ...]:
    """The environment variable(s) a field reads, the one that wins first."""
    alias = Settings.model_fields[name].validation_alias
    if isinstance(alias, AliasChoices):
        return tuple(str(choice) for choice in alias.choices)
    return (str(alias),)


def environment_table() -> str:
    """The README's table of environment variables, one row per field, in declaration order."""
    rows = ["| variable | meaning | default |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        names = " or ".join(f"`{variable}`" for variable in variables(name))
        rows.append(f"| {names} | {field.description} | {extra.get('shown_default', '')} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(environment_table())

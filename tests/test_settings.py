"""One settings object (trust_ledger/settings.py) reads every environment variable: nothing else in
the project reads the environment, it reads when asked (not at import), the README's table is its
table, and eventsourcing's settings reach the views the way eventsourcing reads them."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest
from eventsourcing.application import Application
from eventsourcing.cipher import AESCipher
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory

from api.issuer.records import records_env
from api.issuer.sealing import keys_path
from projections.env import views_env
from tests.support.cli_process import CLI, own_world
from trust_ledger.paths import var_dir
from trust_ledger.settings import (
    STORE_CHOICES,
    Settings,
    SettingsError,
    environment_table,
    is_eventsourcing_setting,
    read_settings,
    variables,
)
from trust_ledger.store import ledger_env

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("trust_ledger", "projections", "resolver", "api", "anvil")
SETTINGS_MODULE = ROOT / "trust_ledger" / "settings.py"


def test_the_readme_table_is_the_settings_table() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Environment variables", 1)[1].split("\n## ", 1)[0]
    assert environment_table() in section, "regenerate it: python -m trust_ledger.settings"
    for name in Settings.model_fields:
        for variable in variables(name):
            assert f"`{variable}`" in section, f"{variable} ({name}) is missing from the README table"


def _environment_reads(path: Path) -> list[int]:
    """Lines of `path` that read the environment: os.environ (but writing or removing one of its
    entries), os.getenv, os.getenvb."""
    tree = ast.parse(path.read_text())
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    reads = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("getenv", "getenvb"):
            reads.append(node.lineno)
        elif (isinstance(node, ast.Attribute) and node.attr == "environ") or (
            isinstance(node, ast.Name) and node.id in ("environ", "getenv")
        ):
            parent = parents.get(node)
            written = isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store)
            popped = isinstance(parent, ast.Attribute) and parent.attr == "pop"
            if not (written or popped):
                reads.append(node.lineno)
    return reads


def test_nothing_but_the_settings_reads_the_environment() -> None:
    readers = {
        f"{path.relative_to(ROOT)}:{line}"
        for package in PRODUCT
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != SETTINGS_MODULE
        for line in _environment_reads(path)
    }
    assert readers == set(), "read it through trust_ledger.settings.read_settings()"
    assert _environment_reads(SETTINGS_MODULE), "the check finds the settings module's own reads"


def test_the_environment_is_read_when_asked_not_at_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (*STORE_CHOICES, "TRUST_LEDGER_KEYS_DIR"):
        monkeypatch.delenv(name, raising=False)
    for var in (tmp_path / "one", tmp_path / "two"):
        monkeypatch.setenv("TRUST_LEDGER_VAR", str(var))
        assert var_dir() == var
        assert read_settings().deployment_path == var / "deployment.json"
        assert read_settings().wallet_path == var / "wallet"
        assert ledger_env()["SQLITE_DBNAME"] == str(var / "ledger.sqlite")
        assert records_env()["ISSUANCERECORDS_SQLITE_DBNAME"] == str(var / "issuer-records.sqlite")
    monkeypatch.setenv("TRUST_LEDGER_KEYS_DIR", str(tmp_path / "keys"))
    assert keys_path(tmp_path / "two") == tmp_path / "keys" / "issuer-keys.sqlite"
    monkeypatch.setenv("TRUST_LEDGER_VAR", "")  # empty is unset: the checkout's var/
    assert var_dir() == ROOT / "var"
    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.postgres")
    assert ledger_env() == {}, "a named store is eventsourcing's to configure"


def test_a_malformed_variable_is_refused_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUST_LEDGER_LOG_FORMAT", "XML")
    monkeypatch.setenv("TRUST_LEDGER_LOG_LEVEL", "loud")
    with pytest.raises(SettingsError) as refused:
        read_settings()
    message = str(refused.value)
    assert "\n" not in message
    assert "TRUST_LEDGER_LOG_FORMAT='XML'" in message and "TRUST_LEDGER_LOG_LEVEL='loud'" in message
    monkeypatch.setenv("TRUST_LEDGER_LOG_FORMAT", "Text")
    monkeypatch.setenv("TRUST_LEDGER_LOG_LEVEL", "DEBUG")
    assert (read_settings().log_format, read_settings().log_level) == ("text", "debug")


def test_the_command_line_reports_a_malformed_variable_in_one_line(tmp_path: Path) -> None:
    env = own_world(tmp_path, TRUST_LEDGER_LOG_LEVEL="loud")
    process = subprocess.run([*CLI, "serve", "resolver"], capture_output=True, text=True, timeout=60, env=env)
    assert process.returncode == 1
    assert process.stderr.strip().splitlines() == [
        "error: environment: TRUST_LEDGER_LOG_LEVEL='loud': not a logging level "
        "(debug, info, warning, error, critical)"
    ]


def test_secrets_stay_out_of_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUST_LEDGER_PRIVATE_KEY", "0x" + "ab" * 32)
    monkeypatch.setenv("POSTGRES_PASSWORD", "hunter2")
    shown = repr(read_settings())
    assert "abab" not in shown and "hunter2" not in shown


def _eventsourcing_names() -> set[str]:
    """Every setting name eventsourcing's application and store factories look up."""
    names = {"INFRASTRUCTURE_FACTORY", "FACTORY_TOPIC"}  # the legacy names of PERSISTENCE_MODULE
    for owner in (Application, InfrastructureFactory, SQLiteFactory, PostgresFactory, AESCipher):
        for klass in owner.__mro__:
            names |= {
                value
                for attribute, value in vars(klass).items()
                if attribute.isupper() and isinstance(value, str) and value.isupper()
            }
    return names


def test_every_setting_eventsourcing_reads_reaches_the_views(monkeypatch: pytest.MonkeyPatch) -> None:
    names = _eventsourcing_names()
    assert {"PERSISTENCE_MODULE", "POSTGRES_SCHEMA", "SQLITE_DBNAME", "CIPHER_KEY"} <= names
    for name in names:
        for prefix in ("", "TRUSTLEDGER_", "TRUSTVIEWS_", "ISSUANCERECORDS_"):
            assert is_eventsourcing_setting(prefix + name), prefix + name
    for name in ("TRUST_LEDGER_VAR", "HOME", "PATH", "TRUST_LEDGER_PG_PASSWORD"):
        assert not is_eventsourcing_setting(name)

    for name in ("PERSISTENCE_MODULE", "TRUSTVIEWS_PERSISTENCE_MODULE", "TRUSTVIEWS_SQLITE_DBNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRUSTLEDGER_PERSISTENCE_MODULE", "eventsourcing.sqlite")
    monkeypatch.setenv("TRUSTLEDGER_SQLITE_DBNAME", "/srv/ledger.sqlite")
    monkeypatch.setenv("TRUSTVIEWS_SQLITE_LOCK_TIMEOUT", "7")
    views = views_env()
    assert views["TRUSTVIEWS_PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert views["TRUSTVIEWS_SQLITE_DBNAME"] == "/srv/ledger-views.sqlite"
    assert views["TRUSTVIEWS_SQLITE_LOCK_TIMEOUT"] == "7"
    assert "HOME" not in views and "TRUST_LEDGER_VAR" not in views

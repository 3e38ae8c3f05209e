"""The `trust-ledger` command line.

Commands load lazily: the root names each command and its one-line help, and a command's module
(with web3, FastAPI, the stores) is imported only when that command runs, so `--help` and the
admin commands do not pay for the services they do not start.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from trust_ledger.cli.context import Settings, UsageError


@dataclass(frozen=True)
class Lazy:
    """A command or command group defined at ``target`` ("module:attribute"), loaded on first use."""

    target: str
    help: str

    def load(self, name: str) -> Any:
        module, _, attribute = self.target.partition(":")
        defined = getattr(importlib.import_module(module), attribute)
        command: Any
        if isinstance(defined, typer.Typer):
            command = typer.main.get_group(defined)  # a group even when it has one command
        elif isinstance(defined, dict):
            command = LazyGroup(name=name, help=self.help, commands_table=defined, no_args_is_help=True)
        else:
            single = typer.Typer()
            single.command(name)(defined)
            command = typer.main.get_command(single)
        command.name = name
        return _with_json_option(command)


SERVE: dict[str, Lazy] = {
    "resolver": Lazy(
        "trust_ledger.cli.serve:serve_resolver",
        "The universal resolver, trust list and status lists.",
    ),
    "issuer": Lazy("trust_ledger.cli.issuer:serve_issuer", "The issuer module (TW DIW DWVC over OID4VCI)."),
    "verifier": Lazy(
        "trust_ledger.cli.verifier:serve_verifier",
        "The verifier module (TW DIW DWVP over OID4VP).",
    ),
}

COMMANDS: dict[str, Lazy] = {
    "chain": Lazy("trust_ledger.cli.chain:app", "Start, stop and deploy the chain our contracts live on."),
    "entity": Lazy("trust_ledger.cli.entity:app", "Register and manage entities of the trust hierarchy."),
    "key": Lazy("trust_ledger.cli.keys:key_app", "Add and revoke an entity's verification methods."),
    "service": Lazy("trust_ledger.cli.keys:service_app", "Add and remove an entity's service endpoints."),
    "status-list": Lazy(
        "trust_ledger.cli.status:list_app",
        "Create status lists and manage their delegates.",
    ),
    "status": Lazy("trust_ledger.cli.status:bits_app", "Set or clear status bits, many in one transaction."),
    "wallet": Lazy("trust_ledger.cli.wallet:app", "The reference holder wallet (OID4VCI, OID4VP)."),
    "demo": Lazy("trust_ledger.cli.demo:app", "Runnable demonstrations."),
    "serve": Lazy("trust_ledger.cli:SERVE", "Serve the HTTP APIs."),
    "dev": Lazy("trust_ledger.cli.dev:dev", "The local dev world on one port: chain, ledger and every API."),
    "rebuild": Lazy("trust_ledger.cli.serve:rebuild", "Rebuild every view from zero out of the ledger."),
    "resolve": Lazy("trust_ledger.cli.serve:resolve", "Resolve a DID from the local views."),
    "did": Lazy("trust_ledger.cli.did:app", "Export a DID document for its did:web location."),
    "follow": Lazy(
        "trust_ledger.cli.ledger:follow",
        "Follow our contracts' logs into the ledger, exactly once.",
    ),
    "history": Lazy("trust_ledger.cli.ledger:history", "The audit trail of an entity from the event store."),
    "export-trust": Lazy("trust_ledger.cli.export:export_trust", "Sign an offline trust snapshot."),
    "verify": Lazy("trust_ledger.cli.verify:verify", "Verify a presentation, online or from a snapshot."),
}


class LazyGroup(TyperGroup):
    """A command group whose commands come from a table of `Lazy` entries."""

    def __init__(self, *args: Any, commands_table: dict[str, Lazy] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = COMMANDS if commands_table is None else commands_table
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.table)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = self.table.get(cmd_name)
        if entry is None:
            return None
        if self._listing:  # the help page needs only each command's name and line
            return TyperCommand(cmd_name, help=entry.help, short_help=entry.help)
        return entry.load(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def _set_json(ctx: Any, _param: Any, value: bool) -> None:
    if value and isinstance(ctx.find_root().obj, Settings):
        ctx.find_root().obj.as_json = True


def _json_option() -> Any:
    """A `--json` flag that sets the global option; typer builds it, so it parses as typer's own."""

    def probe(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
        """Only here to have typer build the option."""

    holder = typer.Typer(add_completion=False)
    holder.command()(probe)
    (option,) = typer.main.get_command(holder).params
    option.expose_value = False
    option.callback = _set_json
    return option


def _with_json_option(command: Any) -> Any:
    """Accept `--json` after the subcommand too (`trust-ledger history DID --json`), where people
    put it, on every command that does not define its own."""
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            _with_json_option(sub)
    elif not any("--json" in getattr(p, "opts", ()) for p in command.params):
        command.params.append(_json_option())
    return command


app = typer.Typer(
    cls=LazyGroup,
    help="trust-ledger: an on-chain trust hierarchy, mirrored into an event store.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def options(
    ctx: typer.Context,
    deployment: Path | None = typer.Option(
        None,
        help="Deployment manifest (or TRUST_LEDGER_DEPLOYMENT).",
        show_default="var/deployment.json",
    ),
    rpc_url: str = typer.Option(
        "", help="JSON-RPC URL (or TRUST_LEDGER_RPC_URL; default: the manifest's).", show_default=False
    ),
    key_file: Path | None = typer.Option(
        None, help="File holding the signer's hex private key (or TRUST_LEDGER_PRIVATE_KEY)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    wait: bool = typer.Option(True, help="After a transaction, wait until the ledger has ingested it."),
) -> None:
    ctx.obj = Settings(
        deployment_option=deployment, rpc_url=rpc_url or None, key_file=key_file, as_json=as_json, wait=wait
    )


def _is_refusal(error: Exception) -> bool:
    """A user's mistake or a refusal (one line), as opposed to a bug (a traceback)."""
    from trust_ledger.chain.errors import ChainError  # loaded only once a command failed
    from trust_ledger.domain import LedgerError

    refusals = (ChainError, LedgerError, UsageError, ValueError, FileNotFoundError, TimeoutError)
    return isinstance(error, (*refusals, RuntimeError))


def main() -> None:
    """Console entry point: user mistakes and refusals are one line on stderr, exit 1."""
    try:
        app(prog_name="trust-ledger")
    except Exception as exc:
        if not _is_refusal(exc):
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)

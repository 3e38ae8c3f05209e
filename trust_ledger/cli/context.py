"""What every command needs: the deployment, a gateway and a signer, chosen from options and env."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

# The chain and ledger stacks load when a command first needs them, not when the CLI starts.
if TYPE_CHECKING:
    from trust_ledger.chain.deployment import Deployment
    from trust_ledger.chain.gateway import TrustGateway, TxResult
    from trust_ledger.chain.signing import LocalSigner
    from trust_ledger.ledger import TrustLedger


LOG_FORMAT = typer.Option(
    None,
    "--log-format",
    help="Logs as 'json' (one object per line) or 'text'; default: TRUST_LEDGER_LOG_FORMAT, else json "
    "(text for dev).",
)
"""The --log-format option of every long-running command."""


class UsageError(Exception):
    """A user's mistake on the command line, reported as one line."""


@dataclass
class Settings:
    """Options shared by all commands; what they leave unset comes from the environment
    (trust_ledger.settings) when a command first needs it, so help pages do not read it."""

    deployment_option: Path | None
    rpc_url: str | None
    key_file: Path | None
    as_json: bool
    wait: bool = True
    _gateway: TrustGateway | None = field(default=None, repr=False)

    @property
    def deployment_path(self) -> Path:
        """--deployment, else TRUST_LEDGER_DEPLOYMENT, else var/deployment.json."""
        return self.deployment_option or default_deployment_path()

    def deployment(self) -> Deployment:
        """The manifest, with the RPC URL overridden by --rpc-url / TRUST_LEDGER_RPC_URL."""
        from trust_ledger.chain.deployment import Deployment
        from trust_ledger.settings import read_settings

        deployment = Deployment.load(self.deployment_path)
        rpc_url = self.rpc_url or read_settings().rpc_url
        if rpc_url:
            deployment = Deployment(**{**asdict(deployment), "rpc_url": rpc_url})
        return deployment

    def signer(self, chain_id: int) -> LocalSigner | None:
        """--key-file, else TRUST_LEDGER_PRIVATE_KEY, else the anchor's account on the dev chain."""
        from anvil.accounts import DEV_CHAIN_ID, dev_signer
        from trust_ledger.settings import read_settings

        from_env = read_settings().private_key
        if self.key_file is not None:
            try:
                secret = self.key_file.read_text().strip()
            except OSError as exc:
                raise UsageError(f"cannot read the key file {self.key_file}: {exc.strerror}") from None
            source = f"key file {self.key_file}"
        elif from_env is not None:
            secret = from_env.get_secret_value().strip()
            source = "TRUST_LEDGER_PRIVATE_KEY"
        else:
            return dev_signer("anchor") if chain_id == DEV_CHAIN_ID else None
        return account_from(secret, chain_id, source)

    def gateway(self, write: bool = False) -> TrustGateway:
        """A gateway on the deployment; with `write`, one that can sign."""
        from trust_ledger.chain.gateway import TrustGateway

        deployment = self.deployment()
        signer = self.signer(deployment.chain_id) if write else None
        self._gateway = TrustGateway.connect(deployment.rpc_url, deployment, signer)
        return self._gateway

    def ledger(self) -> TrustLedger:
        """The event-sourced ledger on the configured store."""
        from trust_ledger.store import open_ledger

        return open_ledger()


def account_from(secret: str, chain_id: int, source: str) -> LocalSigner:
    """A signer from a hex private key, or from a dev account name on the dev chain."""
    from anvil.accounts import DEV_CHAIN_ID, dev_signer, is_dev_name
    from trust_ledger.chain.signing import LocalSigner

    if is_dev_name(secret):
        if chain_id != DEV_CHAIN_ID:
            raise UsageError(
                f"{source} names a dev account, which exists only on the dev chain ({DEV_CHAIN_ID})"
            )
        return dev_signer(secret)
    try:
        return LocalSigner.from_hex(secret)
    except ValueError:
        raise UsageError(f"{source} does not hold a hex private key or a dev account name") from None


def address_from(value: str, chain_id: int) -> str:
    """An address given literally, or a dev account's address on the dev chain."""
    from anvil.accounts import DEV_CHAIN_ID, dev_signer, is_dev_name

    if is_dev_name(value):
        if chain_id != DEV_CHAIN_ID:
            raise UsageError(f"'{value}' is a dev account name, which exists only on the dev chain")
        return dev_signer(value).address
    return value


def settings(ctx: typer.Context) -> Settings:
    """The Settings the root callback stored."""
    return ctx.obj


def report(ctx: typer.Context, what: str, result: TxResult) -> None:
    """Print the outcome of a transaction, as a line or as JSON, once the ledger holds it."""
    from projections.service import LedgerService
    from trust_ledger.chain.follower import default_horizon

    current = settings(ctx)
    if current.wait and current._gateway is not None:
        gateway = current._gateway
        service = LedgerService.open(gateway, default_horizon(gateway.deployment.chain_id))
        try:
            service.ingest_through(result, on_wait=lambda line: typer.echo(line, err=True))
        finally:
            service.stop()
    if current.as_json:
        payload = asdict(result)
        payload["events"] = [asdict(event) for event in result.events]
        typer.echo(json.dumps({"result": what, **payload}, indent=2))
        return
    note = "" if result.events else " (no change: already so)"
    typer.echo(f"{what}{note}: block {result.block_number}, tx {result.tx_hash}, gas {result.gas_used}")


def default_deployment_path() -> Path:
    """var/deployment.json, or TRUST_LEDGER_DEPLOYMENT."""
    from trust_ledger.settings import read_settings

    return read_settings().deployment_path

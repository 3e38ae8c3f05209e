"""`trust-ledger wallet ...`: the reference holder wallet (OID4VCI credential offers)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from api.wallet import StoredCredential, Wallet, WalletError
from trust_ledger.cli.context import UsageError
from trust_ledger.paths import var_dir

app = typer.Typer(help="A holder wallet: accept OID4VCI credential offers, list them.", no_args_is_help=True)


def default_wallet_dir() -> Path:
    """var/wallet (under TRUST_LEDGER_VAR), or TRUST_LEDGER_WALLET_DIR."""
    return Path(os.environ.get("TRUST_LEDGER_WALLET_DIR", var_dir() / "wallet"))


DIR_OPTION = typer.Option(
    default_wallet_dir,
    "--dir",
    help="Wallet directory (or TRUST_LEDGER_WALLET_DIR).",
    show_default="var/wallet",
)


@contextmanager
def _one_line() -> Iterator[None]:
    """Wallet refusals as the CLI's one-line usage errors."""
    try:
        yield
    except WalletError as exc:
        raise UsageError(str(exc)) from None


def _open(directory: Path) -> Wallet:
    with _one_line():
        try:
            return Wallet.open(directory)
        except WalletError:
            raise UsageError(f"no wallet in {directory}: run `trust-ledger wallet init`") from None


def _summary(credential: StoredCredential) -> str:
    return f"{credential.id}  {credential.format}  {credential.configuration_id}  from {credential.issuer}"


@app.command("init")
def init(
    directory: Path = DIR_OPTION,
    curve: str | None = typer.Option(
        None, help="Key curve: P-256, secp256k1 or Ed25519.", show_default="P-256 for a new wallet"
    ),
    binding: str | None = typer.Option(
        None, help="Holder DID method: did:jwk or did:key.", show_default="did:jwk for a new wallet"
    ),
) -> None:
    """Create the wallet's key and holder DID (an existing wallet is kept if it matches)."""
    with _one_line():
        wallet = Wallet(directory, curve=curve, binding=binding)
    typer.echo(wallet.holder_did)


@app.command("did")
def did(directory: Path = DIR_OPTION) -> None:
    """Print the holder DID."""
    typer.echo(_open(directory).holder_did)


@app.command("accept")
def accept(
    offer: str = typer.Argument(..., help="openid-credential-offer:// or modadigitalwallet:// link."),
    tx_code: str | None = typer.Option(
        None, "--tx-code", help="Transaction code, if the offer asks for one."
    ),
    credential_format: str | None = typer.Option(
        None, "--format", help="Accept only configurations in this format."
    ),
    directory: Path = DIR_OPTION,
) -> None:
    """Accept a credential offer (pre-authorized code flow) and store the credentials; a wallet
    is created (P-256, did:jwk) if the directory holds none yet."""
    with _one_line():
        wallet = Wallet(directory)
        received = wallet.accept_offer(offer, tx_code=tx_code, format=credential_format)
    for credential in received:
        typer.echo(f"stored {_summary(credential)}")


@app.command("list")
def list_credentials(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    directory: Path = DIR_OPTION,
) -> None:
    """List the credentials held."""
    with _one_line():
        held = _open(directory).credentials()
    if as_json:
        typer.echo(json.dumps([c.to_json() for c in held], indent=2, ensure_ascii=False))
        return
    for credential in held:
        typer.echo(f"{_summary(credential)}  {credential.received_at}")


@app.command("show")
def show(
    credential_id: str = typer.Argument(..., help="Credential id (or a unique prefix)."),
    directory: Path = DIR_OPTION,
) -> None:
    """Show one credential as JSON."""
    wallet = _open(directory)
    with _one_line():
        credential = wallet.credential(credential_id)
    typer.echo(json.dumps(credential.to_json(), indent=2, ensure_ascii=False))

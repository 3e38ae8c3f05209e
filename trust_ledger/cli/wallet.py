"""`trust-ledger wallet ...`: the reference holder wallet (OID4VCI credential offers, OID4VP
presentations)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from api.wallet import Match, PresentationRequest, StoredCredential, Wallet, WalletError
from trust_ledger.cli.context import UsageError
from trust_ledger.paths import restrict_umask

app = typer.Typer(
    help="A holder wallet: accept OID4VCI credential offers, list them, present them over OID4VP.",
    no_args_is_help=True,
)


@app.callback()
def _private_files() -> None:
    """Keys and credentials the wallet writes are its user's only (umask 077)."""
    restrict_umask()


def default_wallet_dir() -> Path:
    """var/wallet (under TRUST_LEDGER_VAR), or TRUST_LEDGER_WALLET_DIR."""
    from trust_ledger.settings import read_settings  # when a command runs, not for its help page

    return read_settings().wallet_path


def _default_resolver() -> str:
    from trust_ledger.settings import read_settings

    return read_settings().resolver_url


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


def _show_request(request: PresentationRequest, matches: list[Match], holder_did: str) -> None:
    """Who asks, and what each credential will disclose."""
    name = (
        f" (calls itself {json.dumps(request.verifier_name, ensure_ascii=False)})"
        if request.verifier_name
        else ""
    )
    typer.echo(f"verifier {request.verifier_did}{name}")
    if request.verifier_trusted:
        typer.echo("  on the trust list (active)")
    for warning in request.warnings:
        typer.secho(f"  WARNING: {warning}", fg=typer.colors.YELLOW)
    for match in matches:
        typer.echo(f"{match.query_id}: {_summary(match.credential)}")
        if not match.selective:
            typer.echo("  discloses the whole credential (jwt_vc_json has no selective disclosure):")
        elif not match.disclosed:
            typer.echo("  discloses no claims (only that you hold it)")
        for path, value in match.disclosed.items():
            typer.echo(f"  {path}: {json.dumps(value, ensure_ascii=False)}")
    if request.siop:
        typer.echo(f"and signs you in as {holder_did}")


@app.command("present")
def present(
    auth_uri: str = typer.Argument(..., help="openid4vp:// or modadigitalwallet://authorize link."),
    resolver: str | None = typer.Option(
        None,
        "--resolver",
        help="trust-ledger resolver: the verifier's DID document and trust list entry "
        "(or TRUST_LEDGER_RESOLVER_URL).",
        show_default="http://127.0.0.1:8080",
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Present without asking."),
    directory: Path = DIR_OPTION,
) -> None:
    """Answer an OID4VP presentation request: show who asks and what would be disclosed, ask,
    then post the presentation to the verifier."""
    wallet = _open(directory)
    with _one_line():
        request = wallet.read_request(auth_uri, resolver_url=resolver or _default_resolver())
        matches = wallet.match(request)
    _show_request(request, matches, wallet.holder_did)
    if not yes and not typer.confirm("Present?", default=False):
        with _one_line():
            wallet.decline(request)
        raise UsageError("declined; the verifier was told (access_denied)")
    with _one_line():
        outcome = wallet.post_response(request, wallet.respond(request, matches))
    if not outcome.accepted:
        raise UsageError(outcome.describe())
    typer.echo(outcome.describe())

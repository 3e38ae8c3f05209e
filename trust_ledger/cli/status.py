"""`trust-ledger status-list ...` and `trust-ledger status ...`: credential status on chain."""

from __future__ import annotations

import typer

from trust_ledger.cli.context import UsageError, address_from, report, settings

list_app = typer.Typer(help="Create status lists and manage their delegates.", no_args_is_help=True)
bits_app = typer.Typer(help="Set or clear status bits, many in one transaction.", no_args_is_help=True)


def parse_indices(values: list[str]) -> list[int]:
    """Indices given as numbers, comma lists or inclusive ranges: 5 7,9 100-120."""
    indices: set[int] = set()
    for value in values:
        for part in value.split(","):
            part = part.strip()
            low, dash, high = part.partition("-")
            try:
                if dash:
                    first, last = int(low), int(high)
                    if last < first:
                        raise ValueError
                    indices.update(range(first, last + 1))
                else:
                    indices.add(int(part))
            except ValueError:
                raise UsageError(f"'{part}' is not an index or a range like 100-120") from None
    if any(index < 0 for index in indices):
        raise UsageError("indices cannot be negative")
    return sorted(indices)


@list_app.command("create")
def create(
    ctx: typer.Context,
    owner: str = typer.Argument(..., help="DID of the entity that owns the list."),
    purpose: str = typer.Option("revocation", help="revocation or suspension."),
    uri: str = typer.Option(..., help="URL where the list credential will be published."),
    size: int = typer.Option(0, help="Entries, a multiple of 256; 0 for 131,072."),
) -> None:
    """Create a status list; the signer must control the owner or be its delegate."""
    list_id, result = settings(ctx).gateway(write=True).create_status_list(owner, purpose, uri, size)
    report(ctx, f"created {purpose} list {list_id} of {owner}", result)


@list_app.command("delegate")
def delegate(
    ctx: typer.Context,
    owner: str = typer.Argument(..., help="DID of the entity that owns the lists."),
    address: str = typer.Argument(..., help="The delegate's address (or a dev account name)."),
    withdraw: bool = typer.Option(False, help="Withdraw the delegation instead."),
) -> None:
    """Authorise an address to manage the owner's lists; the signer must control the owner."""
    gateway = settings(ctx).gateway(write=True)
    result = gateway.set_delegate(owner, address_from(address, gateway.deployment.chain_id), not withdraw)
    report(ctx, f"{'withdrew' if withdraw else 'authorised'} delegate {address} for {owner}", result)


def _bits_command(value: bool):
    def command(
        ctx: typer.Context,
        list_id: int = typer.Argument(..., help="The status list."),
        indices: list[str] = typer.Argument(..., help="Indices: 5 7,9 100-120."),
    ) -> None:
        chosen = parse_indices(indices)
        result = settings(ctx).gateway(write=True).set_statuses(list_id, chosen, value)
        report(ctx, f"{'set' if value else 'cleared'} {len(chosen)} bit(s) of list {list_id}", result)

    command.__doc__ = (
        f"{'Set' if value else 'Clear'} status bits in one transaction (owner or delegate signs)."
    )
    return command


bits_app.command("set")(_bits_command(True))
bits_app.command("clear")(_bits_command(False))

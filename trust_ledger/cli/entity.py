"""`trust-ledger entity ...`: register children and manage them as their parent or controller."""

from __future__ import annotations

import json
from datetime import datetime

import typer

from trust_ledger.cli.context import UsageError, address_from, report, settings

app = typer.Typer(help="Register and manage entities of the trust hierarchy.", no_args_is_help=True)


def parse_time(value: str | None) -> int:
    """Unix seconds from an ISO 8601 date/time or a number; None or '' means 0 (open)."""
    if not value:
        return 0
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"'{value}' is neither unix seconds nor an ISO 8601 date/time") from None
    if moment.tzinfo is None:
        raise UsageError(f"'{value}' has no time zone: add Z or an offset")
    return int(moment.timestamp())


def parse_roles(values: list[str]) -> list[tuple[str, list[str]]]:
    """`TARGET_DID=role1,role2` options into (target, names) pairs, merged per target."""
    merged: dict[str, list[str]] = {}
    for value in values:
        target, sep, names = value.rpartition("=")
        if not sep or not target.startswith("did:") or not names:
            raise UsageError(f"--role '{value}' must look like did:example:target=Role.A,Role.B")
        merged.setdefault(target, []).extend(n.strip() for n in names.split(",") if n.strip())
    return list(merged.items())


@app.command("register")
def register(
    ctx: typer.Context,
    parent: str = typer.Option(..., help="The parent's DID, or 'root' for the trust anchor."),
    label: str = typer.Option(..., help="DNS-like label under the parent (a-z, 0-9, '-', '_')."),
    did: str = typer.Option(..., help="The new entity's DID, unique in the registry."),
    controller: str = typer.Option(..., help="The new entity's controller address (or a dev account name)."),
) -> None:
    """Register a child entity; the signer must control the parent."""
    gateway = settings(ctx).gateway(write=True)
    result = gateway.register(parent, label, did, address_from(controller, gateway.deployment.chain_id))
    report(ctx, f"registered {did} as '{label}' under {parent}", result)


@app.command("accredit")
def accredit(
    ctx: typer.Context,
    did: str = typer.Argument(..., help="The child to accredit."),
    credential_type: str = typer.Option(..., "--type", help="Credential type it may issue."),
    role: list[str] = typer.Option([], help="Roles it may grant: TARGET_DID=Role.A,Role.B (repeatable)."),
    valid_from: str = typer.Option("", help="Start of validity (ISO 8601 or unix seconds)."),
    valid_until: str = typer.Option("", help="End of validity (ISO 8601 or unix seconds); empty is open."),
) -> None:
    """Grant or replace an accreditation; the signer must control the parent, which must hold it too."""
    gateway = settings(ctx).gateway(write=True)
    result = gateway.accredit(
        did, credential_type, parse_roles(role), parse_time(valid_from), parse_time(valid_until)
    )
    report(ctx, f"accredited {did} for {credential_type}", result)


@app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    did: str = typer.Argument(..., help="The child."),
    credential_type: str = typer.Option(..., "--type", help="Credential type to withdraw."),
) -> None:
    """Withdraw an accreditation; the signer must control the parent."""
    result = settings(ctx).gateway(write=True).withdraw_accreditation(did, credential_type)
    report(ctx, f"withdrew {credential_type} from {did}", result)


def _status_command(status: str, verb: str):
    def command(ctx: typer.Context, did: str = typer.Argument(..., help="The child.")) -> None:
        result = settings(ctx).gateway(write=True).set_status(did, status)
        report(ctx, f"{verb} {did}", result)

    command.__doc__ = f"Set a child's status to {status}; the signer must control the parent."
    return command


app.command("suspend")(_status_command("suspended", "suspended"))
app.command("reactivate")(_status_command("active", "reactivated"))
app.command("revoke")(_status_command("revoked", "revoked"))


@app.command("set-controller")
def set_controller(
    ctx: typer.Context,
    did: str = typer.Argument(..., help="The entity."),
    controller: str = typer.Option(..., help="The new controller address (or a dev account name)."),
) -> None:
    """Hand control to a new address; the signer must be the current controller."""
    gateway = settings(ctx).gateway(write=True)
    result = gateway.set_controller(did, address_from(controller, gateway.deployment.chain_id))
    report(ctx, f"handed control of {did} to {controller}", result)


@app.command("show")
def show(ctx: typer.Context, did: str = typer.Argument(..., help="The entity's DID, or 'root'.")) -> None:
    """Show an entity as the contract stores it now."""
    gateway = settings(ctx).gateway()
    entity = gateway.entity(did)
    active, inactive = gateway.effectively_active(entity.node)
    effective = "active" if active else f"inactive (because of {gateway.name_node(inactive)})"
    view = {**entity.__dict__, "effective": effective}
    if settings(ctx).as_json:
        typer.echo(json.dumps(view, indent=2))
        return
    for key, value in view.items():
        typer.echo(f"{key:>10}  {value}")

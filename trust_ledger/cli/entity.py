"""`trust-ledger entity ...`: register children and manage them as their parent or controller."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

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


@app.command("challenge")
def challenge(
    ctx: typer.Context,
    parent: str = typer.Option(..., help="The parent's DID, or 'root' for the trust anchor."),
    label: str = typer.Option(..., help="DNS-like label under the parent."),
    did: str = typer.Option(..., help="The new entity's DID."),
    controller: str = typer.Option(..., help="The new entity's controller address (or a dev account name)."),
    ttl: int = typer.Option(86400, help="Seconds from now the proof may be used for."),
) -> None:
    """Print the registration digest the DID's holder signs, or a did:web domain publishes, and its
    expiry: give both to `entity register` (--proof-expiry, and --proof for a signature)."""
    from trust_ledger.chain import did_control

    gateway = settings(ctx).gateway()
    kind, _ = did_control.proof_kind(did)
    if kind == did_control.NONE:
        raise UsageError(f"{did}: this DID method has no proof of control; register it without one")
    expiry = gateway.latest_block_time() + ttl
    controller = address_from(controller, gateway.deployment.chain_id)
    digest = gateway.registration_digest(parent, label, did, controller, expiry)
    view = {"did": did, "proof_kind": kind, "proof_expiry": expiry, "digest": "0x" + digest.hex()}
    if kind == did_control.WEB_CHALLENGE:
        try:
            view.update(publish_at=did_control.challenge_url(did), line=did_control.challenge_line(digest))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if settings(ctx).as_json:
        typer.echo(json.dumps(view, indent=2))
        return
    for key, value in view.items():
        typer.echo(f"{key:>12}  {value}")


@app.command("register")
def register(
    ctx: typer.Context,
    parent: str = typer.Option(..., help="The parent's DID, or 'root' for the trust anchor."),
    label: str = typer.Option(..., help="DNS-like label under the parent (a-z, 0-9, '-', '_')."),
    did: str = typer.Option(..., help="The new entity's DID, unique in the registry."),
    controller: str = typer.Option(..., help="The new entity's controller address (or a dev account name)."),
    did_key: str = typer.Option(
        "",
        help="Sign the proof of control with the DID's own key: a file with a hex secp256k1 key "
        "(did:ethr, did:pkh:eip155) or a private JWK (did:key, did:jwk), or a dev account name.",
    ),
    proof: str = typer.Option("", help="A proof of control the DID's holder made (0x hex; see 'challenge')."),
    proof_expiry: int = typer.Option(0, help="The expiry the proof or the did:web challenge was made for."),
) -> None:
    """Register a child entity; the signer must control the parent. The DID's method decides the
    proof of control (contracts/README.md): did:ethr / did:pkh:eip155, did:key, did:jwk a signature
    of the registration digest (--did-key, or --proof with --proof-expiry), checked here before
    sending; did:web the digest published at the domain (see 'challenge'), fetched and checked here."""
    from trust_ledger.chain import did_control
    from trust_ledger.chain.gateway import PROOF_TTL

    gateway = settings(ctx).gateway(write=True)
    controller = address_from(controller, gateway.deployment.chain_id)
    kind, account = did_control.proof_kind(did)
    if kind == did_control.NONE:
        if did_key or proof or proof_expiry:
            raise UsageError(f"{did}: this DID method has no proof of control; give none")
        result = gateway.register(parent, label, did, controller)
        report(ctx, f"registered {did} as '{label}' under {parent}", result)
        return
    if did_key and proof:
        raise UsageError("give either --did-key or --proof, not both")
    if kind != did_control.WEB_CHALLENGE and not did_key and not proof:
        raise UsageError(f"{did} needs a proof of control: --did-key, or --proof with --proof-expiry")
    if (proof or kind == did_control.WEB_CHALLENGE) and not proof_expiry:
        raise UsageError("--proof-expiry: the expiry the proof was made for (see 'entity challenge')")
    expiry = proof_expiry or gateway.latest_block_time() + PROOF_TTL
    digest = gateway.registration_digest(parent, label, did, controller, expiry)
    if kind == did_control.WEB_CHALLENGE:
        if did_key or proof:
            raise UsageError(f"{did}: a did:web proves control by publishing the challenge, not a signature")
        given = _fetched_challenge(did, digest)
    else:
        given = _signed(did, did_key, digest, gateway.deployment.chain_id) if did_key else _hex_proof(proof)
        verdict = (
            did_control.check_recoverable(account, digest, given)
            if account is not None
            else did_control.check_signature(did, digest, given)
        )
        if verdict is not True:
            raise UsageError(
                f"the proof is not a signature of this registration by {did}'s key"
                if verdict is False
                else f"{did}: cannot check a signature for this DID, so it is not registered"
            )
    result = gateway.register(parent, label, did, controller, proof=given, proof_expiry=expiry)
    report(ctx, f"registered {did} as '{label}' under {parent} (proof: {kind})", result)


CHALLENGE_LIMIT = 64 * 1024
"""The most bytes of a did:web challenge file read."""


def _signed(did: str, did_key: str, digest: bytes, chain_id: int) -> bytes:
    """The proof signed with --did-key: a dev account, a hex secp256k1 key or a private JWK."""
    from anvil.accounts import DEV_CHAIN_ID, dev_key, is_dev_name
    from trust_ledger.chain import did_control

    if is_dev_name(did_key):
        if chain_id != DEV_CHAIN_ID:
            raise UsageError(
                f"--did-key names a dev account, which exists only on the dev chain ({DEV_CHAIN_ID})"
            )
        return did_control.sign_secp256k1_recoverable(dev_key(did_key), digest)
    try:
        text = Path(did_key).read_text().strip()
    except OSError as exc:
        raise UsageError(f"cannot read the key file {did_key}: {exc.strerror}") from None
    if text.startswith("{"):
        try:
            return did_control.sign_jwk(json.loads(text), digest)
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"{did_key} is not a private Ed25519, P-256 or secp256k1 JWK: {exc}") from None
    try:
        key = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        key = b""
    if len(key) != 32:
        raise UsageError(f"{did_key} holds neither a hex secp256k1 key nor a private JWK")
    return did_control.sign_secp256k1_recoverable(key, digest)


def _hex_proof(value: str) -> bytes:
    try:
        return bytes.fromhex(value.removeprefix("0x"))
    except ValueError:
        raise UsageError("--proof must be hex (0x...)") from None


def _fetched_challenge(did: str, digest: bytes) -> bytes:
    """The registration digest, once the did:web's domain is seen publishing it."""
    import httpx

    from trust_ledger.chain import did_control

    try:
        url = did_control.challenge_url(did)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        with httpx.stream("GET", url, timeout=10, follow_redirects=False) as response:
            if response.status_code != 200:
                raise UsageError(
                    f"{url} answered {response.status_code}: publish the challenge there "
                    "(see 'entity challenge')"
                )
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > CHALLENGE_LIMIT:
                    raise UsageError(
                        f"{url} answered more than {CHALLENGE_LIMIT} bytes: not a challenge file"
                    )
    except httpx.HTTPError as exc:
        raise UsageError(f"cannot fetch the registration challenge at {url}: {exc}") from None
    if not did_control.published(body.decode("utf-8", errors="replace"), digest):
        raise UsageError(
            f"{url} does not publish this registration's challenge {did_control.challenge_line(digest)}"
        )
    return digest


@app.command("release-did")
def release_did(
    ctx: typer.Context,
    did: str = typer.Argument(..., help="The DID to release, held by a suspended or revoked descendant."),
    ancestor: str = typer.Option("root", help="The ancestor whose controller signs (a DID or 'root')."),
) -> None:
    """Release a DID held by a descendant that is suspended or revoked (or under one that is), so its
    real holder can register it again; the signer must control `ancestor`."""
    result = settings(ctx).gateway(write=True).release_did(ancestor, did)
    report(ctx, f"released {did} (by {ancestor})", result)


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

"""`trust-ledger key ...` and `trust-ledger service ...`: an entity's own DID document parts."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from trust_ledger.chain.abi import KEY_PURPOSES
from trust_ledger.cli.context import UsageError, report, settings
from trust_ledger.cli.entity import parse_time
from trust_ledger.codecs import BASE58BTC, CodecError, multibase_decode, private_jwk_members

key_app = typer.Typer(help="Add and revoke an entity's verification methods.", no_args_is_help=True)
service_app = typer.Typer(help="Add and remove an entity's service endpoints.", no_args_is_help=True)

PURPOSE_NAMES = ", ".join(KEY_PURPOSES)


def public_jwk_bytes(text: str, source: str) -> bytes:
    """Canonical UTF-8 JSON of a public JWK; refuses private members."""
    try:
        jwk = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source} is not JSON: {exc.msg}") from None
    if not isinstance(jwk, dict) or "kty" not in jwk:
        raise UsageError(f"{source} is not a JWK (no 'kty')")
    private = private_jwk_members(jwk)
    if private:
        raise UsageError(
            f"{source} holds private members ({', '.join(sorted(private))}): give the public key only"
        )
    return json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()


@key_app.command("add")
def add_key(
    ctx: typer.Context,
    did: str = typer.Argument(..., help="The entity."),
    key_id: str = typer.Option(..., "--id", help="Verification method fragment, e.g. key-1."),
    jwk: str = typer.Option("", help="Public JWK as JSON (type JsonWebKey2020)."),
    jwk_file: Path | None = typer.Option(None, help="File with the public JWK (type JsonWebKey2020)."),
    multibase: str = typer.Option("", help="Multikey publicKeyMultibase, e.g. z6Mk... (type Multikey)."),
    purpose: list[str] = typer.Option(["assertionMethod"], help=f"One of: {PURPOSE_NAMES} (repeatable)."),
    valid_from: str = typer.Option("", help="Start of validity (ISO 8601 or unix seconds)."),
    valid_until: str = typer.Option("", help="End of validity (ISO 8601 or unix seconds); empty is open."),
) -> None:
    """Add a verification method; the signer must control the entity."""
    given = [bool(jwk), jwk_file is not None, bool(multibase)]
    if sum(given) != 1:
        raise UsageError("give exactly one of --jwk, --jwk-file and --multibase")
    if multibase:
        key_type, material = "Multikey", multibase_key_bytes(multibase)
    else:
        text = jwk if jwk else _read(jwk_file)
        key_type, material = "JsonWebKey2020", public_jwk_bytes(text, "--jwk" if jwk else str(jwk_file))
    result = (
        settings(ctx)
        .gateway(write=True)
        .add_key(did, key_id, key_type, material, purpose, parse_time(valid_from), parse_time(valid_until))
    )
    report(ctx, f"added key #{key_id} ({key_type}) to {did}", result)


def _read(path: Path | None) -> str:
    assert path is not None
    try:
        return path.read_text()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def multibase_key_bytes(value: str) -> bytes:
    """The multicodec-prefixed key bytes of a base58btc ('z') multibase string."""
    try:
        return multibase_decode(value, BASE58BTC)
    except CodecError as exc:
        raise UsageError(f"'{value}' is {exc}") from None


REVOCATION_REASONS = {
    "unspecified": "unspecified",
    "superseded": "superseded",
    "compromise": "keyCompromise",
    "compromised": "keyCompromise",
    "keycompromise": "keyCompromise",
}


@key_app.command("revoke")
def revoke_key(
    ctx: typer.Context,
    did: str = typer.Argument(..., help="The entity."),
    key_id: str = typer.Option(..., "--id", help="Verification method fragment."),
    reason: str = typer.Option(
        "unspecified",
        help="unspecified or superseded (a rotation: what the key signed before stays valid), or "
        "compromise (the key is in other hands: every signature by it is refused, whatever its date).",
    ),
    since: str = typer.Option(
        "",
        help="With --reason compromise: since when the key is (or may be) compromised, ISO 8601 or unix "
        "seconds, not in the future.",
    ),
) -> None:
    """Revoke a verification method (final); the signer must control the entity. A revoked key can
    still be declared compromised later (or compromised since an earlier time)."""
    chosen = REVOCATION_REASONS.get(reason.lower())
    if chosen is None:
        raise UsageError(f"--reason '{reason}' is not one of unspecified, superseded, compromise")
    if chosen == "keyCompromise" and not since:
        raise UsageError("--reason compromise needs --since: the time since which the key is compromised")
    if chosen != "keyCompromise" and since:
        raise UsageError(f"--since is for --reason compromise only, not {reason}")
    compromised_since = parse_time(since)
    result = settings(ctx).gateway(write=True).revoke_key(did, key_id, chosen, compromised_since)
    what = f"as compromised since {since}" if chosen == "keyCompromise" else f"({chosen})"
    report(ctx, f"revoked key #{key_id} of {did} {what}", result)


@service_app.command("add")
def add_service(
    ctx: typer.Context,
    did: str = typer.Argument(..., help="The entity."),
    service_id: str = typer.Option(..., "--id", help="Service fragment, e.g. issuer."),
    service_type: str = typer.Option(..., "--type", help="Service type, e.g. OID4VCI."),
    endpoint: str = typer.Option(..., help="Service endpoint URI."),
) -> None:
    """Add a service endpoint; the signer must control the entity."""
    result = settings(ctx).gateway(write=True).add_service(did, service_id, service_type, endpoint)
    report(ctx, f"added service #{service_id} to {did}", result)


@service_app.command("remove")
def remove_service(
    ctx: typer.Context,
    did: str = typer.Argument(..., help="The entity."),
    service_id: str = typer.Option(..., "--id", help="Service fragment."),
) -> None:
    """Remove a service endpoint; the signer must control the entity."""
    result = settings(ctx).gateway(write=True).remove_service(did, service_id)
    report(ctx, f"removed service #{service_id} of {did}", result)

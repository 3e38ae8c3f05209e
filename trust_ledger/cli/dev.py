"""`trust-ledger dev`: the whole local system in one command."""

from __future__ import annotations

import threading
from pathlib import Path

import typer
from fastapi import FastAPI

from anvil import devchain
from anvil.accounts import dev_signer
from api.explorer import EXPLORER_PREFIX, create_explorer_app, under_prefix
from api.explorer.app import demo_origins
from api.issuer.app import create_app as create_issuer_app
from api.issuer.config import IssuerConfig, load_config
from api.issuer.wiring import open_issuer
from api.one_port import EXPLORER_PREFIXES, ISSUER_PREFIXES, VERIFIER_PREFIXES, one_port_app
from api.verifier.app import create_app as create_verifier_app
from api.verifier.config import VerifierConfig
from api.verifier.config import load_config as load_verifier_config
from api.verifier.trust_source import ViewsTrustSource
from api.verifier.wiring import open_verifier
from projections.service import LedgerService, watch_service
from resolver.app import create_app as create_resolver_app
from trust_ledger.chain.deployment import Deployment
from trust_ledger.chain.follower import Horizon
from trust_ledger.chain.gateway import TrustGateway
from trust_ledger.cli.context import LOG_FORMAT, settings
from trust_ledger.cli.devseed import (
    DEMO_ISSUER_ACCOUNT,
    DEMO_ISSUER_DID,
    DEMO_VERIFIER_DID,
    seed_demo_credentials,
    seed_demo_hierarchy,
    seed_demo_issuer,
    seed_demo_verifier,
)
from trust_ledger.cli.serve import serve
from trust_ledger.logs import configure_logging
from trust_ledger.paths import restrict_umask
from trust_ledger.settings import read_settings

DWVC_101_BODY = (
    '{"vcUid":"employee","fields":[{"ename":"name","content":"Alice"},{"ename":"employee_no","content":"7"}]}'
)


def dev(
    ctx: typer.Context,
    port: int = typer.Option(8080, help="HTTP port of the resolver, the issuer and the verifier."),
    chain_port: int = typer.Option(devchain.DEFAULT_PORT, help="Port of the local Anvil JSON-RPC endpoint."),
    keep_chain: bool = typer.Option(False, help="Leave Anvil running on exit."),
    log_format: str | None = LOG_FORMAT,
) -> None:
    """Start (or resume) the dev chain with a demo issuer and verifier, follow it into the ledger and
    serve the resolver, the issuer and the verifier on one port until Ctrl-C."""
    restrict_umask()  # every file this process creates (keys, stores, configs) is 0600
    configure_logging(log_format, default="text")
    var = settings(ctx).deployment_path.parent
    deployment, outcome = devchain.chain_up(port=chain_port, root=var)
    try:  # from here on, whatever fails, the chain this command started stops with it
        _run(deployment, outcome, var, port)
    finally:
        if not keep_chain:
            devchain.chain_down(root=var)
        typer.echo("stopped")


def _run(deployment: Deployment, outcome: str, var: Path, port: int) -> None:
    """Seed the demo world, print the banner, follow and serve until Ctrl-C."""
    reader = TrustGateway.connect(deployment.rpc_url, deployment)
    horizon = Horizon(confirmations=0)
    base = f"http://127.0.0.1:{port}"
    issuer_dir = var / "dev-issuer"
    anchor = reader.with_signer(dev_signer("anchor"))
    issuer_config = load_config(seed_demo_issuer(anchor, issuer_dir, base))
    token = issuer_config.access_tokens[0]
    verifier_dir = var / "dev-verifier"
    verifier_config = load_verifier_config(seed_demo_verifier(anchor, verifier_dir, base, base))
    verifier_token = verifier_config.access_tokens[0]
    seed_demo_hierarchy(anchor, var)
    typer.echo(
        f"trust-ledger dev: chain {deployment.chain_id} at {deployment.rpc_url} "
        f"({'new deployment' if outcome == 'deployed' else 'resumed from var/'})\n"
        f"  trust anchor {deployment.root_did}, TrustRegistry {deployment.trust_registry}\n"
        f"  resolver     {base}/1.0/identifiers/{{did}}   trust list {base}/1.0/trust-list\n"
        f"  issuer       {DEMO_ISSUER_DID} at {base}, Access-Token {token}\n"
        f"  verifier     {DEMO_VERIFIER_DID} at {base}, Access-Token {verifier_token}\n"
        f"  explorer     {base}/  (the explorer; API docs at {base}/docs)\n"
        "  try, in another shell (after `. .venv/bin/activate` in the repository):\n"
        "    trust-ledger entity register --parent root --label demo --did did:example:demo "
        "--controller dev1\n"
        "    trust-ledger history did:example:demo\n"
        f"    curl {base}/1.0/identifiers/did:example:demo\n"
        f"    curl -X POST {base}/api/qrcode/data -H 'Access-Token: {token}' "
        f"-H 'Content-Type: application/json' -d '{DWVC_101_BODY}'\n"
        "    trust-ledger wallet accept '<deepLink of that answer>'\n"
        f"    curl '{base}/api/oidvp/qrcode?ref=employee&transactionId=tx-1' "
        f"-H 'Access-Token: {verifier_token}'\n"
        "    trust-ledger wallet present '<authUri of that answer>' --yes\n"
        f"    curl -X POST {base}/api/oidvp/result -H 'Access-Token: {verifier_token}' "
        "-H 'Content-Type: application/json' -d '{\"transactionId\": \"tx-1\"}'\n"
        "  Ctrl-C stops everything; the next `trust-ledger dev` resumes from var/."
    )
    service = LedgerService.open(reader, horizon)
    service.start()
    watch_service(service)
    try:
        signer = reader.with_signer(dev_signer(DEMO_ISSUER_ACCOUNT))
        issuer = open_issuer(issuer_config, signer, service, config_dir=issuer_dir, horizon=horizon)
        verifier = open_verifier(verifier_config, ViewsTrustSource(service.views), config_dir=verifier_dir)
        resolver_app = create_resolver_app(
            service.views,
            chain_status=service.chain_status,
            home=f"{EXPLORER_PREFIX}/",
            replay_entries=read_settings().resolver_replay_entries,
        )
        application = one_port_app(
            resolver_app,
            (ISSUER_PREFIXES, create_issuer_app(issuer)),
            (VERIFIER_PREFIXES, create_verifier_app(verifier)),
            (EXPLORER_PREFIXES, under_prefix(explorer_app(issuer_config, verifier_config, base))),
        )
        if outcome == "deployed":
            seeding = threading.Thread(
                target=seed_demo_credentials, args=(base, token, var / "dev-wallet"), daemon=True
            )
            seeding.start()
        serve(application, "127.0.0.1", port)
    finally:
        service.stop()


def explorer_app(issuer_config: IssuerConfig, verifier_config: VerifierConfig, base: str) -> FastAPI:
    """The explorer over this port's resolver, with the demo issuer and verifier (tokens kept server-side)."""
    return create_explorer_app(
        base,
        issuer_config.access_tokens[0],
        base,
        verifier_config.access_tokens[0],
        issuer_did=issuer_config.did,
        verifier_did=verifier_config.did,
        issuer_templates={uid: template.fields for uid, template in issuer_config.templates.items()},
        verifier_refs=list(verifier_config.templates),
        origins=demo_origins(base),
    )

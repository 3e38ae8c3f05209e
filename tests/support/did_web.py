"""Helpers of the did:web interop test: a test certificate authority and an issuer module served
over TLS at the did:web DID ``did:web:localhost%3A<port>``, so an unmodified did:web resolver
(which fetches ``https://<domain>/.well-known/did.json``) reaches it, trusting the test CA only
(Node's NODE_EXTRA_CA_CERTS). ``localhost`` needs no DNS; the did:web specification forbids IP
addresses in the DID."""

from __future__ import annotations

import contextlib
import datetime
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from anvil.accounts import dev_account
from anvil.devchain import free_port
from api.credentials.keys import SigningKey
from api.issuer.app import create_app
from api.issuer.config import IssuerConfig
from api.issuer.context import IssuerContext
from api.issuer.wiring import open_issuer
from projections.service import LedgerService
from tests.support.issuer import TEMPLATES, TOKEN, Clock
from tests.support.waiting import wait_until
from trust_ledger.chain.follower import default_horizon


@dataclass(frozen=True)
class TlsFiles:
    """A CA certificate (PEM) and a server certificate for ``localhost`` it signed, with its key."""

    ca: Path
    cert: Path
    key: Path


def make_tls(directory: Path) -> TlsFiles:
    """A fresh CA and a ``localhost`` server certificate (P-256, valid for a day) under `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "trust-ledger test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    tls = TlsFiles(directory / "ca.pem", directory / "localhost.pem", directory / "localhost.key")
    tls.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    tls.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tls.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return tls


@dataclass
class WebIssuer:
    """The issuer module of ``did:web:localhost%3A<port>``, served over TLS on that port."""

    did: str
    url: str
    ctx: IssuerContext
    service: LedgerService
    chain: Any
    signer: str

    def on_chain(self, action: str, *args: Any, signer: str | None = None) -> None:
        """A gateway call as the entity's controller (or `signer`), waited for in the views."""
        result = getattr(self.chain.gateway(signer or self.signer), action)(*args)
        tx = result[1] if isinstance(result, tuple) else result
        wait_until(
            lambda: (self.service.views.freshness().block_number or -1) >= tx.block_number,
            60,
            what=f"the views to reach block {tx.block_number}",
        )


@contextlib.contextmanager
def serve_web_issuer(chain: Any, var: Path, tls: TlsFiles, signer: str = "dev1") -> Iterator[WebIssuer]:
    """Register ``did:web:localhost%3A<port>`` under the root (controller `signer`) with an
    assertion key and an OID4VCI service, and serve its issuer module over TLS on that port."""
    port = free_port()
    did = f"did:web:localhost%3A{port}"
    key = SigningKey.generate("P-256", did=did, key_id="key-1")
    chain.gateway("anchor").register("root", "webacme", did, dev_account(signer).address)
    controller = chain.gateway(signer)
    controller.add_key(
        did, "key-1", "JsonWebKey2020", json.dumps(key.public_jwk).encode(), ["assertionMethod"]
    )
    setup = controller.add_service(did, "issuer", "OID4VCI", f"https://localhost:{port}")
    horizon = default_horizon(chain.deployment.chain_id)
    service = LedgerService.open(chain.gateway(None), horizon, poll_interval=0.05)
    service.start()
    config = IssuerConfig.model_validate(
        {
            "did": did,
            "base_url": f"https://localhost:{port}",
            "signing_key": {"key_id": "key-1", "jwk": key.private_jwk()},
            "templates": TEMPLATES,
            "access_tokens": [TOKEN],
            "status_list_size": 1024,
            "var_dir": str(var),
        }
    )
    ctx = open_issuer(config, controller, service, horizon=horizon, clock=Clock())
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(ctx),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            ssl_certfile=str(tls.cert),
            ssl_keyfile=str(tls.key),
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 30, what="the issuer to listen")
        wait_until(
            lambda: (service.views.freshness().block_number or -1) >= setup.block_number,
            60,
            what="the issuer's views to hold its entity",
        )
        yield WebIssuer(did, f"https://localhost:{port}", ctx, service, chain, signer)
    finally:
        server.should_exit = True
        thread.join(30)
        service.stop()
        ctx.records.close()

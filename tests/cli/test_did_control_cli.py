"""`trust-ledger entity challenge / register / release-did` with a proof of control (issue 14 item 4):
real processes, a real Anvil, and a did:web domain served over TLS from a test CA."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from anvil.accounts import dev_account, dev_key
from anvil.devchain import free_port
from api.credentials import dids
from api.credentials.keys import SigningKey
from tests.support.cli_process import CLI, ok, refused
from tests.support.did_web import make_tls


class Domain:
    """An HTTPS server at ``localhost:<port>`` serving `files` (path -> bytes); anything else is 404."""

    def __init__(self, port: int):
        self.port = port
        self.did = f"did:web:localhost%3A{port}"
        self.files: dict[str, bytes] = {}


@pytest.fixture
def domain(tmp_path) -> Iterator[tuple[Domain, str]]:
    tls = make_tls(tmp_path / "tls")
    served = Domain(free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = served.files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("localhost", served.port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls.cert, tls.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served, str(tls.ca)
    server.shutdown()
    server.server_close()


@pytest.fixture
def cli(chain, tmp_path):
    def run(*args: str, signer: str | None = None, ca: str | None = None) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "TRUST_LEDGER_DEPLOYMENT": str(chain.manifest),
            "TRUST_LEDGER_VAR": str(tmp_path),
        }
        env.pop("TRUST_LEDGER_PRIVATE_KEY", None)
        if signer:
            env["TRUST_LEDGER_PRIVATE_KEY"] = signer
        if ca:
            env["SSL_CERT_FILE"] = ca
        return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)

    return run


def registration(did: str, label: str = "bank", parent: str = "root", controller: str = "dev2") -> list[str]:
    return ["--parent", parent, "--label", label, "--did", did, "--controller", controller]


def test_did_web_registers_once_its_domain_publishes_the_challenge(cli, domain, chain):
    served, ca = domain
    challenge = json.loads(ok(cli("--json", "entity", "challenge", *registration(served.did))))
    assert challenge["proof_kind"] == "webChallenge"
    assert (
        challenge["publish_at"]
        == f"https://localhost:{served.port}/.well-known/trust-ledger-registration.txt"
    )
    expiry = str(challenge["proof_expiry"])
    register = ["entity", "register", *registration(served.did), "--proof-expiry", expiry]

    missing = refused(cli(*register, ca=ca))
    assert missing.startswith(f"{challenge['publish_at']} answered 404")
    served.files["/.well-known/trust-ledger-registration.txt"] = b"0x" + b"ab" * 32 + b"\n"
    other = refused(cli(*register, ca=ca))
    assert "does not publish this registration's challenge" in other
    # The challenge of another registration (another controller) does not do for this one.
    squat = json.loads(ok(cli("--json", "entity", "challenge", *registration(served.did, controller="dev5"))))
    served.files["/.well-known/trust-ledger-registration.txt"] = squat["line"].encode()
    assert "does not publish" in refused(cli(*register, ca=ca))
    untrusted = refused(cli(*register))  # without the test CA the domain's certificate is not trusted
    assert "cannot fetch the registration challenge" in untrusted

    served.files["/.well-known/trust-ledger-registration.txt"] = (
        squat["line"] + "\n" + challenge["line"]
    ).encode()
    out = ok(cli(*register, ca=ca))
    assert f"registered {served.did} as 'bank' under root (proof: webChallenge)" in out
    assert chain.gateway(None).entity(served.did).controller == dev_account("dev2").address


def test_ethr_did_is_signed_with_its_key_and_checked_before_sending(cli, chain, tmp_path):
    did = f"did:ethr:{dev_account('dev4').address}"
    register = ["entity", "register", *registration(did, label="acme")]
    assert (
        refused(cli(*register))
        == f"{did} needs a proof of control: --did-key, or --proof with --proof-expiry"
    )
    head = chain.w3.eth.block_number
    wrong = refused(cli(*register, "--did-key", "dev5"))
    assert wrong == f"the proof is not a signature of this registration by {did}'s key"
    assert chain.w3.eth.block_number == head, "refused before anything was sent"

    key_file = tmp_path / "did.key"
    key_file.write_text("0x" + dev_key("dev4").hex())
    out = ok(cli(*register, "--did-key", str(key_file)))
    assert f"registered {did} as 'acme' under root (proof: secp256k1)" in out


def test_release_did_of_a_revoked_squatter(cli, chain):
    squatter = "did:elsi:EU.EORI.NLSQUATTER"
    bank = "did:elsi:EU.EORI.NLBANK"
    ok(cli("entity", "register", *registration(squatter, label="squatter", controller="dev1")))
    ok(cli("entity", "register", *registration(bank, parent=squatter, controller="dev1"), signer="dev1"))
    active = refused(cli("entity", "release-did", bank))
    assert "are active: suspend or revoke it" in active
    ok(cli("entity", "revoke", squatter))
    out = ok(cli("entity", "release-did", bank))
    assert out.startswith(f"released {bank} (by root): block")
    ok(cli("entity", "register", *registration(bank)))
    assert chain.gateway(None).entity(bank).controller == dev_account("dev2").address


def test_did_key_is_signed_with_a_private_jwk_file(cli, chain, tmp_path):
    key, stranger = SigningKey.generate("Ed25519"), SigningKey.generate("Ed25519")
    did, _ = dids.holder_did(key.public_jwk, "key")
    own, other = tmp_path / "own.jwk", tmp_path / "other.jwk"
    own.write_text(json.dumps(key.private_jwk()))
    other.write_text(json.dumps(stranger.private_jwk()))
    register = ["entity", "register", *registration(did, label="holder")]
    assert refused(cli(*register, "--did-key", str(other))) == (
        f"the proof is not a signature of this registration by {did}'s key"
    )
    out = ok(cli(*register, "--did-key", str(own)))
    assert f"registered {did} as 'holder' under root (proof: signature)" in out

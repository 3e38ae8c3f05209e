"""Helpers of the session-fixation tests (issue 14 item 5): the holder's real wallet beside the
verifier world of tests/support/verifier.py, and the business system's side of a same-device flow."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI

from api.local_servers import LocalServers
from api.wallet import Wallet
from api.wallet.received import read_credential
from api.wallet.store import CredentialStore, StoredCredential, credential_id
from resolver.app import create_app as create_resolver_app
from tests.support.verifier import EMPLOYEE, ISSUER, World

BUSINESS_PAGE = "https://rp.example/after-wallet?session=s-1"
"""The business system's page on the holder's device (never opened: the test plays the browser)."""


@dataclass
class Holder:
    """A person's wallet (the project's wallet, on disk) and the resolver it asks."""

    wallet: Wallet
    resolver: str

    @property
    def did(self) -> str:
        return self.wallet.holder_did

    def present(self, auth_uri: str) -> Any:
        """Scan, read, match and post, as `trust-ledger wallet present --yes` does."""
        return self.wallet.present(auth_uri, resolver_url=self.resolver)


def give_credential(world: World, wallet: Wallet) -> StoredCredential:
    """An EmployeeCredential by the world's issuer, bound to the wallet's key, kept in the wallet
    as if received through an offer."""
    raw = world.sd_jwt(holder=wallet.holder.key)
    stored = StoredCredential(
        id=credential_id(raw),
        format="dc+sd-jwt",
        raw=raw,
        configuration_id=EMPLOYEE,
        issuer=ISSUER,
        received_at=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        claims=read_credential(raw, "dc+sd-jwt", wallet.holder, bound=True),
    )
    CredentialStore(wallet.store_dir).save(stored)
    return stored


@contextlib.contextmanager
def holder_of(world: World, directory: Path) -> Iterator[Holder]:
    """A wallet in `directory` holding one EmployeeCredential, and a resolver over the world's views."""
    with contextlib.ExitStack() as stack:
        resolver = LocalServers(stack).serve(create_resolver_app(world.service.views))
        wallet = Wallet(directory)
        give_credential(world, wallet)
        yield Holder(wallet, resolver)


def response_code(redirect_uri: str | None) -> str:
    """What the business system's page reads from the fragment the wallet was sent to."""
    assert redirect_uri is not None, "the verifier gave no redirect_uri"
    (code,) = parse_qs(urlsplit(redirect_uri).fragment)["response_code"]
    return code


@contextlib.contextmanager
def hostile_verifier(redirect_uri: str) -> Iterator[str]:
    """A response endpoint answering every post with `redirect_uri`; its URL."""
    app = FastAPI()

    @app.post("/response")
    def answer() -> dict[str, str]:
        return {"redirect_uri": redirect_uri}

    with contextlib.ExitStack() as stack:
        yield LocalServers(stack).serve(app) + "/response"

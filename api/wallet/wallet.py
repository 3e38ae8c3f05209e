"""``Wallet``: a holder key, its DID, the credentials received through OID4VCI offers, and their
presentation to OID4VP verifiers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from api.wallet import issuance, presentation
from api.wallet.authorization import PresentationRequest, read_request
from api.wallet.errors import WalletError
from api.wallet.http import wallet_client
from api.wallet.keystore import Holder, create_holder, load_holder
from api.wallet.matching import Match, match_request
from api.wallet.metadata import IssuerMetadata, fetch_issuer_metadata, token_endpoint
from api.wallet.offer import CredentialOffer, check_tx_code, read_offer
from api.wallet.presentation import PresentationOutcome, PresentationResponse
from api.wallet.received import SUPPORTED_FORMATS, read_credential
from api.wallet.store import CredentialStore, StoredCredential, credential_id

DEFAULT_CURVE = "P-256"
DEFAULT_BINDING = "did:jwk"


class Wallet:
    """A holder wallet kept in ``store_dir``.

    The first time, a key on ``curve`` (P-256 default, secp256k1, Ed25519) is generated and
    saved with its holder DID (``binding``: did:jwk default, or did:key). Later instances load
    them; a ``curve`` or ``binding`` given explicitly must match what the wallet already has.
    """

    def __init__(self, store_dir: Path, *, curve: str | None = None, binding: str | None = None) -> None:
        self.store_dir = Path(store_dir)
        holder = load_holder(self.store_dir, binding or DEFAULT_BINDING)
        if holder is None:
            holder = create_holder(self.store_dir, curve or DEFAULT_CURVE, binding or DEFAULT_BINDING)
        if curve is not None and holder.key.curve != curve:
            raise WalletError(
                "wallet key", f"the wallet in {self.store_dir} has a key on {holder.key.curve}, not {curve}"
            )
        if binding is not None and holder.binding != binding:
            raise WalletError(
                "wallet key", f"the wallet in {self.store_dir} uses {holder.binding}, not {binding}"
            )
        self._holder = holder
        self._store = CredentialStore(self.store_dir)

    @classmethod
    def open(cls, store_dir: Path) -> Wallet:
        """An existing wallet; ``WalletError`` when ``store_dir`` has none (no key is created)."""
        if load_holder(Path(store_dir)) is None:
            raise WalletError("wallet", f"there is no wallet in {store_dir}")
        return cls(store_dir)

    @property
    def holder(self) -> Holder:
        """The holder key (``.key`` is an ``api.credentials.keys.SigningKey`` whose kid is the DID URL)."""
        return self._holder

    @property
    def holder_did(self) -> str:
        """The holder DID (did:jwk or did:key)."""
        return self._holder.did

    def credentials(self) -> list[StoredCredential]:
        """Every credential held, oldest first."""
        return self._store.all()

    def credential(self, id_or_prefix: str) -> StoredCredential:
        """One credential by id (or an unambiguous prefix of it)."""
        return self._store.get(id_or_prefix)

    def accept_offer(
        self,
        offer_uri_or_deep_link: str,
        *,
        tx_code: str | None = None,
        http: httpx.Client | None = None,
        format: str | None = None,
    ) -> list[StoredCredential]:
        """Run the pre-authorized code flow for every credential configuration of an offer.

        ``offer_uri_or_deep_link``: an ``openid-credential-offer://`` or ``modadigitalwallet://
        credential_offer`` link (offer by value or ``credential_offer_uri``), or the offer JSON.
        ``tx_code``: the transaction code, when the offer asks for one. ``format``: accept only the
        offered configurations in this format. Each credential is stored as it arrives; the
        stored credentials are returned. Raises ``WalletError`` naming the failed step.
        """
        client = http or wallet_client()
        try:
            offer = read_offer(offer_uri_or_deep_link, client)
            code = check_tx_code(offer, tx_code)
            metadata = fetch_issuer_metadata(client, offer.credential_issuer)
            wanted = _configurations(offer, metadata, self._holder, format)
            session = issuance.start(
                client, token_endpoint(client, offer, metadata), offer, metadata, self._holder, code
            )
            stored: list[StoredCredential] = []
            for delivery in issuance.receive(session, wanted):
                try:
                    stored.extend(self._keep(offer, delivery, raw) for raw in delivery.credentials)
                except WalletError:
                    issuance.notify(session, delivery.notification_id, "credential_failure")
                    raise
                issuance.notify(session, delivery.notification_id, "credential_accepted")
            return stored
        finally:
            if http is None:
                client.close()

    def read_request(
        self, auth_uri: str, *, resolver_url: str, now: float | None = None, http: httpx.Client | None = None
    ) -> PresentationRequest:
        """Read an OID4VP request link: fetch the signed request object, verify it with the
        verifier's DID key (resolved at ``resolver_url``), and look the verifier up on the trust
        list (an untrusted verifier is a warning). Raises ``WalletError`` naming the failed step."""
        with _client(http) as client:
            return read_request(client, auth_uri, resolver_url=resolver_url, now=now)

    def match(self, request: PresentationRequest, *, now: float | None = None) -> list[Match]:
        """The held credential for each query of ``request`` and what it will disclose;
        ``WalletError`` when a required query cannot be answered."""
        return match_request(request.query, request.profile, self.credentials(), now)

    def respond(
        self, request: PresentationRequest, matches: list[Match], *, now: float | None = None
    ) -> PresentationResponse:
        """The response fields (presentations bound to the request's client_id and nonce,
        ``presentation_submission`` for twdiw, a self-issued ``id_token`` for SIOP), not sent."""
        return presentation.build_response(request, matches, self._holder, now=now)

    def post_response(
        self,
        request: PresentationRequest,
        response: PresentationResponse,
        *,
        http: httpx.Client | None = None,
    ) -> PresentationOutcome:
        """POST ``response`` to the request's ``response_uri``: the verifier's answer."""
        with _client(http) as client:
            return presentation.post_response(client, request.response_uri, response)

    def decline(
        self, request: PresentationRequest, *, http: httpx.Client | None = None
    ) -> PresentationOutcome:
        """Tell the verifier the holder declined (``error=access_denied``)."""
        response = presentation.error_response(request, "access_denied", "the holder declined to present")
        return self.post_response(request, response, http=http)

    def present(
        self,
        auth_uri: str,
        *,
        resolver_url: str,
        now: float | None = None,
        http: httpx.Client | None = None,
    ) -> PresentationOutcome:
        """Read the request, match, respond and post, without asking anyone."""
        with _client(http) as client:
            request = self.read_request(auth_uri, resolver_url=resolver_url, now=now, http=client)
            response = self.respond(request, self.match(request, now=now), now=now)
            return self.post_response(request, response, http=client)

    def _keep(self, offer: CredentialOffer, delivery: issuance.Delivery, raw: Any) -> StoredCredential:
        claims = read_credential(raw, delivery.format, self._holder, bound=delivery.bound)
        credential = StoredCredential(
            id=credential_id(raw),
            format=delivery.format,
            raw=raw,
            configuration_id=delivery.configuration_id,
            issuer=offer.credential_issuer,
            received_at=datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
            claims=claims,
        )
        self._store.save(credential)
        return credential


@contextmanager
def _client(http: httpx.Client | None) -> Iterator[httpx.Client]:
    """``http``, or a client of our own, closed afterwards."""
    if http is not None:
        yield http
        return
    with wallet_client() as client:
        yield client


def _configurations(
    offer: CredentialOffer, metadata: IssuerMetadata, holder: Holder, format: str | None
) -> list[str]:
    """The offered configuration ids to request: all known to the issuer, in a supported format
    (and in ``format`` when given), with a proof the holder can make; checked before the
    single-use pre-authorized code is spent."""
    wanted = []
    for config_id in offer.configuration_ids:
        config = metadata.configurations.get(config_id)
        if config is None:
            raise WalletError("credential offer", f"the issuer's metadata has no configuration {config_id!r}")
        if format is not None and config.get("format") != format:
            continue
        if config.get("format") not in SUPPORTED_FORMATS:
            raise WalletError(
                "credential offer",
                f"{config_id} has format {config.get('format')!r}; the wallet supports "
                f"{', '.join(SUPPORTED_FORMATS)} (choose with format=...)",
            )
        issuance.proof_binding(config_id, config, holder)
        wanted.append(config_id)
    if not wanted:
        raise WalletError("credential offer", f"the offer has no configuration in format {format!r}")
    return wanted

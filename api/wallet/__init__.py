"""The reference holder wallet: accept OID4VCI credential offers, keep the credentials, and present
them to OID4VP verifiers.

Modules, one job each: ``errors`` (``WalletError``), ``http`` (JSON over httpx, OAuth error
bodies, https rule), ``offer`` (offer links and objects), ``metadata`` (issuer and authorization
server discovery), ``keystore`` (the holder key and DID on disk), ``store`` (credentials on disk),
``received`` (reading a received credential: claims and key binding), ``issuance`` (the
pre-authorized code flow), ``authorization`` (OID4VP request links and signed request objects),
``verifier_identity`` (the verifier's DID key and trust list entry, via the resolver),
``claim_paths`` (claim paths into a credential), ``matching`` (which credential answers which
query), ``siop`` (self-issued ID token), ``presentation`` (the response, built and posted),
``wallet`` (``Wallet``, tying them together).
"""

from api.wallet.authorization import PresentationRequest
from api.wallet.errors import WalletError
from api.wallet.matching import Match
from api.wallet.presentation import PresentationOutcome, PresentationResponse
from api.wallet.store import StoredCredential
from api.wallet.wallet import Wallet

__all__ = [
    "Match",
    "PresentationOutcome",
    "PresentationRequest",
    "PresentationResponse",
    "StoredCredential",
    "Wallet",
    "WalletError",
]

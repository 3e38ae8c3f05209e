"""The reference holder wallet: accept OID4VCI credential offers and keep the credentials.

Modules, one job each: ``errors`` (``WalletError``), ``http`` (JSON over httpx, OAuth error
bodies, https rule), ``offer`` (offer links and objects), ``metadata`` (issuer and authorization
server discovery), ``keystore`` (the holder key and DID on disk), ``store`` (credentials on disk),
``received`` (reading a received credential: claims and key binding), ``issuance`` (the
pre-authorized code flow), ``wallet`` (``Wallet``, tying them together).
"""

from api.wallet.errors import WalletError
from api.wallet.store import StoredCredential
from api.wallet.wallet import Wallet

__all__ = ["StoredCredential", "Wallet", "WalletError"]

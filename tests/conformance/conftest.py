"""The conformance suite reuses the verifier's and the issuer's real-chain fixtures."""

from tests.issuer.conftest import issuer, issuer_with  # noqa: F401
from tests.verifier.conftest import world  # noqa: F401

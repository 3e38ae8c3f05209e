"""What every verifier use case needs, built once per process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from api.credentials.keys import SigningKey
from api.verifier.callbacks import CallbackSender
from api.verifier.config import VerifierConfig, VerifierTemplate
from api.verifier.decision import TrustDecision
from api.verifier.ratelimit import TokenBuckets
from api.verifier.sessions import SessionStore
from api.verifier.trust_source import TrustSource
from trust_ledger.state_db import StateDatabase


@dataclass
class VerifierContext:
    """Configuration, key, sessions and the trust decision of one verifier; ``clock`` gives unix seconds."""

    config: VerifierConfig
    key: SigningKey
    sessions: SessionStore
    source: TrustSource
    decision: TrustDecision
    callbacks: CallbackSender
    static_qr_limit: TokenBuckets  # DWVP-02-101 requests per client address
    clock: Callable[[], int]
    state: StateDatabase | None = None  # the state database the stores above share (closed last)

    def template(self, ref: str) -> VerifierTemplate | None:
        return self.config.templates.get(ref)

    def close(self) -> None:
        self.callbacks.close()
        self.sessions.close()
        if self.state is not None:
            self.state.close()

"""Build a VerifierContext from a configuration and a trust source."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from api.verifier.callbacks import CallbackSender
from api.verifier.config import VerifierConfig
from api.verifier.context import VerifierContext
from api.verifier.decision import TrustDecision
from api.verifier.ratelimit import TokenBuckets
from api.verifier.sessions import SessionStore
from api.verifier.trust_source import TrustSource
from trust_ledger.paths import private_dir, var_dir
from trust_ledger.state_db import open_state


def open_verifier(
    config: VerifierConfig,
    source: TrustSource,
    *,
    config_dir: Path = Path("."),
    clock: Callable[[], int] | None = None,
) -> VerifierContext:
    """The verifier's stores, key and trust decision. Its state (sessions, the callback queue, the
    static QR route's rate buckets) is in the state database: the ledger's PostgreSQL when the
    ledger is there, shared by every replica; else `verifier-sessions.sqlite` under the var directory."""
    now = clock or (lambda: int(time.time()))
    var = private_dir(config.var_dir or var_dir())
    state = open_state(var / "verifier-sessions.sqlite")
    ctx = VerifierContext(
        config=config,
        key=config.signing_key.load(config.did, config_dir),
        sessions=SessionStore(state, retention=config.session_retention, owner=config.did),
        source=source,
        decision=TrustDecision(
            source, clock=now, leeway=config.leeway, freshness=config.trust_freshness.bounds()
        ),
        callbacks=CallbackSender(
            config.callback_url, database=state, owner=config.did, max_pending=config.callback_max_pending
        ),
        static_qr_limit=TokenBuckets(
            config.static_qr_rate, config.static_qr_burst, database=state, scope=config.did
        ),
        clock=now,
        state=state,
    )
    ctx.sessions.start_purging(now)
    return ctx

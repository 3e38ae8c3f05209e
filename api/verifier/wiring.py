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


def open_verifier(
    config: VerifierConfig,
    source: TrustSource,
    *,
    config_dir: Path = Path("."),
    clock: Callable[[], int] | None = None,
) -> VerifierContext:
    """The verifier's session store (SQLite under the var directory), key and trust decision."""
    now = clock or (lambda: int(time.time()))
    var = private_dir(config.var_dir or var_dir())
    ctx = VerifierContext(
        config=config,
        key=config.signing_key.load(config.did, config_dir),
        sessions=SessionStore(var / "verifier-sessions.sqlite", retention=config.session_retention),
        source=source,
        decision=TrustDecision(
            source, clock=now, leeway=config.leeway, freshness=config.trust_freshness.bounds()
        ),
        callbacks=CallbackSender(config.callback_url, max_pending=config.callback_max_pending),
        static_qr_limit=TokenBuckets(config.static_qr_rate, config.static_qr_burst),
        clock=now,
    )
    ctx.sessions.start_purging(now)
    return ctx

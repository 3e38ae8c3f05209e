"""Logs on stderr in one of two styles, chosen by flag or TRUST_LEDGER_LOG_FORMAT.

``json`` (the default for `serve`, production): one JSON object per line, so each event is one
greppable record. Fields: ``ts`` (ISO 8601 UTC), ``level``, ``logger``, ``event`` (the message) and
whatever the caller passed in ``extra=``; an exception adds ``error`` with its traceback. uvicorn's
own loggers are routed through the same handler.

``text`` (the default for `dev`, a person at a terminal): ``HH:MM:SS level  message``, and quiet:
the client's per-request lines (httpx) only at debug level, so errors and the follower's milestones
stay visible.

In both styles the access log (uvicorn's line per request served) is written at debug level only
(TRUST_LEDGER_LOG_LEVEL=debug): a JSON access line cost 30-60 µs of Python per request, as much as
a whole resolution answered from memory (issue 18), and the reverse proxy in front keeps its own
access log. Below debug the server does not even format it (trust_ledger.http_server).

In both styles, capability URLs are redacted from every message (``redact``: credential-offer and
request-object ids, DWVC-201 transaction ids, the explorer's result handles, and secret query
values such as ``pre-authorized_code``), and a warning or error repeated more than ``burst`` times
a minute is dropped, the next one kept saying how many were (``RepeatLimit``): a flood of bad
requests cannot flood the log.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's copy of the message with terminal colour codes
}


class JsonLines(logging.Formatter):
    """Formats a record as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                line[name] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class HumanLines(logging.Formatter):
    """Formats a record as one short line for a terminal: time, level, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        extras = " ".join(
            f"{name}={value}"
            for name, value in vars(record).items()
            if name not in _STANDARD and not name.startswith("_")
        )
        line = f"{when} {record.levelname.lower():<7} {record.getMessage()}"
        if extras:
            line += f"  ({extras})"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


REDACTED = "[redacted]"
_CAPABILITY_PATHS = re.compile(
    r"(/credential-offer/|/oidvp/request/|/api/credential/nonce/|/explorer/api/verifier/requests/)"
    r"([^/?#\s\"']+)"
)
"""Path segments that are bearer handles: whoever knows one can fetch what it names."""
_SECRET_QUERY_VALUES = re.compile(
    r"([?&](?:pre-authorized_code|tx_code|code|access_token|transactionId|request_uri|"
    r"credential_offer|credential_offer_uri|state|nonce)=)([^&#\s\"']*)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with capability path segments and secret query values replaced by ``[redacted]``."""
    text = _CAPABILITY_PATHS.sub(rf"\g<1>{REDACTED}", text)
    return _SECRET_QUERY_VALUES.sub(rf"\g<1>{REDACTED}", text)


class RedactCapabilities(logging.Filter):
    """Rewrites each record's message through ``redact`` (uvicorn's access lines carry the path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


@dataclass
class _Repeats:
    since: float
    count: int = 1
    dropped: int = 0


class RepeatLimit(logging.Filter):
    """Lets at most ``burst`` warnings or errors with the same logger and message template through
    per ``window`` seconds; the first one after a window in which some were dropped carries
    ``dropped`` (how many). Info and debug records always pass."""

    def __init__(self, burst: int = 20, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.burst, self.window, self.clock = burst, window, clock
        self.seen: dict[tuple[str, int, str], _Repeats] = {}
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        with self.lock:
            repeats = self.seen.get(key)
            if repeats is None or now - repeats.since >= self.window:
                if len(self.seen) >= 10_000:  # messages formatted before logging make many keys
                    self.seen.clear()
                self.seen[key] = _Repeats(since=now)
                if repeats is not None and repeats.dropped:
                    record.dropped = repeats.dropped
                return True
            repeats.count += 1
            if repeats.count <= self.burst:
                return True
            repeats.dropped += 1
            return False


LOG_FORMATS = ("json", "text")


def configure_logging(log_format: str | None = None, *, default: str = "json") -> None:
    """Send every logger (ours and uvicorn's) to stderr in `log_format` (else TRUST_LEDGER_LOG_FORMAT,
    else `default`), at TRUST_LEDGER_LOG_LEVEL (default info)."""
    from trust_ledger.settings import read_settings  # checks both variables (SettingsError)

    settings = read_settings()
    chosen = (log_format or settings.log_format or default).lower()
    if chosen not in LOG_FORMATS:
        raise ValueError(f"log format '{chosen}' is not one of {', '.join(LOG_FORMATS)}")
    level = settings.logging_level
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if chosen == "json" else HumanLines())
    handler.addFilter(RepeatLimit())
    handler.addFilter(RedactCapabilities())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "httpx"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    if level > logging.DEBUG:
        # One line per request served: at debug only, in either style (see the module docstring).
        logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
        if chosen == "text":
            # One line per request sent (httpx: the demo seeding, callbacks).
            logging.getLogger("httpx").setLevel(logging.WARNING)


UVICORN_LOG_CONFIG: dict[str, Any] = {"version": 1, "disable_existing_loggers": False}
"""Passed to uvicorn so it keeps the handlers configure_logging installed."""

"""Logs on stderr in one of two styles, chosen by flag or TRUST_LEDGER_LOG_FORMAT.

``json`` (the default for `serve`, production): one JSON object per line, so each event is one
greppable record. Fields: ``ts`` (ISO 8601 UTC), ``level``, ``logger``, ``event`` (the message) and
whatever the caller passed in ``extra=``; an exception adds ``error`` with its traceback. uvicorn's
own loggers are routed through the same handler (its access log becomes one record per request).

``text`` (the default for `dev`, a person at a terminal): ``HH:MM:SS level  message``, and quiet:
the per-request access lines only at debug level (TRUST_LEDGER_LOG_LEVEL=debug), so errors and the
follower's milestones stay visible.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


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


LOG_FORMATS = ("json", "text")
LOG_FORMAT_VARIABLE = "TRUST_LEDGER_LOG_FORMAT"
LOG_LEVEL_VARIABLE = "TRUST_LEDGER_LOG_LEVEL"


def configure_logging(log_format: str | None = None, *, default: str = "json") -> None:
    """Send every logger (ours and uvicorn's) to stderr in `log_format` (else TRUST_LEDGER_LOG_FORMAT,
    else `default`), at TRUST_LEDGER_LOG_LEVEL (default info)."""
    chosen = (log_format or os.environ.get(LOG_FORMAT_VARIABLE) or default).lower()
    if chosen not in LOG_FORMATS:
        raise ValueError(f"log format '{chosen}' is not one of {', '.join(LOG_FORMATS)}")
    level_name = os.environ.get(LOG_LEVEL_VARIABLE, "info").upper()
    level = logging.getLevelNamesMapping().get(level_name)
    if level is None:
        raise ValueError(f"{LOG_LEVEL_VARIABLE}={level_name.lower()} is not a logging level")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if chosen == "json" else HumanLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    if chosen == "text" and level > logging.DEBUG:
        logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


UVICORN_LOG_CONFIG: dict[str, Any] = {"version": 1, "disable_existing_loggers": False}
"""Passed to uvicorn so it keeps the handlers configure_logging installed."""

"""Structured logs: each event one JSON line on stderr, with the caller's fields and uvicorn's."""

from __future__ import annotations

import json
import subprocess
import sys

PROGRAM = """
import logging
from trust_ledger.logs import configure_logging
configure_logging()
logging.getLogger("trust_ledger.service").info("ingested %d events", 3, extra={"block": 42})
logging.getLogger("uvicorn.access").info("GET /health 200")
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("api.verifier").exception("failed")
"""


def test_every_log_event_is_one_json_line_with_its_fields() -> None:
    process = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=60)
    assert process.returncode == 0, process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 3, lines
    records = [json.loads(line) for line in lines]
    assert records[0]["event"] == "ingested 3 events" and records[0]["block"] == 42
    assert records[0]["level"] == "info" and records[0]["logger"] == "trust_ledger.service"
    assert records[0]["ts"].endswith("+00:00")
    assert records[1]["logger"] == "uvicorn.access"
    assert records[2]["level"] == "error" and "ZeroDivisionError" in records[2]["error"]

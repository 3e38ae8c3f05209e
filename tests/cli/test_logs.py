"""Structured logs: each event one JSON line on stderr, with the caller's fields and uvicorn's."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROGRAM = """
import logging
from trust_ledger.logs import configure_logging
configure_logging()
logging.getLogger("trust_ledger.service").info("ingested %d events", 3, extra={"block": 42})
logging.getLogger("uvicorn.access").info("GET /health 200")
logging.getLogger("uvicorn.error").info("Started", extra={"color_message": "\\x1b[36mStarted\\x1b[0m"})
logging.getLogger("httpx").info("HTTP Request: GET http://127.0.0.1/health")
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("api.verifier").exception("failed")
"""


def test_every_log_event_is_one_json_line_with_its_fields() -> None:
    lines = run_program({"TRUST_LEDGER_LOG_LEVEL": "debug"})  # debug: with the access line
    assert len(lines) == 5, lines
    records = [json.loads(line) for line in lines]
    assert records[0]["event"] == "ingested 3 events" and records[0]["block"] == 42
    assert records[0]["level"] == "info" and records[0]["logger"] == "trust_ledger.service"
    assert records[0]["ts"].endswith("+00:00")
    assert records[1]["logger"] == "uvicorn.access"
    assert records[2]["event"] == "Started" and "color_message" not in records[2]
    assert records[3]["logger"] == "httpx"
    assert records[4]["level"] == "error" and "ZeroDivisionError" in records[4]["error"]


def run_program(env: dict[str, str] | None = None, setup: str = "configure_logging()") -> list[str]:
    program = PROGRAM.replace("configure_logging()", setup)
    process = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    assert process.returncode == 0, process.stderr
    return process.stderr.strip().splitlines()


def test_json_logs_below_debug_have_no_access_lines() -> None:
    """Issue 18: a line per request served cost as much as a resolution answered from memory."""
    lines = run_program()
    assert [json.loads(line)["logger"] for line in lines] == [
        "trust_ledger.service",
        "uvicorn.error",
        "httpx",
        "api.verifier",
    ]


def test_text_logs_are_short_lines_without_access_lines() -> None:
    lines = run_program(setup='configure_logging(default="text")')
    assert lines[0].split(" ", 1)[1] == "info    ingested 3 events  (block=42)"
    assert not any("GET " in line for line in lines), "dev's terminal shows no per-request lines"
    assert lines[1].endswith("info    Started"), "no colour-coded copy of uvicorn's message"
    assert "error   failed" in lines[2] and "ZeroDivisionError" in "\n".join(lines[3:])


def test_text_logs_show_requests_at_debug_level() -> None:
    lines = run_program({"TRUST_LEDGER_LOG_LEVEL": "debug"}, setup='configure_logging(default="text")')
    assert any(line.endswith("info    GET /health 200") for line in lines), lines


def test_the_variable_switches_the_style_and_a_flag_wins_over_it() -> None:
    as_json = run_program({"TRUST_LEDGER_LOG_FORMAT": "json"}, setup='configure_logging(default="text")')
    assert json.loads(as_json[0])["event"] == "ingested 3 events"
    as_text = run_program({"TRUST_LEDGER_LOG_FORMAT": "json"}, setup='configure_logging("text")')
    assert "info    ingested 3 events" in as_text[0]

"""The README's tour, run line by line as a person would, against a real `trust-ledger dev`.

The command lines come from README.md itself (the shell block after "In another shell"), so the
two cannot drift. A person replaces `<deepLink of that answer>`, `<authUri of that answer>` and
`<cid>` with what the previous answer said; this test does the same, and checks what the README's
comments promise: the first presentation is trusted, the one after the revocation is received by
the verifier and its result is REVOKED.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from anvil.devchain import free_port, port_open
from tests.support.cli_process import CLI, own_world
from tests.support.waiting import wait_until

README = Path(__file__).resolve().parents[2] / "README.md"
PLACEHOLDER = re.compile(r"'?<(?:(?P<field>\w+) of that answer|(?P<key>cid))>'?")


def tour_commands(readme: str) -> list[tuple[str, str]]:
    """The shell lines of the README's tour as (command, trailing comment), continuation lines
    joined, comment lines dropped."""
    block = re.search(r"In another shell.*?```sh\n(.*?)```", readme, re.S)
    assert block, "the README has no tour block after 'In another shell'"
    joined = block.group(1).replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        command, _, comment = line.partition("  #")
        if command.strip() and not command.lstrip().startswith("#"):
            commands.append((command.strip(), comment.strip()))
    return commands


def find(answer: Any, key: str) -> Any:
    """The first value of `key` anywhere in a JSON answer."""
    if isinstance(answer, dict):
        if key in answer:
            return answer[key]
        answer = list(answer.values())
    if isinstance(answer, list):
        for item in answer:
            found = find(item, key)
            if found is not None:
                return found
    return None


def filled(command: str, previous: Any) -> str:
    """The command with each placeholder replaced by that field of the previous answer, quoted."""

    def fill(match: re.Match[str]) -> str:
        key = match.group("field") or match.group("key")
        value = find(previous, key)
        assert value, f"no {key} in the answer before `{command}`: {previous}"
        return f"'{value}'"

    return PLACEHOLDER.sub(fill, command)


class DevProcess:
    """`trust-ledger dev` on free ports, its output collected line by line."""

    def __init__(self, env: dict[str, str], port: int, chain_port: int):
        self.process = subprocess.Popen(
            [*CLI, "dev", "--port", str(port), "--chain-port", str(chain_port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()
        wait_until(lambda: port_open(port) or self.process.poll() is not None, 120, what="dev to serve")
        assert self.process.poll() is None, "\n".join(self.lines)

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def token(self, role: str) -> str:
        """The Access-Token the banner printed for `role` (issuer or verifier)."""
        for line in self.lines:
            match = re.match(rf"\s+{role}\s.*Access-Token (\S+)", line)
            if match:
                return match.group(1)
        raise AssertionError(f"dev printed no {role} Access-Token:\n" + "\n".join(self.lines))

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)


def test_the_readme_tour_runs_as_written(tmp_path: Path) -> None:
    env = own_world(tmp_path / "var")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # the venv's trust-ledger
    port, chain_port = free_port(), free_port()
    dev = DevProcess(env, port, chain_port)
    try:
        env["ISSUER_TOKEN"], env["VERIFIER_TOKEN"] = dev.token("issuer"), dev.token("verifier")
        env["TRUST_LEDGER_RESOLVER_URL"] = f"http://127.0.0.1:{port}"  # the wallet's default is :8080
        answers: dict[str, Any] = {}
        previous: Any = None
        commands = tour_commands(README.read_text())
        assert len(commands) >= 15, commands
        for command, comment in commands:
            line = filled(command, previous).replace("127.0.0.1:8080", f"127.0.0.1:{port}")
            run = subprocess.run(
                ["bash", "-c", line], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path
            )
            assert run.returncode == 0, f"`{command}` failed:\n{run.stdout}\n{run.stderr}"
            if comment.startswith("received"):  # a verifier answers 200 to what it processed (OID4VP
                # 1.0 §8.2): the wallet learns that, the result (DWVP-01-201) says REVOKED, below
                assert "the verifier received the presentation" in run.stdout, run.stdout
            try:
                previous = json.loads(run.stdout)
            except ValueError:
                previous = run.stdout
            answers[command] = previous
        results = {
            tid: find(answer, "verifyResult")
            for command, answer in answers.items()
            for tid in ("tour-1", "tour-2")
            if "/api/oidvp/result" in command and tid in command
        }
        assert results == {"tour-1": True, "tour-2": False}, answers
        refused = next(a for c, a in answers.items() if "/api/oidvp/result" in c and "tour-2" in c)
        assert "REVOKED" in json.dumps(refused), refused
        history = next(
            a for c, a in answers.items() if c.startswith("trust-ledger history") and "--json" in c
        )
        assert history[0]["event"] == "Registered" and history[0]["changes"]["label"] == "demo", history
    finally:
        dev.stop()

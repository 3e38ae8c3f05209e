"""`make` on a machine missing a prerequisite stops at once and names the Debian package."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def make_prerequisites(base_python: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-s", "--no-print-directory", "prerequisites", f"BASE_PYTHON={base_python}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_python3_venv_make_names_the_package(tmp_path: Path) -> None:
    """A python3 like Debian's before `apt-get install python3-venv`: ensurepip is missing."""
    python = tmp_path / "python3"
    python.write_text(
        "#!/bin/sh\n"
        'case "$*" in *ensurepip*) echo "No module named ensurepip" >&2; exit 1;; esac\n'
        'exec /usr/bin/env python3 "$@"\n'
    )
    python.chmod(0o755)
    refused = make_prerequisites(str(python))
    assert refused.returncode != 0
    assert "cannot make a virtual environment: apt-get install python3-venv" in refused.stderr


def test_without_python3_make_names_the_packages(tmp_path: Path) -> None:
    refused = make_prerequisites(str(tmp_path / "no-such-python3"))
    assert refused.returncode != 0
    assert "apt-get install python3 python3-venv" in refused.stderr


def test_debians_python3_passes() -> None:
    passed = make_prerequisites("/usr/bin/python3")
    assert passed.returncode == 0, passed.stderr

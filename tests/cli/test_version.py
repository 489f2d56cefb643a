"""`verdicts --version`: the installed distribution's version, from its metadata."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_version_prints_the_installed_version() -> None:
    done = subprocess.run([sys.executable, "-m", "cli", "--version"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout == f"verdicts {importlib.metadata.version('verdict-archive')}\n"
    assert done.stdout.split()[1][0].isdigit()

"""Running one red-team reproduction: a fresh child process, its exit, output, wall time
and its own peak RSS (``os.wait4`` returns the rusage of that one child and the children
it reaped, so each row's figure is its own)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NETNS_MISSING", "REPO", "Run", "netns", "run", "verdicts"]

REPO = Path(__file__).resolve().parents[1]
#: The exit status of a namespace script whose setup (unshare, ip, mount) failed.
NETNS_MISSING = 99


@dataclass(frozen=True)
class Run:
    """What one child did."""

    code: int
    out: str
    err: str
    seconds: float
    peak_rss_mb: float

    @property
    def lines(self) -> list[str]:
        """stderr's lines."""
        return self.err.strip().splitlines()

    @property
    def one_line(self) -> str | None:
        """The single stderr line, when there is exactly one and no traceback."""
        lines = self.lines
        if len(lines) == 1 and "Traceback" not in self.out + self.err:
            return lines[0]
        return None


def run(cmd: list[str], env: dict[str, str], timeout: float = 600) -> Run:
    """Run `cmd` in the repository (so `-m cli` and `-m bench…` resolve); kill it after
    `timeout` seconds (then the code is -9)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
            time.sleep(0.05)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(proc.returncode, out.read().decode(errors="replace"),
                   err.read().decode(errors="replace"), seconds, usage.ru_maxrss / 1024)


def verdicts(*args: str) -> list[str]:
    """The `verdicts` command line (this Python, the repository's cli package)."""
    return [sys.executable, "-m", "cli", *args]


def netns(script: str, *args: str, net: bool = True) -> list[str]:
    """A command running sh `script` in fresh user and mount namespaces (mounts vanish with
    them) and, with `net`, a network namespace with only loopback (up); $PY is this
    Python. Setup failures exit NETNS_MISSING."""
    up = f"ip link set lo up || exit {NETNS_MISSING}\n" if net else ""
    body = f"{up}export PY={sys.executable}\n{script}"
    spaces = ["--user", "--map-root-user", "--mount", *(["--net"] if net else [])]
    return ["unshare", *spaces, "sh", "-c", body, "sh", *args]

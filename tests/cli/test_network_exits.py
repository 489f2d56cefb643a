"""Hostile networks (issue 11): no network at all, a resolver that never answers, a server
that accepts connections and never answers. Each `verdicts crawl` ends with exit 1, one
line naming the real cause (no traceback), in bounded time, and the run recorded failed.

Real parts: a real network namespace with only loopback (``unshare``, as root in CI; the
tests fail, never skip, where it is missing), a real resolv.conf bind-mounted over
/etc/resolv.conf naming a real UDP socket on 127.0.0.1:53 that reads and never replies,
a real TCP socket that accepts and sleeps, real DuckDB.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench._redteam_servers import serve_silently
from flows import settings
from warehouse import connect

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

REPO = Path(__file__).resolve().parents[2]
NO_NAMESPACE = 99


def in_netns(script: str, *args: str, timeout: float = 480,
             loopback: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `script` (sh) in fresh user, network and mount namespaces: only loopback (brought
    up unless not `loopback`), and mounts that vanish with it. $PY is this Python; the cwd
    is the repository."""
    up = f"ip link set lo up || exit {NO_NAMESPACE}\n" if loopback else ""
    body = f"{up}{script}"
    proc = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--net", "--mount", "sh", "-c", body,
         "sh", *args], capture_output=True, text=True, timeout=timeout, cwd=REPO,
        env={**_env(), "PY": sys.executable}, check=False)
    assert proc.returncode != NO_NAMESPACE, f"no network namespace here: {proc.stderr}"
    assert "unshare:" not in proc.stderr, proc.stderr  # unshare itself failed: say so
    return proc


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "180"
    return env


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The one stderr line of a failed crawl (no traceback anywhere)."""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("verdicts crawl: failed: "), proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    return lines[0]


def runs(data: Path) -> list[tuple[str, str | None, bool]]:
    """(status, error, finished) of every run, oldest first."""
    con = connect(settings.db_path(data))
    try:
        return [(s, e, f is not None) for s, e, f in con.execute(
            "SELECT status, error, finished_at FROM crawl_run ORDER BY started_at").fetchall()]
    finally:
        con.close()


def test_no_network_at_all_the_default_crawl_says_dns_failed(tmp_path: Path) -> None:
    # the default command: the live site, through Prefect (its server on loopback)
    data = tmp_path / "data"
    proc = in_netns('exec "$PY" -m cli crawl --data-dir "$1"', str(data))
    assert proc.returncode == 1, proc.stderr
    line = one_line(proc)
    assert line == ("verdicts crawl: failed: site unreachable: DNS lookup failed for "
                    "shiporskip.io (robots.txt, sitemaps and discovery got no answer)")
    ((status, error, finished),) = runs(data)
    assert status == "failed" and finished and line.endswith(str(error))


def test_loopback_down_fails_at_once_instead_of_waiting_for_prefect(tmp_path: Path) -> None:
    # a fresh namespace's loopback is down: Prefect's temporary server cannot be reached;
    # said at once, not after two 180 s startup timeouts
    proc = in_netns('exec "$PY" -m cli crawl --data-dir "$1"', str(tmp_path / "data"),
                    loopback=False)
    assert proc.returncode == 1, proc.stderr
    assert one_line(proc).startswith("verdicts crawl: failed: cannot reach 127.0.0.1 "
                                     "(Network is unreachable): Prefect's temporary server")


def test_a_resolver_that_never_answers(tmp_path: Path) -> None:
    data, work = tmp_path / "data", tmp_path / "dns"
    work.mkdir()
    (work / "resolv.conf").write_text("nameserver 127.0.0.1\n")
    proc = in_netns(
        f'mount --bind "$1/resolv.conf" /etc/resolv.conf || exit {NO_NAMESPACE}\n'
        '"$PY" -m bench._redteam_servers deaf-dns "$1" & deaf=$!\n'
        'while [ ! -e "$1/ready" ]; do sleep 0.1; done\n'
        '"$PY" -m cli crawl --data-dir "$2" --no-prefect; rc=$?\n'
        'kill $deaf; exit $rc', str(work), str(data))
    assert int((work / "deaf-dns.count").read_text()) > 0  # the deaf resolver was asked
    assert proc.returncode == 1, proc.stderr
    line = one_line(proc)
    assert "site unreachable: DNS lookup failed for shiporskip.io" in line
    ((status, error, _),) = runs(data)
    assert status == "failed" and line.endswith(str(error))


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[socket.socket]]]:
    """A loopback server that accepts connections and never answers: (URL, the accepted)."""
    with serve_silently() as served:
        yield served


def test_a_server_that_accepts_and_never_answers(
        tmp_path: Path, silent_server: tuple[str, list[socket.socket]]) -> None:
    url, held = silent_server
    data = tmp_path / "data"
    proc = subprocess.run([sys.executable, "-m", "cli", "crawl", url, "--data-dir", str(data),
                           "--no-prefect"], capture_output=True, text=True, timeout=480,
                          cwd=REPO, env=_env(), check=False)
    assert held  # it did connect
    assert proc.returncode == 1, proc.stderr
    line = one_line(proc)
    netloc = url.removeprefix("http://")
    assert f"site unreachable: {netloc} did not answer in time" in line
    ((status, error, _),) = runs(data)
    assert status == "failed" and line.endswith(str(error))

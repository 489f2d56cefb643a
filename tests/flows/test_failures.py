"""Failure is a failure (issue 9) and honest exits (issue 11): a night that did not do its
job ends Failed — `crawl_run.status = 'failed'` with one line, RunFailed in Python, a
non-zero exit with that one line (no traceback) from `verdicts crawl`.

Real parts: the replica (or a real loopback socket that never answers, or a tiny real HTTP
server serving a redesigned site), real WARCs and DuckDB; a full disk is a real 1–few MB
tmpfs and a read-only data dir a real read-only bind mount, both made in a private mount
namespace (``unshare``), since the tests run as root and root ignores file modes.
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench._redteam_servers import serve_silently
from flows import settings
from flows.health import RunFailed
from flows.pipeline import crawl
from replica import Replica
from replica._loopback import LoopbackHandler
from warehouse import connect

pytestmark = pytest.mark.timeout(300)

FAST = {"connect_timeout": 1.0, "read_timeout": 1.0, "attempt_timeout": 1.2, "deadline": 20.0,
        "backoff_base": 0.05, "backoff_max": 0.2, "retry_after_cap": 3.0, "max_attempts": 3,
        "max_body_bytes": 512 * 1024}
NIGHT0 = datetime(2025, 6, 2, 3, tzinfo=UTC)
VERDICTS = str(Path(sys.executable).with_name("verdicts"))


def run_crawl(base_url: str, data: Path, n: int, **kw: object) -> dict:
    kw.setdefault("rate", 50.0)
    kw.setdefault("fetch_options", FAST)
    return crawl(base_url, data_dir=str(data), observed_at=NIGHT0 + timedelta(days=n),
                 parse_processes=0, **kw)


def runs(data: Path) -> list[tuple[str, str | None, bool]]:
    """(status, error, finished) of every run, oldest first."""
    con = connect(settings.db_path(data))
    try:
        return [(s, e, f is not None) for s, e, f in con.execute(
            "SELECT status, error, finished_at FROM crawl_run ORDER BY started_at").fetchall()]
    finally:
        con.close()


def cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}
    return subprocess.run([VERDICTS, *args], capture_output=True, text=True, timeout=timeout,
                          env=env, check=False)


def one_line(proc: subprocess.CompletedProcess[str], prefix: str) -> str:
    """The one stderr line of a failed command (no traceback anywhere)."""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(prefix), proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    return lines[0]


@pytest.mark.slow  # a Prefect temporary server: ~15-60 s to start on a busy machine
def test_verdicts_crawl_of_nothing_listening_exits_1_with_one_line(tmp_path: Path) -> None:
    # the exact command of issue 9, through Prefect (the flow ends Failed)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", 9), timeout=2).close()
    data = tmp_path / "data"
    proc = cli("crawl", "http://127.0.0.1:9", "--data-dir", str(data))
    assert proc.returncode == 1
    line = one_line(proc, "verdicts crawl: failed: site unreachable: ")
    assert "could not connect to 127.0.0.1:9" in line
    ((status, error, _),) = runs(data)
    assert status == "failed" and line.endswith(str(error))


@pytest.mark.slow
def test_prefect_flow_ends_failed(tmp_path: Path) -> None:
    from flows.nightly import nightly_crawl

    state = nightly_crawl("http://127.0.0.1:9", data_dir=str(tmp_path), rate=50.0,
                          fetch_options=FAST, return_state=True)
    assert state.is_failed()
    with pytest.raises(RunFailed, match="site unreachable"):
        state.result()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback server that accepts connections and never answers: its URL."""
    with serve_silently() as (url, _):
        yield url


def test_a_server_that_never_answers_fails_the_night(tmp_path: Path, silent_server: str) -> None:
    with pytest.raises(RunFailed, match=r"site unreachable: 127\.0\.0\.1:\d+ did not answer"):
        run_crawl(silent_server, tmp_path, 0)
    ((status, error, _),) = runs(tmp_path)
    assert status == "failed" and "did not answer in time" in str(error)


def test_a_dns_failure_names_the_host(tmp_path: Path) -> None:
    with pytest.raises(RunFailed, match="DNS lookup failed for verdicts-test.invalid"):
        run_crawl("http://verdicts-test.invalid", tmp_path, 0, rate=None)
    assert runs(tmp_path)[0][0] == "failed"


def test_failure_share_threshold_and_known_failures(tmp_path: Path) -> None:
    with Replica(day=0, scale=40, crawl_delay=None, faults="content-type",
                 fault_rate=0.4) as r:
        bad = len(r.faulty_paths())
        n = len(r.catalog.paths())
        assert bad > 0.2 * n
        with pytest.raises(RunFailed, match=rf"^{bad} of {n} pages due failed"):
            run_crawl(r.base_url, tmp_path, 0)
        # the next night retries them; still failing, they are listed, not an alarm again
        s = run_crawl(r.base_url, tmp_path, 1)
    assert s["status"] == "finished" and s["counts"]["failed"] == bad
    assert [x[0] for x in runs(tmp_path)] == ["failed", "finished"]


class _Site(LoopbackHandler):
    """A small real site: robots.txt, one sitemap of `paths` (lastmod 2025-06-09), and
    pages that are either a redesign our parser cannot read, or 503 (`down`)."""

    protocol_version = "HTTP/1.0"  # a connection per request, http.server's default
    paths: list[str] = []
    down = False

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        base = f"http://{self.headers['Host']}"
        if self.path == "/robots.txt":
            body, ctype = f"User-agent: *\nSitemap: {base}/sitemap.xml\n", "text/plain"
        elif self.path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{base}{p}</loc><lastmod>2025-06-09</lastmod></url>"
                           for p in self.paths)
            body = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                    f'sitemap/0.9">{urls}</urlset>')
            ctype = "application/xml"
        elif self.path in self.paths and self.down:
            self.send_error(503)
            return
        elif self.path in self.paths:
            body = ("<html><body><div id=app data-state='{}'>Loading the new comparison "
                    "experience…</div></body></html>")
            ctype = "text/html; charset=utf-8"
        else:
            self.send_error(404)
            return
        self.send_body(200, body.encode(), ctype)


@pytest.fixture
def site() -> Iterator[tuple[int, type[_Site]]]:
    """Serve a fresh _Site class on a free loopback port: (port, the class to configure)."""
    handler = type("Site", (_Site,), {"paths": [], "down": False})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1], handler
    srv.shutdown()
    srv.server_close()


def test_nothing_fetched_while_pages_were_due(tmp_path: Path,
                                              site: tuple[int, type[_Site]]) -> None:
    # robots.txt and the sitemap answer; every page answers 503: nothing fetched
    port, handler = site
    handler.paths = [f"/compare/tool-{i}-vs-tool-{i + 1}" for i in range(8)]
    handler.down = True
    base = f"http://127.0.0.1:{port}"
    with pytest.raises(RunFailed) as failed:
        run_crawl(base, tmp_path, 0)
    assert failed.value.reason == (f"fetched nothing: all 8 pages due failed, 127.0.0.1:{port} "
                                   "answered with server errors (http_5xx 8)")
    summary = failed.value.summary
    assert summary is not None and summary["counts"]["failed"] == 8
    (f,) = summary["failures"]
    assert f["reason"] == "http_5xx" and len(f["examples"]) == 3  # examples per reason
    assert all(u in summary["markdown"] for u in f["examples"])
    assert runs(tmp_path) == [("failed", failed.value.reason, True)]


def test_a_parse_rate_drop_fails_the_night_and_reparse_can_recover(tmp_path: Path) -> None:
    with Replica(day=0, scale=20, crawl_delay=None) as r:
        port = int(r.base_url.rsplit(":", 1)[1])
        paths = r.catalog.paths()
        s0 = run_crawl(r.base_url, tmp_path, 0)
    assert s0["status"] == "finished" and s0["counts"]["new_pages"] == len(paths)
    handler = type("Site", (_Site,), {"paths": list(paths), "down": False})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with pytest.raises(RunFailed, match=rf"only 0 of {len(paths)} new captures parsed "
                                            r"\(0%, against 100% on the last finished night\)"):
            run_crawl(f"http://127.0.0.1:{port}", tmp_path, 1)
    finally:
        srv.shutdown()
        srv.server_close()
    con = connect(settings.db_path(tmp_path))
    try:  # the raw bytes are archived: a fixed parser + `verdicts reparse` recovers them
        assert con.execute("SELECT count(*) FROM capture WHERE parse_status = 'error' "
                           "AND warc_path IS NOT NULL").fetchall()[0][0] == len(paths)
    finally:
        con.close()


# -- the disk: a real full tmpfs, a real read-only bind mount -------------------------------


def in_namespace(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a shell script in a private mount namespace (mounts vanish with it)."""
    env = {**os.environ, "VERDICTS": VERDICTS}
    return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                           script, "sh", *args], capture_output=True, text=True, timeout=240,
                          env=env, check=False)


def test_a_read_only_data_dir_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Replica(day=0, scale=10, crawl_delay=None) as r:
        run_crawl(r.base_url, data, 0)
        proc = in_namespace(
            'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99\n'
            '"$VERDICTS" crawl "$2" --no-prefect --rate 50 --data-dir "$1"',
            str(data), r.base_url)
    assert proc.returncode == 1, proc.stderr
    assert "Read-only file system" in one_line(proc, "verdicts crawl: failed: ")
    assert [x[0] for x in runs(data)] == ["finished"]  # nothing half-written


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def test_a_full_disk_says_so_and_a_partial_night_is_repaired(tmp_path: Path) -> None:
    # measure the night on a normal disk first, then replay it on a tmpfs with room for
    # the archive and the warehouse but not the snapshot's copy
    with Replica(day=0, scale=20, crawl_delay=None) as r:
        probe = tmp_path / "probe"
        run_crawl(r.base_url, probe, 0)
        snap = (probe / "verdicts.snapshot.duckdb").stat().st_size
        room = _du(probe) - snap // 2
        out, mnt = tmp_path / "out", tmp_path / "mnt"
        mnt.mkdir()
        proc = in_namespace(
            'mount -t tmpfs -o size=64k tmpfs "$1" || exit 99\n'
            '"$VERDICTS" crawl "$2" --no-prefect --rate 50 --data-dir "$1/data"; echo "rc=$?"\n'
            'mount -o remount,size="$3" "$1" && rm -rf "$1/data"\n'
            '"$VERDICTS" crawl "$2" --no-prefect --rate 50 --data-dir "$1/data" '
            '--observed-at 2025-06-02T03:00Z; echo "rc=$?"\n'
            'mount -o remount,size=256m "$1"\n'
            '"$VERDICTS" crawl "$2" --no-prefect --rate 50 --data-dir "$1/data" '
            '--observed-at 2025-06-03T03:00Z >/dev/null; echo "rc=$?"\n'
            'cp -a "$1/data" "$4"',
            str(mnt), r.base_url, str(room), str(out))
    lines = proc.stderr.strip().splitlines()
    codes = [line for line in proc.stdout.splitlines() if line.startswith("rc=")]
    assert codes == ["rc=1", "rc=1", "rc=0"], (proc.stdout, proc.stderr)
    # 64 KiB: not even the warehouse fits; one line names the cause
    assert "No space left on device" in lines[0] and lines[0].startswith("verdicts crawl: failed")
    # room for the night but not its snapshot: a partial night, recorded as such
    assert lines[1].startswith("verdicts crawl: failed: partial night:"), lines
    assert "No space left on device" in lines[1] and len(lines) == 2
    assert "Traceback" not in proc.stderr
    (s1, e1, _), (s2, e2, _) = runs(out)
    assert s1 == "failed" and str(e1).startswith("partial night") and s2 == "finished"
    # repaired by the next run: the snapshot holds both nights
    con = connect(out / "verdicts.snapshot.duckdb", read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM crawl_run").fetchall()[0][0] == 2
    finally:
        con.close()
    shutil.rmtree(probe)


def test_a_site_down_with_pages_due_fails_the_night_after_few_requests(tmp_path: Path) -> None:
    # pages known from the first night, due again a week later, the host refusing
    # connections: the breaker skips them unrequested (host_down); the night still failed
    with Replica(day=0, scale=60, crawl_delay=None) as r:
        base, pages = r.base_url, len(r.catalog.paths())
        assert run_crawl(base, tmp_path, 0)["status"] == "finished"
    with pytest.raises(RunFailed, match=r"^site unreachable: could not connect to 127\.0\.0\.1"
                                        ) as failed:
        run_crawl(base, tmp_path, 8)
    summary = failed.value.summary
    assert summary is not None
    assert summary["counts"]["skipped"] >= pages - 10  # given up on, not requested
    assert summary["counts"]["requests"] <= 20  # the breaker: not one per page
    assert [x[0] for x in runs(tmp_path)] == ["finished", "failed"]

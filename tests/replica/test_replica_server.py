"""The replica as a server: its request log, its start on a free port, its CLI, a big
catalog."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from replica_log import wait_for_log

from replica import Catalog, Replica, World, start_replica
from replica.render import render_comparison

ROOT = Path(__file__).resolve().parents[2]


def test_request_log(site: Replica, client: httpx.Client) -> None:
    site.clear_log()
    path = site.catalog.paths()[1]
    client.get(path, headers={"X-Probe": "1", "accept-encoding": "identity"})
    client.head(path + "?x=1")
    first, second = wait_for_log(site, 2, prefix=path)
    assert first.method == "GET" and first.path == path and first.status == 200
    assert first.headers["x-probe"] == "1" and first.bytes_sent > 1000
    assert second.method == "HEAD" and second.path == path + "?x=1" and second.bytes_sent == 0
    assert first.connection_id == second.connection_id  # keep-alive
    assert first.started <= first.finished <= second.started <= time.monotonic()
    assert first.client.startswith("127.0.0.1:")


def test_big_catalog_builds() -> None:
    world = World(3, scale=10_000)
    cat = Catalog(world, 2)
    assert len(world.pages) >= 10_000 and len(cat.pages) >= 10_000
    html = render_comparison(cat.comparison(cat.paths()[-1]), base_url="http://x",
                             epoch=cat.template)
    assert b"Reviewer scorecard" in html


# -- faults ------------------------------------------------------------------------------

def test_start_replica_and_socket_reuse() -> None:
    rep = start_replica(day=0, port=0)
    try:
        host, port = rep.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as s:
            s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        assert data.count(b"HTTP/1.1 200 OK") == 2
    finally:
        rep.stop()


def test_cli_serves_until_interrupted() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "cli", "replica", "--port", "0",
                             "--day", "2", "--faults", "5xx"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        base = re.search(r"(http://127\.0\.0\.1:\d+)", first).group(1)
        for line in proc.stdout:
            if "Ctrl-C" in line:
                break
        assert httpx.get(base + "/robots.txt").status_code == 200
    finally:
        proc.send_signal(2)
        assert proc.wait(timeout=10) == 0


def test_clear_log_waits_for_the_requests_being_answered() -> None:
    """A request is logged after its answer; one still being answered when the log is
    cleared is logged first, and not left to land in the cleared log."""
    with Replica(faults="slow", fault_rate=1.0, slow_delay=0.5, crawl_delay=None) as r:
        path = next(p for p in r.catalog.paths() if r.catalog.pages[p].seed is None)
        got: list[int] = []
        client = threading.Thread(
            target=lambda: got.append(httpx.get(r.url(path), timeout=10).status_code))
        client.start()
        deadline = time.monotonic() + 5
        while not r._in_flight and time.monotonic() < deadline:  # being answered (slowly)
            time.sleep(0.005)
        assert r._in_flight == 1
        r.clear_log()
        client.join()
        assert got == [200] and r.requests == []

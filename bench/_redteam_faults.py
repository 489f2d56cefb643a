"""Red-team rows for hostile disks and networks: each a real `verdicts crawl` in its own
child (network and mount namespaces by ``unshare`` where the fault needs one)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bench._redteam_inputs import Case, Ctx, Outcome
from bench._redteam_run import NETNS_MISSING, Run, netns, run, verdicts
from bench._redteam_servers import serve_silently
from replica import Replica

__all__ = ["fault_cases"]

NIGHT = "2025-06-02T03:00Z"
#: Start a helper of bench._redteam_servers in the background and wait until it listens.
_START = ('"$PY" -m bench._redteam_servers {kind} "$1" {args} & '
          'while [ ! -e "$1/ready" ]; do sleep 0.1; done; rm "$1/ready"\n')


def _failed(r: Run, words: str, *, last: bool = False) -> Outcome:
    """Exit 1 and one line naming the cause (with `last`: the last of the lines, no
    traceback); namespace setup failures say so."""
    if r.code == NETNS_MISSING:
        return f"no namespace here: {r.err.strip()[-120:]}", False, r
    if last and r.lines and "Traceback" not in r.err:
        return r.lines[-1], r.code == 1 and words in r.lines[-1], r
    line = r.one_line or r.err.strip()[-200:]
    return line, r.code == 1 and r.one_line is not None and words in line, r


def _recorded_failed(data: Path) -> bool:
    """The data dir's one crawl_run is 'failed' with an error line."""
    from flows import settings
    from warehouse import connect

    con = connect(settings.db_path(data), read_only=True)
    try:
        rows = con.execute("SELECT status, error FROM crawl_run").fetchall()
    finally:
        con.close()
    return len(rows) == 1 and rows[0][0] == "failed" and bool(rows[0][1])


def _page_outcomes(data: Path) -> str:
    """The run's page outcomes and reasons, e.g. "out_of_scope private_address 3"."""
    from flows import settings
    from warehouse import connect

    con = connect(settings.db_path(data), read_only=True)
    try:
        rows = con.execute("SELECT outcome, reason, count(*) FROM crawl_fetch WHERE kind = "
                           "'page' GROUP BY ALL ORDER BY ALL").fetchall()
    finally:
        con.close()
    return ", ".join(f"{o} {r or ''} {n}".replace("  ", " ") for o, r, n in rows) or "none"


def _work(ctx: Ctx, name: str) -> Path:
    path = ctx.root / name
    path.mkdir()
    return path


def no_network(ctx: Ctx) -> Outcome:
    data = ctx.root / "nonet"  # the default command: the live site, through Prefect
    r = run(netns('exec "$PY" -m cli crawl --data-dir "$1"', str(data)), ctx.env)
    line, ok, r = _failed(r, "DNS lookup failed for shiporskip.io")
    return line, ok and _recorded_failed(data), r


def hung_resolver(ctx: Ctx) -> Outcome:
    work = _work(ctx, "deafdns")
    (work / "resolv.conf").write_text("nameserver 127.0.0.1\n")
    script = ('mount --bind "$1/resolv.conf" /etc/resolv.conf || exit 99\n'
               + _START.format(kind="deaf-dns", args="")
               + 'exec "$PY" -m cli crawl --data-dir "$1/data" --no-prefect\n')
    line, ok, r = _failed(run(netns(script, str(work)), ctx.env), "DNS lookup failed")
    queries = (work / "deaf-dns.count").read_text() if (work / "deaf-dns.count").exists() else "0"
    return (f"{queries} queries unanswered; {line}",
            ok and queries != "0" and _recorded_failed(work / "data"), r)


def silent_server(ctx: Ctx) -> Outcome:
    with serve_silently() as (url, held):
        r = run(verdicts("crawl", url, "--data-dir", str(ctx.root / "silent"), "--no-prefect"),
                ctx.env)
    line, ok, r = _failed(r, "did not answer in time")
    recorded = _recorded_failed(ctx.root / "silent")
    return f"{len(held)} connections held; {line}", ok and recorded, r


def full_disk(ctx: Ctx, base_url: str) -> Outcome:
    mnt = _work(ctx, "tmpfs")
    script = ('mount -t tmpfs -o size=64k tmpfs "$1" || exit 99\n'
              'exec "$PY" -m cli crawl "$2" --no-prefect --rate 50 --data-dir "$1/data"\n')
    r = run(netns(script, str(mnt), base_url, net=False), ctx.env)
    return _failed(r, "No space left on device")


def read_only(ctx: Ctx, base_url: str) -> Outcome:
    data = ctx.root / "ro"
    shutil.copytree(ctx.data, data)
    script = ('mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99\n'
              'exec "$PY" -m cli crawl "$2" --no-prefect --rate 50 --data-dir "$1"\n')
    r = run(netns(script, str(data), base_url, net=False), ctx.env)
    return _failed(r, "Read-only file system")


PUBLIC = "93.184.216.34"


def rebinding(ctx: Ctx) -> Outcome:
    """A resolver answering a public address first and 127.0.0.1 after: the crawl must
    connect to the approved public address only, never to the loopback 'secret'."""
    work = _work(ctx, "rebind")
    (work / "resolv.conf").write_text("nameserver 127.0.0.1\n")
    script = (f'ip addr add {PUBLIC}/32 dev lo || exit 99\n'
              'mount --bind "$1/resolv.conf" /etc/resolv.conf || exit 99\n'
              + _START.format(kind="rebind-dns", args=f"rebind.test {PUBLIC}")
              + _START.format(kind="site", args=f"{PUBLIC} 8080 rebind.test")
              + _START.format(kind="secret", args="8080")
              + '"$PY" -m cli crawl http://rebind.test:8080 --data-dir "$1/data" '
                '--no-prefect --rate 20 --json >/dev/null\n')
    r = run(netns(script, str(work)), ctx.env)

    def count(kind: str) -> int:
        path = work / f"{kind}.count"
        return int(path.read_text()) if path.exists() else 0

    site, secret, answers = count("site"), count("secret"), count("rebind-dns")
    result = (f"site got {site} requests, loopback secret {secret}, {answers} A answers; "
              f"pages: {_page_outcomes(work / 'data')}")
    return result, r.code == 0 and site > 0 and secret == 0, r


def site_down(ctx: Ctx) -> Outcome:
    """300 pages due, the host refusing connections: the breaker bounds the requests."""
    data = ctx.root / "down"
    with Replica(day=0, scale=300, crawl_delay=None) as rep:
        base = rep.base_url
        first = run(verdicts("crawl", base, "--data-dir", str(data), "--no-prefect",
                             "--rate", "0", "--no-robots", "--observed-at", NIGHT), ctx.env)
    if first.code != 0:
        return f"first night failed: {first.err.strip()[-160:]}", False, first
    r = run(verdicts("crawl", base, "--data-dir", str(data), "--no-prefect", "--rate", "0",
                     "--no-robots", "--observed-at", "2025-06-10T03:00Z", "--json"), ctx.env)
    try:
        requests = json.loads(r.out)["counts"]["requests"]
    except (ValueError, KeyError, TypeError):
        requests = -1
    line, ok, r = _failed(r, "could not connect", last=True)
    warned = len(r.lines) - 1  # the run's warning: host_down, pages left for the next run
    return (f"{requests} requests for 300 due pages, {warned} warning line(s) then: {line}",
            ok and 0 <= requests <= 30, r)


def fault_cases(base_url: str) -> list[Case]:
    """The hostile disks and networks; `base_url` is a replica for the disk rows."""
    why = "exit 1, one line naming the cause, run failed"
    disk = "exit 1, one line naming the cause"
    return [
        Case("crawl: no network (unshare -rn)", why + ": DNS lookup failed", no_network),
        Case("crawl: resolver never answers", why + ": DNS lookup failed", hung_resolver),
        Case("crawl: server accepts, never answers", why + ": did not answer in time",
             silent_server),
        Case("crawl: full disk (64 KB tmpfs)", disk + ": No space left on device",
             lambda ctx: full_disk(ctx, base_url)),
        Case("crawl: read-only data dir", disk + ": Read-only file system",
             lambda ctx: read_only(ctx, base_url)),
        Case("crawl: DNS rebinding to 127.0.0.1", "loopback never contacted", rebinding),
        Case("crawl: site down, 300 pages due", "exit 1 naming the cause, ≤ 30 requests "
             "(breaker)", site_down),
    ]

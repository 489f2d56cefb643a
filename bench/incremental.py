"""Incremental nights vs a full night, in requests and bytes (from the replica's log).

    python -m bench.incremental [--scale 3000] [--recheck-days 7]

Nights against one replica and one warehouse, rechecking by cohort (`crawler.Recheck`)
first, so that what a night costs by <lastmod> alone shows: a full first night (night 0);
a night with nothing changed (night 1); a night where exactly 1% of the pages changed,
their content and <lastmod> moved (night 2); and the recheck night, K days after the full
one (night K, nothing changed since night 2): every page last verified on night 0 gets its
conditional GET, answered 304 without a body. Then K quiet nights in the default spread
mode, reported as their mean: each rechecks its own 1/K of the site. Each night is
reported as a share of the full night, in requests and body bytes, and the issue's goal
is checked: the 1% night makes at most 2% of the full night's requests (on top of them, a
spread night's 1/K rechecks: conditional GETs answered 304, no body).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler import Recheck
from replica import Replica


def night_figures(r: Replica) -> dict[str, Any]:
    """Requests and body bytes of one night, by kind, from the replica's log."""
    log = list(r.requests)
    pages = [e for e in log if e.path.startswith("/compare/")]
    return {
        "requests": len(log),
        "bytes": sum(e.bytes_sent for e in log),
        "bodies": sum(1 for e in pages if e.status == 200),
        "not_modified": sum(1 for e in pages if e.status == 304),
        "gone": sum(1 for e in pages if e.status in (404, 410)),
        "discovery": len(log) - len(pages),
        "discovery_bytes": sum(e.bytes_sent for e in log if not e.path.startswith("/compare/")),
    }


def change_exactly(r: Replica, share: float, seed: int = 7) -> list[str]:
    """Change `share` of today's pages (content and lastmod) by adding today to their
    change days in the replica's world, then serve the day again. A benchmark-only lever
    on the generator's internals, to get an exact share instead of its ~1-2%."""
    day = r.day
    paths = sorted(r.catalog.paths())
    chosen = random.Random(seed).sample(paths, max(1, round(len(paths) * share)))
    for path in chosen:
        rec = r.world.pages[path]
        if day not in rec.change_days:
            rec.change_days.append(day)
            rec.change_days.sort()
    r.set_day(day)
    return chosen


def main(argv: list[str] | None = None) -> int:
    """Run the four nights and print the table."""
    from flows.pipeline import crawl

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=int, default=3000)
    p.add_argument("--recheck-days", type=int, default=7)
    args = p.parse_args(argv)
    night0 = datetime(2025, 6, 2, 3, tzinfo=UTC)
    rows: list[tuple[str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory() as data, Replica(day=0, scale=args.scale,
                                                        crawl_delay=None) as r:

        def run(label: str, nth: int, recheck: Recheck = Recheck.COHORT) -> dict[str, Any]:
            r.clear_log()
            crawl(r.base_url, data_dir=data, observed_at=night0 + timedelta(days=nth),
                  rate=0, concurrency=8, batch_size=200, recheck_days=args.recheck_days,
                  recheck=recheck)
            figures = night_figures(r)
            print(f"{label}: {figures}", flush=True)
            return figures

        def keep(label: str, nth: int) -> None:
            rows.append((label, run(label, nth)))

        keep("full night", 0)
        keep("nothing changed", 1)
        changed = change_exactly(r, 0.01)
        keep(f"1% changed ({len(changed)} pages)", 2)
        last = max(args.recheck_days, 3)
        keep(f"recheck night (K={args.recheck_days} days after the full night)", last)
        spread = [run(f"spread night {n}", last + n, Recheck.SPREAD)
                  for n in range(1, args.recheck_days + 1)]
        rows.append((f"spread mode, nothing changed (mean of {len(spread)})",
                     {key: round(sum(f[key] for f in spread) / len(spread))
                      for key in spread[0]}))

    full = rows[0][1]
    print(f"\n{'night':48}{'requests':>9}{'% full':>8}{'bodies':>7}{'304':>6}{'disc.':>6}"
          f"{'bytes':>12}{'% full':>8}")
    for label, f in rows:
        print(f"{label:48}{f['requests']:>9}{100 * f['requests'] / full['requests']:>7.2f}%"
              f"{f['bodies']:>7}{f['not_modified']:>6}{f['discovery']:>6}{f['bytes']:>12,}"
              f"{100 * f['bytes'] / full['bytes']:>7.2f}%")
    print("\n'bodies': page 200s; '304': conditional page GETs answered Not Modified; 'disc.':")
    print("robots.txt + sitemaps (unchanged sitemaps answer 304 to conditional GETs); 'bytes':")
    print("bytes the replica sent (bodies, headers not counted).")
    share = rows[2][1]["requests"] / full["requests"]
    verdict = "holds" if share <= 0.02 else "does NOT hold"
    print(f"goal: the 1% night makes <= 2% of the full night's requests: {100 * share:.2f}% "
          f"-> {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

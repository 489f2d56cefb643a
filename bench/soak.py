"""A simulated year of nightly crawls, checked against the replica's truth (issue 10, item 5).

    python -m bench.soak [--nights 365] [--scale 3000] [--kills 20] [--seed 1]
                         [--grow] [--data-dir DIR] [--keep]

One Prefect server for the whole soak; the replica on one loopback port serving day n on
night n (about 1% of pages change a night, pages come and go — as many removed as added,
so the site keeps its size, unless --grow —, the template changes on day 9); each night
the real flow runs in a child (`python -m cli crawl … --observed-at`).
Along the way: kill -9s of the child's process group at random moments (after k page
requests, after the archive grew by b bytes, or once the warehouse's WAL was written),
each night then re-run to its end; fault profiles rotating per phase (a new replica on the
same port); one WARC record damaged between two nights; one night with the site down
(it must end Failed, non-zero; the next night catches up).

The checks, printed as one JSON line (exit 1 when a count is not zero):

* a *page state* is a comparison page's catalog version under one site template
  (``State(path, version, template)``; the redesign re-renders every page, so one version
  has two states). The *served* states are those the replica sent whole with a 200 to a
  page GET (no fault but `slow`), on the night that GET happened (a fault may delay a
  state to a later night: it is the one served then that counts). A capture stands for
  the state its URL showed on its observed_at's night. ``lost``: a served state with no capture;
  ``duplicated``: captures beyond one per state; ``unexpected``: a capture of a state
  never served. The damaged record's state is excused in the rebuilt warehouse only
  (``reparse_lost`` counts the same three there, everything else included).
* ``mismatched``: verdict_changes against the changes between consecutive served states of
  each page (from the catalog's expected parse; 'inferred' rows only where a compact
  layout is involved), as tests/warehouse/test_ground_truth.py defines them.
* ``bad_digests``: WARC stretches that do not read back with a valid digest, apart from
  the damaged record (``damaged_expected``, 1).
* ``duplicate_rows``: rows beyond one per natural key, per table.
* ``reparse_diff_rows``: analyst-view rows that differ between the live warehouse and
  `verdicts reparse` of a copy of the WARCs alone. The damaged record is the one thing the
  archive lost: the live side is a copy of the warehouse without its capture, derived
  tables rebuilt (the view rows that this changes are ``reparse_excused_rows``).

Cost: wall time (the child process, Prefect included), the run's own time (its --json
`elapsed_s`: from its start to its summary, the publish included) and where it went (its
`stage_s`), requests (the replica's log) and net rows written on night 2 and on the last
night, their ratio, and the database size (night 1, the full first crawl, beside them);
and the same medians over early and late quiet nights of each kind (`like_for_like`),
stage by stage. The last nights are quiet (no fault, no kill, the site up), so the last
night, like night 2, follows fault-free nights.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench._soak_archive import Reparse, diff_views, reparse_fresh
from bench._soak_checks import (
    check_digests,
    connect_ro,
    crawl_captures,
    duplicate_rows,
    verdict_change_rows,
)
from bench._soak_model import Counts, NightRecord, Options, make_plan
from bench._soak_nights import Soak, run_nights
from bench._soak_procs import Site, child_env, prefect_server
from bench._soak_truth import Ledger, check_changes, check_states


def parse_args(argv: list[str] | None) -> Options:
    p = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description="Crawl the replica for N simulated nights with the real flow (kill -9s, "
                    "faults, a damaged WARC, a day offline) and check the warehouse and "
                    "archive against the replica's truth; one JSON line, exit 1 on a "
                    "non-zero count.")
    p.add_argument("--nights", type=int, default=365, help="simulated nights (default 365)")
    p.add_argument("--scale", type=int, default=3000, help="comparison pages (default 3000)")
    p.add_argument("--kills", type=int, default=None,
                   help="kill -9s to land (default 20, scaled down below 365 nights)")
    p.add_argument("--seed", type=int, default=1, help="the replica's and the plan's seed")
    p.add_argument("--grow", action="store_true",
                   help="let the site grow as the replica's default world does (about 1%% "
                        "new pages a night, a page or two removed) instead of keeping its size")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="work directory (default: a new temporary one)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    a = p.parse_args(argv)
    if a.nights < 2 or a.scale < 10:
        p.error("--nights must be at least 2 and --scale at least 10")
    kills = a.kills if a.kills is not None else max(1, round(20 * min(a.nights, 365) / 365))
    work = a.data_dir or Path(tempfile.mkdtemp(prefix="verdicts-soak-"))
    return Options(a.nights, a.scale, kills, a.seed, work.resolve(), a.keep or bool(a.data_dir),
                   grow=a.grow)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    started = time.monotonic()
    work = opts.data_dir
    data = work / "data"
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    plan = make_plan(opts)
    ledger = Ledger(opts.seed, opts.scale, opts.nights, steady=not opts.grow)
    site = Site(opts.scale, opts.seed, opts.fault_rate, steady=not opts.grow)
    try:
        with prefect_server(work) as api:
            soak = Soak(opts, plan, site, ledger, data, work,
                        child_env(work / "prefect-client", api), random.Random(opts.seed + 1))
            run_nights(soak)
            site.stop()
            report = final_report(soak)
    finally:
        site.stop()
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)
    report["elapsed_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(report, default=str), flush=True)
    return 0 if report["ok"] else 1


def final_report(s: Soak) -> dict[str, Any]:
    """Every check on the finished soak; the JSON line's fields."""
    counts, examples = Counts(), []
    base = s.site.base_url
    con = connect_ro(s.db)
    try:
        states = check_states(s.ledger, crawl_captures(con), base)
        counts.mismatched, ex = check_changes(verdict_change_rows(con), s.ledger, base)
        counts.duplicate_rows, ex2 = duplicate_rows(con)
        captures = int(con.execute("SELECT count(*) FROM internal.capture").fetchone()[0])  # type: ignore[index]
        n_changes = int(con.execute("SELECT count(*) FROM verdict_changes").fetchone()[0])  # type: ignore[index]
    finally:
        con.close()
    counts.lost, counts.duplicated, counts.unexpected = (
        states.lost, states.duplicated, states.unexpected)
    examples += states.examples + ex + ex2
    digests = check_digests(s.data, s.damage)
    counts.bad_digests = digests.bad
    examples += digests.examples
    rep = _reparse(s, counts)
    examples += rep.examples
    _night_counts(s, counts)
    damage_ok = s.damage is None or (digests.damaged_expected == 1 and len(rep.unreadable) == 1)
    ok = not counts.failing() and damage_ok
    return {
        "ok": ok, "nights": s.opts.nights, "scale": s.opts.scale, "seed": s.opts.seed,
        "site": "growing" if s.opts.grow else "steady",
        "counts": asdict(counts), "damaged_expected": digests.damaged_expected,
        "reparse_diff_by_view": rep.by_view, "reparse_excused_rows": rep.excused_rows,
        "reparse_unreadable": rep.unreadable[:3],
        "kills": _kills(s), "unreachable_night": _one_based(s.plan.unreachable),
        "damaged": None if s.damage is None else {
            "warc": s.damage.warc, "offset": s.damage.offset, "state": asdict(s.damage.state)},
        "states_served": len(s.ledger.first), "captures": captures,
        "verdict_changes": n_changes, "warc_records": digests.records,
        "cost": _cost(s.records, s.ledger.live_pages), "db_bytes": _size(s.db),
        "archive_bytes": sum(p.stat().st_size for p in (s.data / "archive").glob("*.warc.gz")),
        "fault_phases": sorted({r.faults for r in s.records if r.faults}),
        "failed_nights": [f"{r.night + 1}{r.detail}" for r in s.records
                          if r.status == "failed"][:5],
        "examples": examples[:12],
    }


def _reparse(s: Soak, counts: Counts) -> Reparse:
    """Rebuild from the WARCs alone; its captures against the ledger and its views against
    the live ones."""
    rep = reparse_fresh(s.data, s.work / "reparse", s.env)
    if rep.db is None:
        counts.reparse_diff_rows += 1
        return rep
    excused = frozenset() if s.damage is None else frozenset({s.damage.state})
    con = connect_ro(rep.db)
    try:
        again = check_states(s.ledger, crawl_captures(con), s.site.base_url, excused)
    finally:
        con.close()
    counts.reparse_lost = again.lost + again.duplicated + again.unexpected
    rep.examples += [f"reparse {e}" for e in again.examples[:3]]
    if s.damage is not None and s.damage.state in again.present:
        counts.reparse_lost += 1
        rep.examples.append("the damaged record's state came back in the reparse")
    diff_views(s.db, rep.db, rep, s.damage)
    counts.reparse_diff_rows = rep.diff_rows
    return rep


def _night_counts(s: Soak, counts: Counts) -> None:
    for r in s.records:
        if r.status == "failed":
            counts.failed_nights += 1
        elif r.status == "unreachable-ok":
            counts.unreachable_not_failed += 1


def _kills(s: Soak) -> dict[str, Any]:
    landed = [k for r in s.records for k in r.kills]
    return {"asked": s.opts.kills, "landed": len(landed),
            "by_kind": {k: landed.count(k) for k in sorted(set(landed))},
            "nights": sorted({r.night + 1 for r in s.records if r.kills})}


def _cost(records: list[NightRecord], live_pages: Callable[[int], int]) -> dict[str, Any]:
    """Night 2 against the last night: wall time, requests, rows written (and the site's
    live pages that night); and night 1, the full first crawl, for a look at what a whole
    site's night costs (a per-page cost that grows with the night's size shows there)."""
    if len(records) < 2:
        return {}
    a, b = records[1], records[-1]

    def fig(r: NightRecord) -> dict[str, Any]:
        return {"night": r.night + 1, "wall_s": round(r.wall_s, 2),
                "run_s": None if r.run_s is None else round(r.run_s, 2),
                "stage_s": {k: round(v, 2) for k, v in r.stage_s.items()},
                "requests": r.requests, "rows": r.rows, "site_pages": live_pages(r.night)}

    return {"night1": fig(records[0]), "night2": fig(a), "last": fig(b), "ratio": {
        "wall": _ratio(a.wall_s, b.wall_s), "run": _ratio(a.run_s, b.run_s),
        "requests": _ratio(a.requests, b.requests),
        "rows": _ratio(a.rows, b.rows)}, "goal": "last night within 1.2x of night 2",
        "like_for_like": _like_for_like(records)}


def _ratio(x: float | None, y: float | None) -> float | None:
    """y / x to 3 places; None when either is unknown or x is 0."""
    return round(y / x, 3) if x and y is not None else None


def _like_for_like(records: list[NightRecord], n: int = 10) -> dict[str, Any]:
    """Early against late nights of the same kind, so the ratio shows what history costs
    and not what kind of night it was: quiet nights (no fault, no kill) split into ordinary
    ones and K-day recheck ones (at least half as many requests as the first night); for
    each kind, the medians of the first `n` and of the last `n` (wall s, requests, rows)."""
    if not records:
        return {}
    full = records[0].requests
    quiet = [r for r in records[1:] if r.status == "ok" and not r.faults and not r.kills]
    out: dict[str, Any] = {}
    for kind, group in (("ordinary", [r for r in quiet if r.requests < full / 2]),
                        ("recheck", [r for r in quiet if r.requests >= full / 2])):
        if len(group) < 2:
            continue
        k = min(n, len(group) // 2)
        early, late = group[:k], group[-k:]

        def med(rs: list[NightRecord], key: str) -> float | None:
            values = [getattr(r, key) for r in rs if getattr(r, key) is not None]
            return round(float(statistics.median(values)), 2) if values else None

        keys = ("wall_s", "run_s", "requests", "rows")
        out[kind] = {
            "nights": [early[0].night + 1, early[-1].night + 1, late[0].night + 1,
                       late[-1].night + 1],
            "early": {key: med(early, key) for key in keys},
            "late": {key: med(late, key) for key in keys},
        }
        for key in ("wall_s", "run_s"):
            out[kind][key.removesuffix("_s") + "_ratio"] = _ratio(out[kind]["early"][key],
                                                                   out[kind]["late"][key])
        out[kind]["stage_s"] = _stage_medians(early, late)
    return out


def _stage_medians(early: list[NightRecord], late: list[NightRecord]) -> dict[str, Any]:
    """Per stage of the run (flows.progress.Stage): the median seconds of the early and of
    the late nights, and how much it grew (late - early): where the growth went."""
    def med(rs: list[NightRecord], stage: str) -> float | None:
        values = [r.stage_s[stage] for r in rs if stage in r.stage_s]
        return round(float(statistics.median(values)), 3) if values else None

    stages = dict.fromkeys(k for r in [*early, *late] for k in r.stage_s)
    out: dict[str, Any] = {}
    for stage in stages:
        a, b = med(early, stage), med(late, stage)
        out[stage] = {"early": a, "late": b,
                      "growth": None if a is None or b is None else round(b - a, 3)}
    return out


def _one_based(night: int | None) -> int | None:
    return None if night is None else night + 1


def _size(db: Path) -> int:
    wal = db.with_name(db.name + ".wal")
    return (db.stat().st_size if db.exists() else 0) + (wal.stat().st_size if wal.exists() else 0)


if __name__ == "__main__":
    sys.exit(main())

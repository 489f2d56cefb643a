"""The soak's nights: one `verdicts crawl` child per attempt against the replica, the kill
-9s, the unreachable night, the damaged WARC, and what each night cost."""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench._soak_archive import damage_one_record
from bench._soak_checks import connect_ro, table_rows
from bench._soak_model import Damage, KillKind, NightRecord, Options, Plan
from bench._soak_procs import (
    Attempt,
    Site,
    Watch,
    archive_bytes,
    crawl_cmd,
    make_trigger,
    run_attempt,
)
from bench._soak_truth import Ledger

KINDS = (KillKind.FETCH, KillKind.WARC, KillKind.LOAD)


@dataclass
class Soak:
    """Everything the nights share."""

    opts: Options
    plan: Plan
    site: Site
    ledger: Ledger
    data: Path
    work: Path
    env: dict[str, str]
    rng: random.Random
    records: list[NightRecord] = field(default_factory=list)
    damage: Damage | None = None
    carried: int = 0  # kills that missed (the night ended first): tried on the next night
    kill_no: int = 0
    last_pages: int = 1
    last_growth: int = 1

    @property
    def db(self) -> Path:
        return self.data / "verdicts.duckdb"


def run_nights(s: Soak) -> None:
    """Every night in turn, one progress line each on stderr."""
    for night in range(s.opts.nights):
        if s.plan.damage_before == night:
            s.damage = damage_one_record(s.data, s.ledger, s.site.base_url, s.rng, night)
            where = f"{s.damage.warc}@{s.damage.offset}" if s.damage else "no candidate"
            print(f"damaged one WARC record before night {night + 1}: {where}",
                  file=sys.stderr, flush=True)
        rec = one_night(s, night)
        s.records.append(rec)
        kills = f" killed: {','.join(rec.kills)}" if rec.kills else ""
        faults = f" faults: {rec.faults}" if rec.faults else ""
        run = f" (run {rec.run_s:.1f} s)" if rec.run_s is not None else ""
        print(f"night {night + 1}/{s.opts.nights} {rec.status} {rec.requests} req "
              f"{rec.rows} rows {rec.wall_s:.1f} s{run}{kills}{faults}{rec.detail}",
              file=sys.stderr, flush=True)


def one_night(s: Soak, night: int) -> NightRecord:
    """Run `night` to its end (after its kills), record what the replica served."""
    rows0 = _rows(s.db)
    growth0 = archive_bytes(s.data)
    faults = s.plan.faults(night, s.opts.nights)
    cmd = crawl_cmd(s.site.base_url, s.data, night)
    errlog = s.work / "night.stderr"
    if night == s.plan.unreachable:
        s.site.stop()
        final = run_attempt(cmd, s.env, None, errlog)
        landed: list[str] = []
    else:
        s.site.serve(night, faults)
        final, landed = _attempts(s, night, cmd, errlog)
    log = s.site.take_log()
    s.ledger.record(night, log)
    status = "ok" if final.exit_code == 0 else "failed"
    detail = ""
    if night == s.plan.unreachable:
        status = "unreachable-" + status
    elif final.exit_code != 0:
        detail = " | " + final.stderr.strip().splitlines()[-1][:300] if final.stderr.strip() else ""
    pages = sum(1 for e in log if e.path.startswith("/compare/"))
    if final.exit_code == 0 and not landed:
        s.last_pages = max(1, pages)
        s.last_growth = max(1, archive_bytes(s.data) - growth0)
    return NightRecord(night, status, final.exit_code, final.wall_s, len(log),
                       _rows(s.db) - rows0, landed, faults, detail, final.run_s,
                       final.stage_s)


def _attempts(s: Soak, night: int, cmd: list[str], errlog: Path) -> tuple[Attempt, list[str]]:
    """The night's kill -9s (each at a random moment of a rotating kind), then the run
    that finishes it. A kill whose child ended first is carried to the next night."""
    due = s.plan.kills.get(night, 0) + s.carried
    s.carried = 0
    landed: list[str] = []
    while due:
        kind = KINDS[s.kill_no % len(KINDS)]
        trigger = make_trigger(s.rng, kind, s.last_pages, s.last_growth)
        attempt = run_attempt(cmd, s.env, Watch(s.site, s.data, trigger), errlog)
        s.kill_no += 1
        if attempt.killed is None:  # the night ended before the moment came
            s.carried = due
            return attempt, landed
        landed.append(kind.value)
        due -= 1
    return run_attempt(cmd, s.env, None, errlog), landed


def _rows(db: Path) -> int:
    if not db.exists():
        return 0
    con = connect_ro(db)
    try:
        return table_rows(con)
    finally:
        con.close()

"""Damage one WARC record on purpose, and rebuild the warehouse from the archive alone
(`verdicts reparse` into a fresh directory) to compare its views with the live ones."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import RecordError, scan_records
from bench._soak_checks import connect_ro, view_rows
from bench._soak_model import Damage, night_of
from bench._soak_procs import REPO
from bench._soak_truth import Ledger


def damage_one_record(data: Path, ledger: Ledger, base_url: str, rng: random.Random,
                      before_night: int) -> Damage | None:
    """Flip one byte in the middle of one page response's gzip member, inside an older
    WARC (from a night before `before_night - 1`). Prefers a capture whose parsed content
    equals the page's previous state (a re-render after the template change), so its loss
    moves no trend; else any page capture with records before and after it."""
    con = connect_ro(data / "verdicts.duckdb")
    try:
        rows = con.execute(
            "SELECT capture_id, url, observed_at, warc_path, warc_offset, warc_length "
            "FROM internal.capture WHERE source = 'crawl' AND warc_path IS NOT NULL "
            "ORDER BY observed_at, url").fetchall()
    finally:
        con.close()
    old = [r for r in rows if night_of(r[2]) < before_night - 1]
    rerender = [r for r in old if _rerender(ledger, str(r[1]).removeprefix(base_url),
                                            night_of(r[2]))]
    offsets: dict[str, list[int]] = {}
    for pool in (rerender, old):
        rng.shuffle(pool)
        for cid, url, at, warc, offset, _ in pool:
            if str(warc) not in offsets:
                offsets[str(warc)] = _offsets(data / str(warc))
            found = offsets[str(warc)]
            if int(offset) not in found[1:-1]:
                continue
            length = found[found.index(int(offset)) + 1] - int(offset)
            state = ledger.state_at(str(url).removeprefix(base_url), night_of(at))
            assert state is not None
            _flip(data / str(warc), int(offset), length)
            return Damage(str(warc), int(offset), length, str(cid), str(url), state)
    return None


def _rerender(ledger: Ledger, path: str, night: int) -> bool:
    """Is the state on `night` the previous template's version re-rendered?"""
    state = ledger.state_at(path, night)
    return (state is not None and state.template == 2
            and any(s.path == path and s.version == state.version and s.template == 1
                    for s in ledger.first))


def _offsets(path: Path) -> list[int]:
    """The offsets of a WARC's readable records."""
    return [item[1] for item in scan_records(path) if not isinstance(item, RecordError)]


def _flip(path: Path, offset: int, length: int) -> None:
    """Invert one byte in the middle of the compressed member (header and CRC spared)."""
    at = offset + max(20, length // 2)
    with open(path, "r+b") as fh:
        fh.seek(at)
        b = fh.read(1)
        fh.seek(at)
        fh.write(bytes([b[0] ^ 0xFF]))


@dataclass
class Reparse:
    """The archive alone rebuilt into a fresh directory, its views against the live ones."""

    exit_code: int
    db: Path | None
    diff_rows: int = 0
    excused_rows: int = 0
    by_view: dict[str, int] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


def reparse_fresh(data: Path, work: Path, env: dict[str, str]) -> Reparse:
    """Copy the WARCs (nothing else) to `work`/archive and run `verdicts reparse` there."""
    if work.exists():
        shutil.rmtree(work)
    (work / "archive").mkdir(parents=True)
    for p in sorted((data / "archive").glob("*.warc.gz")):
        shutil.copy2(p, work / "archive" / p.name)
    done = subprocess.run([sys.executable, "-m", "cli", "reparse", "--data-dir", str(work)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=7200,
                          check=False)
    out = Reparse(done.returncode, work / "verdicts.duckdb" if done.returncode == 0 else None)
    if done.returncode != 0:
        out.examples.append(f"reparse exit {done.returncode}: {done.stderr.strip()[-300:]}")
        return out
    totals: dict[str, Any] = json.loads(done.stdout)
    out.unreadable = [str(u) for u in totals.get("unreadable", [])]
    return out


def diff_views(live: Path, rebuilt: Path, rep: Reparse, damage: Damage | None) -> None:
    """Row-for-row diff of every analyst view between what the archive still holds and its
    reparse. With a damaged record, "what it holds" is a copy of the live warehouse without
    that record's capture, its derived tables rebuilt (the rows that differ from the live
    views because of it are ``excused_rows``); every other differing row counts."""
    target = live
    if damage is not None:
        target = without_capture(live, rebuilt.parent / "live-without-damage.duckdb",
                                 damage.capture_id)
        rep.excused_rows = _diff(_views(live), _views(target), None)
    _diff(_views(target), _views(rebuilt), rep)


def without_capture(live: Path, copy: Path, capture_id: str) -> Path:
    """A copy of the warehouse `live` less one capture (and its observations), with every
    derived table rebuilt from scratch."""
    from warehouse import connect
    from warehouse.history import refresh_analytics

    shutil.copy2(live, copy)
    wal = live.with_name(live.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, copy.with_name(copy.name + ".wal"))
    con = connect(copy)
    try:
        for table in ("review_observation", "tool_observation", "capture"):
            con.execute(f"DELETE FROM internal.{table} WHERE capture_id = ?", [capture_id])
        refresh_analytics(con, force=True)
    finally:
        con.close()
    return copy


def _diff(a: dict[str, list[tuple[Any, ...]]], b: dict[str, list[tuple[Any, ...]]],
          rep: Reparse | None) -> int:
    """Rows in one of `a` / `b` (view → rows) and not the other; noted in `rep` if given."""
    total = 0
    for view in sorted(set(a) | set(b)):
        ca, cb = Counter(a.get(view, [])), Counter(b.get(view, []))
        for row, n in ((ca - cb) + (cb - ca)).items():
            total += n
            if rep is None:
                continue
            rep.diff_rows += n
            rep.by_view[view] = rep.by_view.get(view, 0) + n
            if len(rep.examples) < 4:
                rep.examples.append(f"{view}: {'live' if ca[row] > cb[row] else 'reparse'}"
                                    f" only: {row}"[:400])
    return total


def _views(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = connect_ro(db)
    try:
        return view_rows(con)
    finally:
        con.close()

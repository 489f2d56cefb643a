"""bench.soak: its checks pass on a clean crawl and do fail when a capture is lost or
duplicated, a state never served is captured, a verdict change is missing or extra, or a
WARC byte flips; and the 30-night soak itself (slow) finds nothing lost, duplicated or
mismatched. The 365-night one runs on demand: `python -m bench.soak`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bench._soak_checks import (
    check_digests,
    crawl_captures,
    duplicate_rows,
    verdict_change_rows,
)
from bench._soak_model import Damage, State, night_time
from bench._soak_truth import Ledger, check_changes, check_states, expected_changes
from flows import settings
from flows.pipeline import crawl
from replica import Replica
from warehouse import connect

REPO = Path(__file__).resolve().parents[2]
SCALE, NIGHTS = 200, 4
FAST = {"connect_timeout": 2.0, "read_timeout": 2.0, "attempt_timeout": 3.0, "deadline": 30.0,
        "backoff_base": 0.05, "backoff_max": 0.2, "retry_after_cap": 3.0, "max_attempts": 3}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ledger, Path, str]]:
    """Three nights of a small replica crawled (no Prefect), and the soak's ledger of it."""
    data = tmp_path_factory.mktemp("soak-checks") / "data"
    ledger = Ledger(1, SCALE, NIGHTS)
    with Replica(day=0, scale=SCALE, crawl_delay=None) as site:
        for n in range(NIGHTS):
            site.set_day(n)
            site.clear_log()
            summary = crawl(site.base_url, data_dir=str(data), observed_at=night_time(n),
                            rate=200.0, concurrency=4, fetch_options=FAST, parse_processes=0)
            assert summary["status"] == "finished"
            ledger.record(n, list(site.requests))
        yield ledger, data, site.base_url


def _db(data: Path) -> Path:
    return settings.db_path(data)


def test_checks_pass_on_a_clean_crawl(crawled: tuple[Ledger, Path, str]) -> None:
    ledger, data, base = crawled
    con = connect(_db(data))
    try:
        states = check_states(ledger, crawl_captures(con), base)
        mismatched, examples = check_changes(verdict_change_rows(con), ledger, base)
        dups, _ = duplicate_rows(con)
    finally:
        con.close()
    assert (states.lost, states.duplicated, states.unexpected) == (0, 0, 0), states.examples
    assert mismatched == 0, examples
    assert dups == 0
    assert len(ledger.first) > SCALE  # the nights changed and added pages


def test_a_lost_or_duplicated_capture_is_counted(crawled: tuple[Ledger, Path, str],
                                                 tmp_path: Path) -> None:
    ledger, data, base = crawled
    copy = tmp_path / "verdicts.duckdb"
    copy.write_bytes(_db(data).read_bytes())
    con = connect(copy)
    try:
        (victim, dup) = [r[0] for r in con.execute(
            "SELECT capture_id FROM internal.capture ORDER BY capture_id LIMIT 2").fetchall()]
        con.execute("DELETE FROM internal.capture WHERE capture_id = ?", [victim])
        con.execute("INSERT INTO internal.capture SELECT * REPLACE ('x' || capture_id AS "
                    "capture_id) FROM internal.capture WHERE capture_id = ?", [dup])
        states = check_states(ledger, crawl_captures(con), base)
        dups, examples = duplicate_rows(con)
    finally:
        con.close()
    assert (states.lost, states.duplicated, states.unexpected) == (1, 1, 0), states.examples
    assert dups == 1 and "capture" in examples[0]


def test_a_capture_of_a_state_never_served_is_unexpected(
        crawled: tuple[Ledger, Path, str]) -> None:
    ledger, data, base = crawled
    con = connect(_db(data))
    try:
        captures = crawl_captures(con)
    finally:
        con.close()
    url, at = captures[0]
    # the same page a night later, when it was not fetched (a refetch that made a capture)
    late = [(u, t + timedelta(days=1)) for u, t in captures if u == url and t == at]
    states = check_states(ledger, [*captures, *late], base)
    assert states.unexpected + states.duplicated >= 1


def test_a_missing_or_extra_verdict_change_is_counted(crawled: tuple[Ledger, Path, str]) -> None:
    ledger, data, base = crawled
    con = connect(_db(data))
    try:
        rows = verdict_change_rows(con)
    finally:
        con.close()
    want, _ = expected_changes(ledger)
    assert rows and want
    assert check_changes(rows[1:], ledger, base)[0] == 1
    assert check_changes([*rows, rows[0]], ledger, base)[0] == 1
    wrong = (*rows[0][:9], rows[0][9] + 1, *rows[0][10:])  # another score before
    assert check_changes([wrong, *rows[1:]], ledger, base)[0] == 2


def test_a_flipped_warc_byte_is_a_bad_digest_unless_it_is_the_damage(
        crawled: tuple[Ledger, Path, str], tmp_path: Path) -> None:
    _, data, _ = crawled
    copy = tmp_path / "data"
    (copy / "archive").mkdir(parents=True)
    warc = sorted((data / "archive").glob("*.warc.gz"))[0]
    target = copy / "archive" / warc.name
    target.write_bytes(warc.read_bytes())
    assert check_digests(copy, None).bad == 0
    from archive import RecordError, scan_records

    offsets = [i[1] for i in scan_records(target) if not isinstance(i, RecordError)]
    at, end = offsets[len(offsets) // 2], offsets[len(offsets) // 2 + 1]
    raw = bytearray(target.read_bytes())
    raw[at + (end - at) // 2] ^= 0xFF
    target.write_bytes(bytes(raw))
    assert check_digests(copy, None).bad == 1
    damage = Damage(f"archive/{warc.name}", at, end - at, "", "", State("/x", 0, 1))
    checked = check_digests(copy, damage)
    assert (checked.bad, checked.damaged_expected) == (0, 1)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_thirty_nights_lose_duplicate_and_mismatch_nothing(tmp_path: Path) -> None:
    """`python -m bench.soak --nights 30`: the real flow under a real `prefect server`, three
    kill -9s (fetch, WARC write, load), rotating faults, a damaged WARC and a day offline;
    every count of its JSON line is zero and it exits 0."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--nights", "30", "--scale", "300", "--kills", "3",
         "--data-dir", str(tmp_path / "soak")],
        cwd=REPO, capture_output=True, text=True, timeout=1700, check=False)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert {k: v for k, v in report["counts"].items() if v} == {}, out.stdout[-4000:]
    assert report["kills"]["landed"] == 3
    assert set(report["kills"]["by_kind"]) == {"fetch", "warc", "load"}
    assert report["unreachable_night"] is not None and report["damaged"]
    assert report["ok"] is True and out.returncode == 0, out.stderr[-2000:]
    # where each night's time went, from the run's own summary (stage_s)
    assert {"open", "plan", "batches", "refresh", "publish"} <= set(
        report["cost"]["last"]["stage_s"])

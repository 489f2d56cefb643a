"""The per-period aggregates give the same bits whatever order their rows are stored in:
two warehouses holding the same histories (a live one and its reparse, say) compare equal
row for row. Floating-point accumulation (DuckDB's stddev_samp, a sum of doubles) does not:
its last bits follow the order rows arrive in, which the 30-night soak caught as
persona_leniency rows differing between a warehouse and its reparse."""

from __future__ import annotations

import random
import statistics
from pathlib import Path

import analytics_fixture as fx
import duckdb

from warehouse.db import connect

VIEWS = ("persona_leniency", "ship_rate_by_vendor", "category_trends")


def _fill(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str, str, float]]) -> None:
    """Replace the trend history with `rows` (kind, slug, persona, value), stored in the
    order given, each live from before the fixture's first period on."""
    con.execute("DELETE FROM internal.trend_state")
    con.executemany(
        "INSERT INTO internal.trend_state BY NAME SELECT ? AS kind, ? AS slug, ? AS persona, "
        "CASE WHEN ? > 50 THEN 'ship' ELSE 'skip' END AS verdict, ? AS value, 1 AS pages, "
        "0 AS inferred_pages, 'Coding' AS category, 1 AS state_no, "
        "TIMESTAMPTZ '2025-03-01 00:00:00+00' AS valid_from",
        [(k, s, p, v, v) for k, s, p, v in rows])


def _views(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    return {v: con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall() for v in VIEWS}


def test_aggregates_do_not_depend_on_row_order(tmp_path: Path) -> None:
    con = connect(tmp_path / "verdicts.duckdb")
    try:
        fx.build(con)
        con.execute("SET threads = 1")  # one thread: the stored order is the order read
        rng = random.Random(5)
        rows = [("review", f"tool-{i}", persona, rng.randrange(0, 201) / 2)
                for i in range(400) for persona in ("Builder", "Skeptic")]
        rows += [("panel", f"tool-{i}", "", rng.randrange(0, 201) / 2) for i in range(400)]
        _fill(con, rows)
        first = _views(con)
        for seed in range(3):
            random.Random(seed).shuffle(rows)
            _fill(con, rows)
            assert _views(con) == first
        # and the figures are the exact ones
        builder = [v for k, _, p, v in rows if k == "review" and p == "Builder"]
        got = con.execute("SELECT reviews, mean_score, score_sd FROM persona_leniency "
                          "WHERE persona = 'Builder' AND granularity = 'month'").fetchall()
        assert got and all(n == 400 for n, _, _ in got)
        for _, mean, sd in got:
            assert abs(mean - statistics.fmean(builder)) < 1e-12
            assert abs(sd - statistics.stdev(builder)) < 1e-9
        panel = [v for k, _, _, v in rows if k == "panel"]
        pct = con.execute("SELECT mean_ship_pct FROM category_trends "
                          "WHERE granularity = 'month'").fetchall()
        assert pct and all(abs(m - statistics.fmean(panel)) < 1e-12 for (m,) in pct)
    finally:
        con.close()

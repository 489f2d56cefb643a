"""What DuckDB tools see: only the documented analyst views in the default schema, each
with COMMENT ON VIEW/COLUMN from the .sql files; old warehouses moved over; the category
mapping; community votes; rows that do not depend on the host the pages came from."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import analytics_fixture as fx
import duckdb
import pytest

from warehouse import crawl_state
from warehouse.categories import canonical, load_categories, refresh_categories
from warehouse.db import connect, public_view_docs
from warehouse.export import EXPORTS
from warehouse.history import refresh_analytics, refresh_history
from warehouse.load import load_captures


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("surface") / "verdicts.duckdb"
    con = connect(path)
    fx.build(con)
    con.close()
    return path


NIGHT = datetime(2025, 6, 2, 3, tzinfo=UTC)

def test_default_schema_lists_only_the_documented_views(built: Path) -> None:
    con = duckdb.connect(str(built), read_only=True)  # a plain DuckDB session, as a tool opens it
    try:
        shown = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        views = dict(con.execute(
            "SELECT view_name, comment FROM duckdb_views() "
            "WHERE NOT internal AND schema_name = 'main'").fetchall())
        undocumented = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND NOT internal AND comment IS NULL").fetchall()
        assert con.execute("SELECT count(*) FROM internal.capture").fetchone() == (11,)
    finally:
        con.close()
    docs = public_view_docs()
    assert shown == set(docs) == set(views) == set(EXPORTS)
    assert {"tool_trend", "review_trend", "verdict_changes", "captures"} <= shown
    assert not any(name.endswith(("_live", "_asof", "_periods")) for name in shown)
    assert all(len(c or "") > 60 for c in views.values()), views
    assert undocumented == []
    assert views["tool_trend"] == docs["tool_trend"].description
    assert "majority verdict" in views["tool_trend"]


def test_a_warehouse_made_before_the_internal_schema_is_moved(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = connect(path)
    fx.build(con)
    before = con.execute("SELECT * FROM tool_trend ORDER BY ALL").fetchall()
    # as the old layout had it: the tables in `main` (tool_observation without the new
    # community columns), derived tables stale
    for table in ("capture", "tool", "comparison", "review_observation", "tool_vendor"):
        con.execute(f"CREATE TABLE main.{table} AS FROM internal.{table}")
        con.execute(f"DELETE FROM internal.{table}")
    con.execute("CREATE TABLE main.tool_observation AS SELECT * EXCLUDE "
                "(community_ship_votes, community_votes) FROM internal.tool_observation")
    con.execute("DELETE FROM internal.tool_observation")
    con.execute("CREATE TABLE main.tool_asof AS SELECT 1 AS x")
    con.close()

    con = connect(path)
    try:
        assert con.execute("SELECT count(*) FROM internal.capture").fetchone() == (11,)
        assert {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()} \
            == set()
        refresh_analytics(con, force=True)
        assert con.execute("SELECT * FROM tool_trend ORDER BY ALL").fetchall() == before
    finally:
        con.close()


def test_categories_map_near_synonyms_and_are_editable(tmp_path: Path) -> None:
    mapping = load_categories()
    assert {canonical(c, mapping) for c in ("AI Models", "AI/ML Models", "Models")} == {
        "AI Models"}
    assert canonical("Developer Productivity", mapping) == "Developer Tools"
    assert canonical(" Robotics ", mapping) == "Robotics"  # unlisted: itself
    edited = tmp_path / "categories.csv"
    edited.write_text("# one bucket\ncategory,canonical\n"
                      + "".join(f"{c},Everything\n" for c in mapping))
    con = connect(":memory:")
    try:
        fx.build(con)
        refresh_categories(con, edited)
        refresh_history(con)
        got = con.execute("SELECT DISTINCT category FROM category_trends").fetchall()
        assert got == [("Everything",)]
        bad = tmp_path / "bad.csv"
        bad.write_text("category,canonical\nModels,\n")
        with pytest.raises(ValueError, match="bad.csv: row 2"):
            load_categories(bad)
    finally:
        con.close()


def test_community_votes_are_loaded_and_older_dicts_give_null() -> None:
    recs = fx.records()
    first = recs[0]
    assert first.page is not None
    tools = [dict(t) for t in first.page["tools"]]
    tools[0].update(community_pct=0, community_ship_votes=0, community_votes=1)
    page = {**first.page, "tools": tools}
    con = connect(":memory:")
    try:
        load_captures(con, [dataclasses.replace(first, page=page), recs[1]])
        got = con.execute(
            "SELECT capture_id = ?, position, community_ship_votes, community_votes "
            "FROM tool_observation ORDER BY ALL", [first.capture_id]).fetchall()
        assert got == [(False, 1, None, None), (False, 2, None, None),
                       (True, 1, 0, 1), (True, 2, None, None)]
        refresh_analytics(con)
        assert con.execute("SELECT community_ship_votes, community_votes FROM tool_history "
                           "WHERE position = 1 AND url = ?", [fx.P1]).fetchall() == [(0, 1)]
    finally:
        con.close()


def _view_rows(con: duckdb.DuckDBPyConnection, origin: str) -> dict[str, list[tuple]]:
    """Every analyst view's rows with the URL origin replaced and capture ids (hashes of
    the URL by definition) and load times left out."""
    out = {}
    for view in public_view_docs():
        cols = [c[0] for c in con.execute(f"DESCRIBE {view}").fetchall()
                if not c[0].endswith("capture_id") and c[0] != "loaded_at"]
        got = con.execute(f"SELECT {', '.join(cols)} FROM {view}").fetchall()
        out[view] = sorted((tuple(v.replace(origin, "<site>") if isinstance(v, str) else v
                                  for v in r) for r in got), key=repr)
    return out


def test_the_same_pages_from_another_host_give_the_same_rows() -> None:
    other = "http://127.0.0.1:8123"

    def moved(rec: fx.CaptureRecord) -> fx.CaptureRecord:
        url = rec.url.replace("https://shiporskip.io", other) if rec.url else None
        return dataclasses.replace(rec, url=url)

    results = []
    for origin, recs in (("https://shiporskip.io", fx.records()),
                         (other, [moved(r) for r in reversed(fx.records())])):
        con = connect(":memory:")
        try:
            load_captures(con, recs)
            refresh_analytics(con)
            results.append(_view_rows(con, origin))
        finally:
            con.close()
    assert results[0] == results[1]
    assert results[0]["tool_trend"] and results[0]["verdict_changes"]


def test_an_old_layout_crawl_history_fills_the_new_tables_on_its_first_connect(
        tmp_path: Path) -> None:
    """The one-time fills of page_gone and crawl_url_state read crawl_fetch: on a warehouse
    whose tables are still in `main`, they run after the move, on the same connect."""
    path = tmp_path / "old.duckdb"
    con = connect(path)
    run_id, _at, _resumed = crawl_state.open_run(
        con, base_url="http://127.0.0.1:9", observed_at=NIGHT, parser_version="p1")
    base = "http://127.0.0.1:9/compare/"
    crawl_state.record_fetches(con, [
        {"run_id": run_id, "url": base + "a-vs-b", "kind": "page", "outcome": "gone",
         "http_status": 404, "final_url": base + "a-vs-b", "in_sitemap": False},
        {"run_id": run_id, "url": base + "c-vs-d", "kind": "page", "outcome": "fetched",
         "http_status": 200, "final_url": base + "c-vs-d", "in_sitemap": True,
         "fetched_at": NIGHT, "etag": '"v1"'},
    ])
    for table in ("crawl_run", "crawl_fetch"):  # as the old layout had them
        con.execute(f"CREATE TABLE main.{table} AS FROM internal.{table}")
        con.execute(f"DELETE FROM internal.{table}")
    con.execute("DELETE FROM internal.page_gone")
    con.execute("DELETE FROM internal.crawl_url_state")
    con.close()

    con = connect(path)
    try:
        assert con.execute("SELECT url, outcome FROM internal.page_gone").fetchall() == [
            (base + "a-vs-b", "gone")]
        assert con.execute("SELECT url, last_outcome FROM internal.crawl_url_status "
                           "ORDER BY url").fetchall() == [
            (base + "a-vs-b", "gone"), (base + "c-vs-d", "fetched")]
    finally:
        con.close()

"""Shared fixtures: the seed captures, a throwaway data directory, a fresh warehouse, and
one Prefect test server for the whole session."""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flows import settings


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The folder holding the five golden captures (../shared/seeds, else replica's copy)."""
    repo = Path(__file__).resolve().parents[1]
    shared = repo.parent / "shared" / "seeds"
    path = shared if any(shared.glob("*.txt")) else repo / "replica" / "data" / "seeds"
    assert any(path.glob("*.txt")), f"no seeds in {path}"
    return path


@pytest.fixture(scope="session")
def seed_paths(seeds_dir: Path) -> list[Path]:
    """The seed text renderings, in name order (000 … 004)."""
    return sorted(seeds_dir.glob("*.txt"))


@pytest.fixture(scope="session")
def seed(seed_paths: list[Path]) -> Callable[[str], Path]:
    """seed('000') → the path of the seed whose name starts with that number."""

    def find(number: str) -> Path:
        (path,) = [p for p in seed_paths if p.name.startswith(number)]
        return path

    return find


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data directory, also set as $VERDICTS_DATA_DIR so nothing touches ./data."""
    path = tmp_path / "data"
    monkeypatch.setenv("VERDICTS_DATA_DIR", str(path))
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[object]:
    """A fresh writable warehouse connection on a real DuckDB file."""
    from warehouse import connect

    con = connect(tmp_path / "wh" / "verdicts.duckdb")
    try:
        yield con
    finally:
        con.close()


def write_test_warc(
    path: Path,
    records: list[dict],
    *,
    gzip_members: bool = True,
) -> Path:
    """Write a WARC the way other tools do (warcio directly), for reader tests.

    Each record dict: type ('response' | 'conversion' | 'resource' | 'request'), url,
    date (aware datetime), body (bytes), and for responses status (default 200),
    headers (list of pairs) and gzip (bool: Content-Encoding gzip); for the others
    content_type. `payload_digest` overrides the digest header (to test checking).
    """
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip_members, warc_version="WARC/1.1")
        for spec in records:
            when = spec.get("date", datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC))
            warc_headers = {
                "WARC-Date": when.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
            }
            if "payload_digest" in spec:
                warc_headers["WARC-Payload-Digest"] = spec["payload_digest"]
            body = spec["body"]
            kind = spec["type"]
            if kind == "response":
                headers = list(spec.get("headers", [("Content-Type", "text/html; charset=utf-8")]))
                if spec.get("gzip"):
                    body = gzip.compress(body)
                    headers.append(("Content-Encoding", "gzip"))
                status = spec.get("status", 200)
                http = StatusAndHeaders(f"{status} X", headers, protocol="HTTP/1.1")
                record = writer.create_warc_record(
                    spec["url"],
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=http,
                    warc_headers_dict=warc_headers,
                )
            else:
                record = writer.create_warc_record(
                    spec.get("url", ""),
                    kind,
                    payload=io.BytesIO(body),
                    length=len(body),
                    warc_content_type=spec.get("content_type", "text/plain"),
                    warc_headers_dict=warc_headers,
                )
            writer.write_record(record)
    return path


@pytest.fixture
def make_warc(tmp_path: Path) -> Callable[..., Path]:
    """make_warc(name, records, gzip_members=True) → a WARC file in tmp (see write_test_warc)."""

    def make(name: str, records: list[dict], *, gzip_members: bool = True) -> Path:
        return write_test_warc(tmp_path / name, records, gzip_members=gzip_members)

    return make


@pytest.fixture(scope="session")
def analytics_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the hand-checked analytics warehouse (tests/analytics_fixture.py)
    with its snapshot published: for the read-only commands and the notebooks."""
    import analytics_fixture as fx

    from warehouse import connect
    from warehouse.snapshot import publish_snapshot

    path = tmp_path_factory.mktemp("analytics") / "data"
    db = settings.db_path(path)
    con = connect(db)
    fx.build(con)
    con.close()
    publish_snapshot(db)
    return path


#: How long Prefect's test server may take to start on a busy 2-core machine.
PREFECT_STARTUP_TIMEOUT_S = 180


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One throwaway Prefect server (Prefect's test harness) and home for every test of the
    session that runs flows in-process: started on first use, stopped at the end."""
    from prefect.settings import (
        PREFECT_HOME,
        PREFECT_SERVER_ANALYTICS_ENABLED,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        temporary_settings,
    )
    from prefect.testing.utilities import prefect_test_harness

    home = tmp_path_factory.mktemp("prefect-home")
    env = {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with (
            temporary_settings(updates={
                PREFECT_HOME: str(home), PREFECT_SERVER_ANALYTICS_ENABLED: False,
                PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: PREFECT_STARTUP_TIMEOUT_S}),
            prefect_test_harness(server_startup_timeout=PREFECT_STARTUP_TIMEOUT_S),
        ):
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

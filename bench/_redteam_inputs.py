"""Red-team rows for hostile inputs: `verdicts sql` escapes and parse bombs.

Each case takes the run's :class:`Ctx` and returns ``(result, as_expected, run)``.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench._redteam_run import Run, run, verdicts

__all__ = ["Case", "Ctx", "Outcome", "input_cases"]

Outcome = tuple[str, bool, Run]


@dataclass
class Ctx:
    """The red team's scratch space: a temp root, a crawled data dir (with a published
    snapshot), a HOME of its own, and the children's environment."""

    root: Path
    data: Path
    home: Path
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """One row: the attack, what must happen, and how to reproduce it."""

    attack: str
    expected: str
    check: Callable[[Ctx], Outcome]


def _refused(sql: str, also: Callable[[Ctx], str | None] = lambda _ctx: None,
             ) -> Callable[[Ctx], Outcome]:
    """`verdicts sql` must exit 2 with one `refused` line that leaks nothing."""

    def check(ctx: Ctx) -> Outcome:
        r = run(verdicts("sql", "--data-dir", str(ctx.data), sql.format(data=ctx.data)),
                ctx.env, timeout=120)
        line = r.one_line or ""
        leaked = "root:" in r.out + r.err or "hunter2" in r.out + r.err
        problem = also(ctx)
        ok = r.code == 2 and line.startswith("verdicts sql: refused") and not leaked
        return (problem or (line or r.err.strip()[-160:])), ok and problem is None, r

    return check


def _no_extension_download(ctx: Ctx) -> str | None:
    ext = ctx.home / ".duckdb"
    return f"{ext} created" if ext.exists() else None


def _parse_fails(path: Callable[[Ctx], Path], words: str) -> Callable[[Ctx], Outcome]:
    """`verdicts parse FILE` must exit 1 with one line naming the reason."""

    def check(ctx: Ctx) -> Outcome:
        r = run(verdicts("parse", str(path(ctx))), ctx.env, timeout=300)
        line = r.one_line or r.err.strip()[-160:]
        return line, r.code == 1 and words in line and r.one_line is not None, r

    return check


def _gzip_bomb(ctx: Ctx) -> Path:
    """A WARC of a few KB whose one response decodes to ~105 MB (gzip in gzip)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = ctx.root / "bomb.warc.gz"
    body = gzip.compress(b"\0" * (100 << 20), 9)
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.1")
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"),
                                           ("Content-Encoding", "gzip")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://shiporskip.io/compare/a-vs-b", "response", payload=io.BytesIO(body),
            length=len(body), http_headers=http))
    return path


def _nested(tag: str) -> Callable[[Ctx], Path]:
    def make(ctx: Ctx) -> Path:
        path = ctx.root / f"nested_{tag}.html"
        path.write_text("<!DOCTYPE html><html><body>" + f"<{tag}>" * 100_000 + "AI tool "
                        "comparison" + f"</{tag}>" * 100_000 + "</body></html>")
        return path

    return make


def _fifty_mb(ctx: Ctx) -> Path:
    path = ctx.root / "big.html"
    body = "<p>AI tool comparison</p>" + "<div><p>Some paragraph of text.</p></div>" * 1_300_000
    path.write_text(f"<html><body>{body}</body></html>")
    return path


def _bomb_row(ctx: Ctx) -> Outcome:
    path = _gzip_bomb(ctx)
    line, ok, r = _parse_fails(lambda _c: path, "decoded body over 8 MB cap")(ctx)
    return f"{path.stat().st_size / 1024:.1f} KB WARC: {line}", ok, r


SQL_REFUSED = "exit 2, one line, nothing read"


def input_cases() -> list[Case]:
    """The hostile inputs, in the red team's order."""
    sql = [
        ("sql: read_csv('/etc/passwd')", "SELECT count(*) FROM read_csv('/etc/passwd')"),
        ("sql: read_text('/etc/passwd')", "SELECT * FROM read_text('/etc/passwd')"),
        ("sql: read_blob('/etc/passwd')", "SELECT * FROM read_blob('/etc/passwd')"),
        ("sql: glob('/*')", "SELECT * FROM glob('/*')"),
        ("sql: '../' traversal", "SELECT * FROM read_csv('{data}/exports/../../secret.csv')"),
        ("sql: SET lock_configuration", "SET lock_configuration = false"),
        ("sql: SET enable_external_access", "SET enable_external_access = true"),
        ("sql: WITH x AS (DELETE … RETURNING *)",
         "WITH x AS (DELETE FROM captures RETURNING *) SELECT * FROM x"),
    ]
    cases = [Case(attack, SQL_REFUSED, _refused(q)) for attack, q in sql]
    cases.insert(5, Case("sql: read_csv('http://…')", SQL_REFUSED + ", no ~/.duckdb/extensions",
                         _refused("SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
                                  _no_extension_download)))
    cases.append(Case("parse: gzip WARC of a few KB → 105 MB", "exit 1, decoded body over cap, "
                      "bounded RSS", _bomb_row))
    for tag in ("header", "div", "span"):
        cases.append(Case(f"parse: 100,000 nested <{tag}>", "exit 1, nested too deeply",
                          _parse_fails(_nested(tag), "nested too deeply")))
    cases.append(Case("parse: 50 MB HTML file", "exit 1, over the 8 MB cap",
                      _parse_fails(_fifty_mb, "8 MB cap")))
    return cases

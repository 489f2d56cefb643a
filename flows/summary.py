"""The figures of a finished run — counts, failures by reason with example URLs, parse
errors, verdict changes — as a dict and as the markdown of its Prefect artifact; and the
analysts' snapshot refresh."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from flows.health import cause_line
from flows.progress import Stage, StageClock, run_logger
from warehouse import crawl_state as state

__all__ = ["build_summary", "publish_snapshot", "summary_markdown"]

_COUNT_KEYS = ("urls", "fetched", "not_modified", "new_pages", "changed", "unchanged", "gone",
               "failed", "disallowed", "out_of_scope", "skipped", "requests", "bytes_received")
#: Verdict changes listed in the markdown at most (the dict has them all).
_MAX_CHANGES = 200


def build_summary(con: Any, run_id: str, *, elapsed: float | None = None,
                  sitemap_errors: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """The figures of a run: counts, failures by reason, verdict changes, markdown."""
    row = state.run_summary(con, run_id)
    counts = {k: int(row[k]) for k in _COUNT_KEYS}
    failures: list[dict[str, Any]] = [
        {"kind": kind, "reason": reason, "count": int(n)}
        for kind, reason, n in state.run_failures(con, run_id)
    ]
    examples = state.failure_example_lists(con, run_id)
    for f in failures:
        f["examples"] = examples.get(f["reason"], [])
    parse_errors = state.parse_error_examples(con, run_id)
    changes = state.verdict_changes(con, run_id)
    summary = {
        "run_id": run_id,
        "base_url": row["base_url"],
        "observed_at": row["observed_at"].isoformat(),
        "status": row["status"],
        "error": row["error"],
        "discovery": row["discovery"],
        "starts": int(row["starts"]),
        "elapsed_s": round(elapsed, 3) if elapsed is not None else None,
        "counts": counts,
        "failures": failures,
        "parse_errors": [{"error": e, "examples": urls} for e, urls in parse_errors.items()],
        "verdict_changes": [{k: _jsonable(v) for k, v in c.items()} for c in changes],
        "sitemap_errors": [list(e) for e in sitemap_errors],
    }
    summary["markdown"] = summary_markdown(summary)
    return summary


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary_markdown(summary: dict[str, Any]) -> str:
    """The run's summary as the markdown of its Prefect artifact."""
    c = summary["counts"]
    failed = [f"- **FAILED: {_md(summary['error'])}**"] if summary.get("error") else []
    lines = [
        f"# Nightly crawl {summary['run_id']}",
        "",
        f"- site: {summary['base_url']} (discovery: {summary['discovery']})",
        f"- night (observed_at): {summary['observed_at']}",
        f"- status: {summary['status']}, starts: {summary['starts']}"
        + (f", took {summary['elapsed_s']:.1f} s" if summary.get("elapsed_s") else ""),
        *_stage_line(summary.get("stage_s")),
        *failed,
        f"- requests: {c['requests']}, body bytes received: {c['bytes_received']:,}",
        "",
        "| pages | fetched | 304 | new | changed | unchanged | gone | failed | disallowed "
        "| skipped | out of scope |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {c['urls']} | {c['fetched']} | {c['not_modified']} | {c['new_pages']} | "
        f"{c['changed']} | {c['unchanged']} | {c['gone']} | {c['failed']} | "
        f"{c['disallowed']} | {c['skipped']} | {c['out_of_scope']} |",
        "",
        "## Failed (retried by the next run)",
        "",
        *_failure_lines(summary["failures"]),
        "",
        "## Parse errors (raw bytes archived: a fixed parser + `verdicts reparse` recovers them)",
        "",
        *_parse_error_lines(summary.get("parse_errors", [])),
        "",
        "## Verdicts that changed tonight",
        "",
        *_change_lines(summary["verdict_changes"]),
    ]
    return "\n".join(lines) + "\n"


def _stage_line(stage_s: dict[str, float] | None) -> list[str]:
    """Where the run's time went, stage by stage (flows.progress.Stage)."""
    if not stage_s:
        return []
    return ["- time by stage: " + ", ".join(f"{k} {v:.2f} s" for k, v in stage_s.items())]


def _failure_lines(failures: Sequence[dict[str, Any]]) -> list[str]:
    if not failures:
        return ["None."]
    lines = ["| kind | reason | count | examples |", "|---|---|---:|---|"]
    for f in failures:
        examples = "<br>".join(_md(u) for u in f.get("examples", []))
        lines.append(f"| {f['kind']} | {_md(f['reason'])} | {f['count']} | {examples} |")
    return lines


def _parse_error_lines(errors: Sequence[dict[str, Any]]) -> list[str]:
    if not errors:
        return ["None."]
    lines = ["| parse error | examples |", "|---|---|"]
    for e in errors:
        lines.append(f"| {_md(e['error'])} | {'<br>'.join(_md(u) for u in e['examples'])} |")
    return lines


def _change_lines(changes: Sequence[dict[str, Any]]) -> list[str]:
    if not changes:
        return ["None."]
    lines = ["| page | tool | what | field | before | after |", "|---|---|---|---|---|---|"]
    for ch in changes[:_MAX_CHANGES]:
        lines.append(
            f"| {_md(ch['url'])} | {_md(ch['tool_slug'])} | {ch['what']}: "
            f"{_md(ch['subject'])} | {ch['field']} | {_md(ch['old_value'])} | "
            f"{_md(ch['new_value'])} |"
        )
    if len(changes) > _MAX_CHANGES:
        lines.append(f"| … | {len(changes) - _MAX_CHANGES} more | | | | |")
    return lines


def publish_snapshot(con: Any, db: Path, *, warn: bool = True,
                     clock: StageClock | None = None) -> str | None:
    """Refresh the analysts' read-only snapshot (warehouse.snapshot) and its analytics after
    a run; None when done, else one line naming the cause (not raised: the run itself is
    recorded). Logged as a warning unless the caller reports it (`warn=False`). The
    refresh and the publish are timed on `clock` when given."""
    clock = clock or StageClock()
    try:
        from warehouse.history import refresh_analytics
        from warehouse.snapshot import publish_snapshot as publish

        with clock.stage(Stage.REFRESH):
            refresh_analytics(con)
        with clock.stage(Stage.PUBLISH):
            publish(db, con, refresh=False)
    except Exception as exc:  # noqa: BLE001
        why = cause_line(exc)
        if warn:
            run_logger().warning("could not publish the read-only snapshot: %s", why)
        return why
    return None

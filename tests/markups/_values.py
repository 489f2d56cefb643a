"""The record's values as the page shows them, and its URL."""

from __future__ import annotations

import re
from typing import Any

STYLES = ("semantic", "divs", "inline")
BASE = "https://shiporskip.io"


def slugify(name: str) -> str:
    """A plausible tool slug for a display name (the seeds' URLs are not known)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "tool"


def url_for(record: dict[str, Any], *, host: str = BASE) -> str:
    """The comparison URL of a record: its slugs if it has them, else slugs from names."""
    a, b = record["tools"]
    sa = a["slug"] or slugify(a["name"])
    sb = b["slug"] or slugify(b["name"])
    return f"{host}/compare/{sa}-vs-{sb}"


def with_url(
    record: dict[str, Any], url: str, slugs: tuple[str | None, str | None]
) -> dict[str, Any]:
    """A copy of `record` with its url and the tools' slugs set."""
    out = dict(record, url=url)
    out["tools"] = [dict(t, slug=s) for t, s in zip(record["tools"], slugs, strict=True)]
    return out


# ---------------------------------------------------------------------------- values


def pct(v: int | None) -> str:
    return "" if v is None else f"{v}%"


def community_card(t: dict[str, Any], layout: str, votes: dict[int, int]) -> str:
    v = t["community_pct"]
    if v is None:
        return "" if layout == "full" else "—"
    n = votes.get(t["position"])
    return f"{v}%" if n is None else f"{v}% · {n} votes"


def community_row(t: dict[str, Any], votes: dict[int, int]) -> str:
    v = t["community_pct"]
    if v is None:
        return "No community votes yet"
    n = votes.get(t["position"])
    return f"{v}%" if n is None else f"{v}% · {n} votes"


def panel_verdict(t: dict[str, Any]) -> str:
    if t["panel_verdict"] is None:
        return ""
    return f"{t['panel_verdict']} · {t['ship_votes']} ship / {t['skip_votes']} skip"


def score_line(r: dict[str, Any]) -> str:
    return f"{r['score']}/100 · {r['verdict']}"


def persona_blocks(record: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Full-layout reviews grouped into persona blocks, in page order."""
    blocks: list[tuple[str, list[dict[str, Any]]]] = []
    for r in record["reviews"]:
        if blocks and blocks[-1][0] == r["persona"]:
            blocks[-1][1].append(r)
        else:
            blocks.append((r["persona"], [r]))
    return blocks


def decision_rows(record: dict[str, Any], votes: dict[int, int]) -> list[tuple[str, str, str]]:
    a, b = record["tools"]
    return [
        ("Panel verdict", panel_verdict(a), panel_verdict(b)),
        ("Community", community_row(a, votes), community_row(b, votes)),
        ("Pricing", a["pricing"] or "", b["pricing"] or ""),
        ("Best for", a["best_for"] or "", b["best_for"] or ""),
        ("Category", a["category"] or "", b["category"] or ""),
    ]


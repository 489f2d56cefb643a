"""A record as its text rendering, one visible element per line (like the seeds)."""

from __future__ import annotations

from typing import Any

from replica.render import BOOKMARKS, NEWSLETTER
from replica.vocab import LEDE

from ._values import community_card, decision_rows, pct, persona_blocks, score_line

# ------------------------------------------------------------------------------ text


def render_text(
    record: dict[str, Any],
    *,
    blank_lines: bool | None = None,
    bookmarks: bool | None = None,
    breadcrumb: bool | None = None,
    votes: dict[int, int] | None = None,
) -> str:
    """The text rendering of a record, laid out like the seeds (full pages with blank lines)."""
    full = record["layout"] == "full"
    blank_lines = full if blank_lines is None else blank_lines
    bookmarks = full if bookmarks is None else bookmarks
    breadcrumb = full if breadcrumb is None else breadcrumb
    votes = votes or {}
    out: list[str] = []

    def para(*lines: str) -> None:
        shown = [x for x in lines if x]
        out.extend(shown)
        if blank_lines and shown:
            out.append("")

    if breadcrumb:
        para(f"Compare/{record['title']}")
    para("AI tool comparison")
    para(record["title"])
    para(LEDE)
    for t in record["tools"]:
        if full:
            para((t["name"] or "?")[0])
        para(t["category"] or "")
        para(t["name"] or "")
        para(t["tagline"] or "")
        if full and t["badge"]:
            para(t["badge"])
        para(pct(t["panel_ship_pct"]))
        para("Panel ship")
        para(community_card(t, record["layout"], votes))
        para("Community")
        para(t["entry"] or "")
        para("Entry")
        para(t["description"] or "")
    if full:
        a, b = record["tools"]
        rows = ["Decision", a["name"], b["name"]]
        for label, va, vb in decision_rows(record, votes):
            rows += [label, va, vb]
        para(*rows)
    para("Reviewer scorecard")
    if full:
        for persona, reviews in persona_blocks(record):
            out.append(persona)
            for r in reviews:
                para(score_line(r))
                for paragraph in r["quote"].split("\n"):
                    para(paragraph)
    else:
        out.extend(f"“{r['quote']}”" for r in record["reviews"])
    para(NEWSLETTER[0])
    para(NEWSLETTER[1])
    if bookmarks:
        para(NEWSLETTER[2])
        out.extend(_join_blank(BOOKMARKS, blank_lines))
    else:
        out.append(NEWSLETTER[2])
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def _join_blank(lines: tuple[str, ...], blank: bool) -> list[str]:
    out: list[str] = []
    for x in lines:
        out.append(x)
        if blank:
            out.append("")
    return out


"""A record as HTML, in three very different markups with the site's chrome."""

from __future__ import annotations

import hashlib
import html as _html
from typing import Any

from replica.render import BOOKMARKS, NEWSLETTER
from replica.vocab import LEDE

from ._values import community_card, decision_rows, pct, persona_blocks, score_line

# ------------------------------------------------------------------------------ HTML

_e = _html.escape


def _cls(*parts: object) -> str:
    """A generated-looking class name (`css-1x9a2b`), stable for the same parts."""
    return "css-" + hashlib.blake2s(repr(parts).encode(), digest_size=3).hexdigest()


_HEAD = """<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — Ship or Skip</title>
<link rel="canonical" href="{url}">
<link rel="stylesheet" href="/_next/static/css/app.css">
<style>.{c}{{display:flex;gap:4px}} body{{font-family:system-ui}}
.x::before{{content:"AI tool comparison"}}</style>
<script>window.__NEXT_DATA__ = {{"page": "/compare/[slug]",
  "title": "AI tool comparison"}};</script>
<script type="application/ld+json">{{"@type": "WebPage", "name": "{title}"}}</script>
<noscript>Please enable JavaScript to vote.</noscript>
</head>"""

_SITE_NAV = ("Ship or Skip", "Tools", "Compare", "Reviewers", "Submit a tool", "Sign in")
_FOOT_NAV = ("About", "Methodology", "Privacy", "Terms", "RSS")


def _head(record: dict[str, Any], url: str | None) -> str:
    return _HEAD.format(title=_e(record["title"]), url=_e(url or ""), c=_cls("h"))


def render_html(
    record: dict[str, Any],
    style: str,
    *,
    url: str | None = None,
    votes: dict[int, int] | None = None,
    closing: bool = True,
) -> str:
    """Render `record` as a full HTML document in one of `STYLES`."""
    votes = votes or {}
    if style == "semantic":
        body = _semantic(record, votes)
    elif style == "divs":
        body = _divs(record, votes)
    elif style == "inline":
        body = _inline(record, votes)
    else:
        raise ValueError(f"unknown markup style {style!r}")
    doc = f'<!DOCTYPE html>\n<html lang="en">\n{_head(record, url)}\n<body>\n{body}\n'
    doc += '<script src="/_next/static/chunks/main.js" defer></script>\n</body>\n'
    return doc + ("</html>\n" if closing else "")


def _semantic(rec: dict[str, Any], votes: dict[int, int]) -> str:
    full = rec["layout"] == "full"
    p: list[str] = []
    w = p.append
    w('<header class="site-header"><nav aria-label="Main">')
    w("".join(f'<a href="/{x.lower()}">{_e(x)}</a>' for x in _SITE_NAV))
    w("</nav></header>")
    w("<main>")
    if full:
        w(
            '<nav aria-label="Breadcrumb"><ol><li><a href="/compare">Compare</a>/'
            f'<span aria-current="page">{_e(rec["title"])}</span></li></ol></nav>'
        )
    w("<article>")
    w(
        f'<header><p class="eyebrow">AI tool comparison</p><h1>{_e(rec["title"])}</h1>'
        f"<p>{_e(LEDE)}</p></header>"
    )
    w('<section class="cards">')
    for t in rec["tools"]:
        # Card parts in <header>/<footer> inside the article: content, not site chrome.
        w('<article class="card"><header>')
        if full:
            w(f'<div class="avatar" aria-hidden="true">{_e((t["name"] or "?")[0])}</div>')
        if t["category"]:
            w(f'<p class="category">{_e(t["category"])}</p>')
        w(f"<h2>{_e(t['name'] or '')}</h2>")
        if t["tagline"]:
            w(f"<p>{_e(t['tagline'])}</p>")
        if full and t["badge"]:
            w(f'<p class="badge badge-{t["badge"].lower()}">{_e(t["badge"])}</p>')
        w("</header><dl>")
        for value, label in (
            (pct(t["panel_ship_pct"]), "Panel ship"),
            (community_card(t, rec["layout"], votes), "Community"),
            (t["entry"] or "", "Entry"),
        ):
            w(f"<div><dd>{_e(value)}</dd><dt>{label}</dt></div>")
        w("</dl>")
        if t["description"]:
            w(f"<footer><p>{_e(t['description'])}</p></footer>")
        w("</article>")
    w("</section>")
    # The page's <article> ends here; an <aside> of related links sits in <main> between
    # the cards and the rest (chrome, in the middle of the content).
    w("</article>")
    w(
        '<aside class="related"><h2>Related comparisons</h2><ul><li><a href="/compare/'
        'a-vs-b">Alpha vs Beta</a></li></ul></aside>'
    )
    if full:
        a, b = rec["tools"]
        w(
            '<section class="decision"><table><thead><tr><th>Decision</th>'
            f'<th scope="col">{_e(a["name"])}</th><th scope="col">{_e(b["name"])}</th>'
            "</tr></thead><tbody>"
        )
        for label, va, vb in decision_rows(rec, votes):
            w(f'<tr><th scope="row">{label}</th><td>{_e(va)}</td><td>{_e(vb)}</td></tr>')
        w("</tbody></table></section>")
    w('<section class="scorecard"><h2>Reviewer scorecard</h2>')
    if full:
        for persona, reviews in persona_blocks(rec):
            w(f'<section><h3>{_e(persona)}</h3><div class="grid">')
            for r in reviews:
                text = "".join(f"<p>{_e(x)}</p>" for x in r["quote"].split("\n"))
                w(f'<div><p class="score">{_e(score_line(r))}</p>{text}</div>')
            w("</div></section>")
    else:
        for r in rec["reviews"]:
            w(f"<blockquote><p>“{_e(r['quote'])}”</p></blockquote>")
    w("</section>")
    w("</main>")
    w(
        '<footer class="site-footer"><section class="newsletter">'
        f"<h2>{NEWSLETTER[0]}</h2><p>{NEWSLETTER[1]}</p><p>{NEWSLETTER[2]}</p>"
        '<form><input type="email" placeholder="you@example.com"><button>Subscribe</button></form>'
        "</section><nav>"
    )
    w("".join(f'<a href="/{x.lower()}">{x}</a>' for x in _FOOT_NAV))
    w("</nav><p>© 2025 Ship or Skip · 7 critics, one verdict</p></footer>")
    w(
        '<aside class="bookmarks"><h2>Bookmarks</h2><p>Loading bookmarks...</p>'
        "<p>No bookmarks yet</p><p>Bookmark tools to save them for later</p></aside>"
    )
    return "\n".join(p)


def _divs(rec: dict[str, Any], votes: dict[int, int]) -> str:
    """Generated class names everywhere, div soup, a role=row/cell grid for the Decision."""
    full = rec["layout"] == "full"
    n = iter(range(10_000))

    def d(inner: str, *, role: str | None = None) -> str:
        r = f' role="{role}"' if role else ""
        return f'<div class="{_cls(next(n))} {_cls("x", next(n))}"{r}>{inner}</div>'

    p: list[str] = []
    w = p.append
    w(
        d(
            d(
                "".join(f'<a class="{_cls(x)}" href="#">{_e(x)}</a>' for x in _SITE_NAV),
                role="navigation",
            ),
            role="banner",
        )
    )
    parts: list[str] = []
    if full:
        parts.append(
            d(
                f'<a href="/compare">Compare</a><span>/</span><span>{_e(rec["title"])}</span>',
                role="navigation",
            )
        )
    parts.append(d(d(d("AI tool comparison")) + d(d(_e(rec["title"]))) + d(_e(LEDE))))
    cards = []
    for t in rec["tools"]:
        c = []
        head = []
        if full:
            head.append(d(d(_e((t["name"] or "?")[0]))))
        head.append(
            d(_e(t["category"] or "")) + d(d(_e(t["name"] or ""))) + d(_e(t["tagline"] or ""))
        )
        if full and t["badge"]:
            head.append(d(f"<span>{_e(t['badge'])}</span>"))
        c.append(d("".join(head)))
        stats = "".join(
            d(d(_e(value)) + d(label))
            for value, label in (
                (pct(t["panel_ship_pct"]), "Panel ship"),
                (community_card(t, rec["layout"], votes), "Community"),
                (t["entry"] or "", "Entry"),
            )
        )
        c.append(d(stats))
        c.append(d(d(_e(t["description"] or ""))))
        cards.append(d("".join(c)))
    parts.append(d("".join(cards)))
    if full:
        a, b = rec["tools"]
        rows = [
            d(
                d("Decision", role="columnheader")
                + d(_e(a["name"]), role="columnheader")
                + d(_e(b["name"]), role="columnheader"),
                role="row",
            )
        ]
        for label, va, vb in decision_rows(rec, votes):
            rows.append(
                d(
                    d(label, role="rowheader") + d(_e(va), role="cell") + d(_e(vb), role="cell"),
                    role="row",
                )
            )
        parts.append(d("".join(rows), role="table"))
    sc = [d(d("Reviewer scorecard"))]
    if full:
        for persona, reviews in persona_blocks(rec):
            sc.append(
                d(
                    d(_e(persona))
                    + "".join(
                        d(d(_e(score_line(r))) + "".join(d(_e(x)) for x in r["quote"].split("\n")))
                        for r in reviews
                    )
                )
            )
    else:
        sc.append(d("".join(d(d("“" + _e(r["quote"]) + "”")) for r in rec["reviews"])))
    parts.append(d("".join(sc)))
    w(d("".join(parts), role="main"))
    w(
        d(
            d(d(NEWSLETTER[0]) + d(NEWSLETTER[1]) + d(NEWSLETTER[2]))
            + d('<input type="email"><button>Subscribe</button>'),
            role="contentinfo",
        )
    )
    w(d("".join(d(x) for x in BOOKMARKS)))
    return "\n".join(p)


def _split(text: str) -> str:
    """Escape `text` and cut it into inline pieces: spans, React `<!-- -->`, entities,
    and one source line break with indentation in the middle of long texts."""
    words = text.split(" ")
    out = []
    wrap = len(words) // 2 if len(words) > 8 else -1
    for i, word in enumerate(words):
        piece = _e(word, quote=False).replace("—", "&mdash;").replace("’", "&rsquo;")
        if i % 7 == 3:
            piece = f"<em>{piece}</em>"
        elif i % 7 == 5:
            piece = f"<span>{piece}</span><!-- -->"
        out.append(piece)
        if i != len(words) - 1:
            out.append("\n        " if i == wrap else " ")
    return "".join(out)


def _inline(rec: dict[str, Any], votes: dict[int, int]) -> str:
    """Semantic-ish markup where every figure is split across inline elements."""
    full = rec["layout"] == "full"
    p: list[str] = []
    w = p.append
    w(
        '<header><a class="logo" href="/"><svg viewBox="0 0 10 10"><title>Ship or Skip</title>'
        '<path d="M0 0h10v10H0z"/></svg><b>Ship</b> or <b>Skip</b></a><nav>'
    )
    w(" | ".join(f'<a href="/{x.lower()}">{_e(x)}</a>' for x in _SITE_NAV[1:]))
    w("</nav></header>")
    w("<main>")
    if full:
        a, b = rec["tools"]
        w(
            f'<nav><a href="/compare">Compare</a><span>/</span><span>{_e(a["name"])}</span> vs '
            f"<span>{_e(b['name'])}</span></nav>"
        )
    a, b = rec["tools"]
    title = rec["title"]
    if a["name"] and b["name"] and title == f"{a['name']} vs {b['name']}":
        h1 = f"<h1><span>{_e(a['name'])}</span> <small>vs</small> <span>{_e(b['name'])}</span></h1>"
    else:
        h1 = f"<h1>{_split(title)}</h1>"
    w(
        "<section><p><small>AI tool <strong>comparison</strong></small></p>"
        f"{h1}<p>\n  {_split(LEDE)}\n</p></section>"
    )
    w("<section>")
    for t in rec["tools"]:
        w("<div>")
        if full:
            w(f"<div><span>{_e((t['name'] or '?')[0])}</span></div>")
        w(f"<div><span>{_e(t['category'] or '')}</span></div>")
        w(f'<h2><a href="/tool/x">{_e(t["name"] or "")}</a></h2>')
        w(f"<p>{_split(t['tagline'] or '')}</p>")
        if full and t["badge"]:
            w(f"<div><span><i></i>{_e(t['badge'])}</span></div>")
        pct = t["panel_ship_pct"]
        w(f"<div><span>{pct}</span>%</div>" if pct is not None else "<div></div>")
        w("<div>Panel <b>ship</b></div>")
        cv = t["community_pct"]
        if cv is None:
            w("<div>&mdash;</div>" if not full else "<div><span></span></div>")
        else:
            nv = votes.get(t["position"])
            extra = "" if nv is None else f" &middot; <span>{nv}</span> votes"
            w(f"<div><span>{cv}</span><!-- -->%{extra}</div>")
        w("<div><small>Community</small></div>")
        w(f"<div><strong>{_e(t['entry'] or '')}</strong></div><div>Entry</div>")
        w(f"<p>\n    {_split(t['description'] or '')}\n  </p>")
        w("</div>")
    w("</section>")
    if full:
        w(
            "<table><caption>Decision</caption><tr><td></td>"
            f"<th>{_e(a['name'])}</th><th>{_e(b['name'])}</th></tr>"
        )
        w("<tr><th>Panel <em>verdict</em></th>")
        for t in rec["tools"]:
            if t["panel_verdict"] is None:
                w("<td></td>")
            else:
                w(
                    f"<td><b>{_e(t['panel_verdict'])}</b> &middot; "
                    f"<span>{t['ship_votes']}</span> ship / "
                    f"<span>{t['skip_votes']}</span><!-- --> skip</td>"
                )
        w("</tr>")
        for label, va, vb in decision_rows(rec, votes)[1:]:
            w(f"<tr><th>{label}</th><td>{_split(va)}</td><td>{_split(vb)}</td></tr>")
        w("</table>")
    w("<section><h2>Reviewer <span>scorecard</span></h2>")
    if full:
        for persona, reviews in persona_blocks(rec):
            w(f"<h3><span>{_e(persona)}</span></h3>")
            for r in reviews:
                w(f"<p><span>{r['score']}</span>/100 &middot; <span>{_e(r['verdict'])}</span></p>")
                w("".join(f"<p>{_split(x)}</p>" for x in r["quote"].split("\n")))
    else:
        for r in rec["reviews"]:
            w(f"<p><span>&ldquo;</span>{_split(r['quote'])}<span>&rdquo;</span></p>")
    w("</section>")
    w("</main>")
    w(
        "<footer><h2>Weekly AI Tool <em>Verdicts</em></h2>"
        f"<p>{NEWSLETTER[1]}</p><p>{NEWSLETTER[2]}</p>"
        "<nav>" + "".join(f"<a href=#>{x}</a>" for x in _FOOT_NAV) + "</nav></footer>"
    )
    w(
        '<div id="bookmarks"><h2>Bookmarks</h2><p>Loading bookmarks...</p>'
        "<template><p>Bookmark row</p>"
        "</template></div>"
    )
    return "\n".join(p)

"""HTML and XML rendering: comparison pages in two layouts × two markups × two template epochs,
tool pages, reviewer pages, indexes, error pages, robots.txt and sitemaps.

Every visible line of a comparison page is one block element, in the order SITE.md gives;
inline elements only split a line's figures (`<span>85</span>/100 · <span>ship</span>`).
Chrome (site header, non-breadcrumb <nav>, <aside> of related links, scripts, styles) sits
around the content. Epoch 2 is the redesign served from the template-change day on: new
class names and markup, the same visible text in the same order.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from urllib.parse import quote_plus

from replica.models import ComparisonPage, Tool, ToolView
from replica.vocab import PERSONAS, PERSPECTIVES

SITE_NAME = "Ship or Skip"
NEWSLETTER = (
    "Weekly AI Tool Verdicts",
    "Get the next comparison in your inbox",
    "New AI tools ship daily. We compare them before you waste an afternoon.",
)
BOOKMARKS = (
    "Bookmarks",
    "Loading bookmarks...",
    "No bookmarks yet",
    "Bookmark tools to save them for later",
)
FOOTER_NOTE = "© 2025 Ship or Skip · Verdicts from a panel of 7 AI critics"


def esc(text: str) -> str:
    """Escape text content (quotes left alone)."""
    return html.escape(text, quote=False)


def esc_react(text: str) -> str:
    """Escape the way React does: quotes become `&quot;` / `&#x27;`."""
    return html.escape(text, quote=True)


def esc_entities(text: str) -> str:
    """Escape and write every non-ASCII character as a numeric entity (the redesign's CMS)."""
    out = html.escape(text, quote=False)
    return "".join(c if ord(c) < 128 else f"&#{ord(c)};" for c in out)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def css_class(epoch: int, markup: str, name: str) -> str:
    """Class names: readable BEM in the semantic markup, generated hashes in the grid one;
    all of them different after the redesign."""
    if markup == "semantic" and epoch == 1:
        return name
    h = hashlib.blake2b(f"{epoch}:{markup}:{name}".encode(), digest_size=4).hexdigest()
    if markup == "semantic":
        return f"{name.split('__')[-1].split('--')[0]}_{h[:5]}"
    return f"css-{h}" if epoch == 1 else f"sc-{h[:6]} {h[2:8]}"


def class_namer(epoch: int, markup: str) -> Callable[[str], str]:
    """`css_class` for one epoch and markup: the `c("name")` the templates call."""

    def c(name: str) -> str:
        return css_class(epoch, markup, name)

    return c


def build_id(epoch: int) -> str:
    return hashlib.blake2b(f"build:{epoch}".encode(), digest_size=6).hexdigest()


_ARROW_SVG = ('<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">'
              '<path d="M3 8h10M9 4l4 4-4 4" stroke="currentColor" fill="none"/></svg>')
_BOOKMARK_SVG = ('<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">'
                 '<path d="M3 1h8v12l-4-3-4 3z" fill="currentColor"/></svg>')

_CSS = {
    1: ("body{font-family:Inter,system-ui,sans-serif;margin:0;color:#111}"
        ".site-header{display:flex;gap:2rem;padding:1rem 2rem;border-bottom:1px solid #eee}"
        ".tool-card{border:1px solid #e5e5e5;border-radius:12px;padding:1.25rem}"
        ".badge--ship{background:#dcfce7}.badge--skip{background:#fee2e2}"),
    2: (":root{--fg:#0a0a0a;--muted:#737373}body{font:16px/1.5 'Geist',system-ui;margin:0}"
        "[class^=sc-]{box-sizing:border-box}.grid{display:grid;gap:1rem}"),
}


def _head(title: str, canonical: str, epoch: int, description: str,
          ld: Mapping[str, object] | None = None) -> str:
    bid = build_id(epoch)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f'<meta name="description" content="{attr(description)}">',
        f'<link rel="canonical" href="{attr(canonical)}">',
        f'<link rel="stylesheet" href="/_app/{bid}.css">',
        f'<link rel="preload" href="/_app/{bid}.js" as="script">',
        f"<style>{_CSS[epoch]}</style>",
    ]
    if ld is not None:
        data = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
        parts.append(f'<script type="application/ld+json">{data}</script>')
    parts.append("</head>")
    return "\n".join(parts)


def _site_header(epoch: int, markup: str) -> str:
    c = class_namer(epoch, markup)
    links = [("/", "Home"), ("/comparisons/", "Comparisons"), ("/tools/", "Tools"),
             ("/reviewer/builder", "Critics"), ("/search", "Search")]
    nav = "".join(f'<a href="{h}">{t}</a>' for h, t in links)
    return (f'<header class="{c("site-header")}"><a class="{c("site-header__logo")}" href="/">'
            f'{SITE_NAME}</a><nav aria-label="Main" class="{c("site-nav")}">{nav}</nav>'
            "</header>")


def _site_footer(epoch: int, markup: str, bookmarks: bool) -> str:
    c = class_namer(epoch, markup)
    h, sub, fine = NEWSLETTER
    tag = "section" if markup == "semantic" else "div"
    out = [
        f'<footer class="{c("site-footer")}">',
        f'<{tag} class="{c("newsletter")}">',
        f'<h2 class="{c("newsletter__title")}">{h}</h2>',
        f'<p class="{c("newsletter__sub")}">{sub}</p>',
        f'<form class="{c("newsletter__form")}" action="/api/newsletter" method="post">'
        f'<input type="email" name="email" placeholder="you@company.com" '
        f'aria-label="Email address" required>'
        f'<button type="submit" aria-label="Subscribe">{_ARROW_SVG}</button></form>',
        f'<p class="{c("newsletter__fine")}">{fine}</p>',
        f"</{tag}>",
    ]
    if bookmarks:
        b = BOOKMARKS
        out += [
            f'<div class="{c("bookmarks")}" data-widget="bookmarks">',
            f'<h3 class="{c("bookmarks__title")}">{_BOOKMARK_SVG}{b[0]}</h3>',
            f'<p class="{c("bookmarks__loading")}">{b[1]}</p>',
            f'<p class="{c("bookmarks__empty")}">{b[2]}</p>',
            f'<p class="{c("bookmarks__hint")}">{b[3]}</p>',
            "</div>",
        ]
    out += [
        f'<nav aria-label="Footer" class="{c("footer-nav")}"><a href="/about">About</a>'
        '<a href="/methodology">Methodology</a><a href="/privacy">Privacy</a>'
        '<a href="/terms">Terms</a>'
        f'<p class="{c("footer-nav__note")}">{esc(FOOTER_NOTE)}</p></nav>',
        "</footer>",
    ]
    return "\n".join(out)


def _scripts(epoch: int, state: Mapping[str, object]) -> str:
    bid = build_id(epoch)
    data = json.dumps(state, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return (f'<script src="/_app/{bid}.js" defer></script>\n'
            f'<script id="__SOS_STATE__" type="application/json">{data}</script>\n'
            "<script>window.dataLayer=window.dataLayer||[];"
            "function gtag(){dataLayer.push(arguments)}gtag('js',new Date());</script>")


def _page(head: str, body_parts: Iterable[str], epoch: int, markup: str,
          state: Mapping[str, object], bookmarks: bool = False) -> bytes:
    body = "\n".join(body_parts)
    doc = "\n".join([
        head,
        f'<body class="{css_class(epoch, markup, "page")}">',
        _site_header(epoch, markup),
        body,
        _site_footer(epoch, markup, bookmarks),
        _scripts(epoch, state),
        "</body>",
        "</html>",
        "",
    ])
    return doc.encode("utf-8")


# ------------------------------------------------------------------------------------------
# Comparison pages
# ------------------------------------------------------------------------------------------

def _avatar(name: str) -> str:
    for ch in name:
        if ch.isalnum():
            return ch.upper()
    return "?"


class _Semantic:
    """Semantic tags, <table> Decision; epoch 2 adds <dl> stats, a <caption>, <figure>s,
    whitespace inside text elements and numeric entities."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self.e = esc if epoch == 1 else esc_entities

    def c(self, name: str) -> str:
        return css_class(self.epoch, "semantic", name)

    def t(self, text: str) -> str:
        """Text content; the redesign's templates leave whitespace around it."""
        s = self.e(text)
        return s if self.epoch == 1 else f"\n      {s}\n    "

    def comparison(self, page: ComparisonPage) -> list[str]:
        c, t = self.c, self.t
        full = page.layout == "full"
        a, b = page.tools
        out = ['<main id="main" class="' + c("compare") + '">']
        if full:
            tag = "p" if self.epoch == 1 else 'div role="navigation"'
            out.append(f'<{tag} aria-label="Breadcrumb" class="{c("crumbs")}">'
                       f'<a href="/comparisons/">Compare</a>/<span aria-current="page">'
                       f'{self.e(page.title)}</span></{tag.split()[0]}>')
        out += [
            f'<section class="{c("hero")}">',
            f'  <p class="{c("hero__eyebrow")}">{t("AI tool comparison")}</p>',
            f'  <h1 class="{c("hero__title")}">{t(page.title)}</h1>',
            f'  <p class="{c("hero__lede")}">{t(page.lede)}</p>',
            "</section>",
            f'<div class="{c("cards")}">',
        ]
        for pos, tv in enumerate(page.tools):
            out += self.card(tv, full, pos)
        out.append("</div>")
        if full:
            out += self.decision(a, b)
        out += self.scorecard(page)
        out += _related_aside(page, c)
        out.append("</main>")
        return out

    def card(self, tv: ToolView, full: bool, pos: int) -> list[str]:
        c, t = self.c, self.t
        out = [f'<article class="{c("tool-card")} {c("tool-card--" + "ab"[pos])}">']
        if full:
            out.append(f'  <div class="{c("tool-card__avatar")}" aria-hidden="true">'
                       f"{_avatar(tv.name)}</div>")
        out += [
            f'  <p class="{c("tool-card__category")}">{t(tv.category)}</p>',
            f'  <h2 class="{c("tool-card__name")}"><a href="/tool/{tv.slug}">'
            f"{self.e(tv.name)}</a></h2>",
            f'  <p class="{c("tool-card__tagline")}">{t(tv.tagline)}</p>',
        ]
        if full:
            out.append(f'  <div class="{c("badge")} {c("badge--" + tv.badge.lower())}">'
                       f"{tv.badge}</div>")
        stats = [(f"{tv.panel_ship_pct}%", "Panel ship"),
                 (tv.community_card("full" if full else "compact"), "Community"),
                 (tv.entry, "Entry")]
        if self.epoch == 1:
            out.append(f'  <div class="{c("tool-card__stats")}">')
            for value, label in stats:
                out.append(f'    <div class="{c("stat")}"><div class="{c("stat__value")}">'
                           f'{self.e(value)}</div><div class="{c("stat__label")}">{label}'
                           "</div></div>")
            out.append("  </div>")
        else:
            out.append(f'  <dl class="{c("tool-card__stats")}">')
            for value, label in stats:
                out.append(f'    <div class="{c("stat")}"><dd>{self.e(value)}</dd>'
                           f"<dt>{label}</dt></div>")
            out.append("  </dl>")
        out += [f'  <p class="{c("tool-card__description")}">{t(tv.description)}</p>',
                "</article>"]
        return out

    def decision(self, a: ToolView, b: ToolView) -> list[str]:
        c, e = self.c, self.e
        out = [f'<section class="{c("decision")}">', f'<table class="{c("decision__table")}">']
        if self.epoch == 1:
            out.append(f'<thead><tr><th scope="col">Decision</th><th scope="col">{e(a.name)}'
                       f'</th><th scope="col">{e(b.name)}</th></tr></thead>')
        else:
            out.append(f'<caption class="{c("decision__caption")}">Decision</caption>'
                       f'<thead><tr><td></td><th scope="col">{e(a.name)}</th>'
                       f'<th scope="col">{e(b.name)}</th></tr></thead>')
        out.append("<tbody>")

        def verdict(tv: ToolView) -> str:
            return (f'<span class="{c("pill")} {c("pill--" + tv.badge.lower())}">{tv.badge}'
                    f"</span> · {tv.ship_votes} ship / {tv.skip_votes} skip")

        rows = [
            ("Panel verdict", verdict(a), verdict(b)),
            ("Community", e(a.community_row), e(b.community_row)),
            ("Pricing", e(a.pricing), e(b.pricing)),
            ("Best for", e(a.best_for), e(b.best_for)),
            ("Category", e(a.category), e(b.category)),
        ]
        for label, va, vb in rows:
            out.append(f'<tr><th scope="row">{label}</th><td>{va}</td><td>{vb}</td></tr>')
        out += ["</tbody>", "</table>", "</section>"]
        return out

    def scorecard(self, page: ComparisonPage) -> list[str]:
        c, t = self.c, self.t
        out = [f'<section class="{c("scorecard")}">',
               f'<h2 class="{c("scorecard__title")}">Reviewer scorecard</h2>']
        if page.layout == "full":
            for persona, ra, rb in page.review_rows():
                out.append(f'<div class="{c("scorecard__persona")}">')
                out.append(f'  <h3 class="{c("scorecard__name")}">{persona}</h3>')
                out.append(f'  <div class="{c("scorecard__pair")}">')
                for r in (ra, rb):
                    if r is None:
                        continue
                    out.append(
                        f'    <div class="{c("review")}"><p class="{c("review__score")}">'
                        f'<span class="{c("review__num")}">{r.score}</span>/100 · '
                        f'<span class="{c("review__verdict--" + r.verdict)}">{r.verdict}'
                        f'</span></p><p class="{c("review__text")}">{t(r.text)}</p></div>')
                out.append("  </div>")
                out.append("</div>")
        else:
            for _persona, ra, rb in page.review_rows():
                for r in (ra, rb):
                    if r is None:
                        continue
                    if self.epoch == 1:
                        out.append(f'<blockquote class="{c("quote")}"><p>'
                                   f"{self.e('“' + r.text + '”')}</p></blockquote>")
                    else:
                        out.append(f'<figure class="{c("quote")}"><blockquote>'
                                   f"{t('“' + r.text + '”')}</blockquote></figure>")
        out.append("</section>")
        return out


class _Grid:
    """Nested divs with generated class names, a role="row" grid for the Decision, figures
    split across spans and React's `<!-- -->` text separators."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self.e = esc_react

    def c(self, name: str) -> str:
        return css_class(self.epoch, "grid", name)

    def wrap(self, name: str, inner: str) -> str:
        """The redesign nests every block one level deeper."""
        if self.epoch == 1:
            return inner
        return f'<div class="{self.c(name + "-wrap")}" data-testid="{name}">{inner}</div>'

    def comparison(self, page: ComparisonPage) -> list[str]:
        c, e = self.c, self.e
        full = page.layout == "full"
        a, b = page.tools
        out = [f'<main class="{c("main")}"><div class="{c("container")}">']
        if full:
            out.append(f'<div class="{c("crumbs")}"><a href="/comparisons/" class="{c("crumb")}">'
                       f'Compare</a><span class="{c("sep")}">/</span><span>{e(a.name)}'
                       f"<!-- --> vs <!-- -->{e(b.name)}</span></div>")
        out.append(self.wrap("hero", (
            f'<div class="{c("hero")}"><div class="{c("eyebrow")}">AI tool comparison</div>'
            f'<h1 class="{c("title")}">{e(a.name)}<!-- --> vs <!-- -->{e(b.name)}</h1>'
            f'<div class="{c("lede")}">{e(page.lede)}</div></div>')))
        cards = "".join(self.card(tv, full) for tv in page.tools)
        out.append(f'<div class="{c("cards")}">{cards}</div>')
        if full:
            out.append(self.decision(a, b))
        out.append(self.scorecard(page))
        out.append("</div>")
        out += _related_aside(page, c)
        out.append("</main>")
        return out

    def card(self, tv: ToolView, full: bool) -> str:
        c, e = self.c, self.e
        parts = [f'<div class="{c("card")}">']
        if full:
            parts.append(f'<div class="{c("card-head")}"><div class="{c("avatar")}">'
                         f"{_avatar(tv.name)}</div>")
        else:
            parts.append(f'<div class="{c("card-head")}">')
        parts.append(f'<div class="{c("card-meta")}"><div class="{c("category")}">'
                     f'{e(tv.category)}</div><div class="{c("name")}"><a href="/tool/{tv.slug}">'
                     f'{e(tv.name)}</a></div><div class="{c("tagline")}">{e(tv.tagline)}</div>'
                     "</div></div>")
        if full:
            parts.append(f'<div class="{c("badge-" + tv.badge.lower())}">{tv.badge}</div>')
        parts.append(f'<div class="{c("stats")}">')
        community = tv.community_card("full" if full else "compact")
        # Panel ship: the number and the % sign in separate spans.
        parts.append(f'<div class="{c("stat")}"><div class="{c("stat-value")}"><span>'
                     f'{tv.panel_ship_pct}</span>%</div><div class="{c("stat-label")}">'
                     "Panel ship</div></div>")
        parts.append(f'<div class="{c("stat")}"><div class="{c("stat-value")}">'
                     f'{e(community)}</div><div class="{c("stat-label")}">Community</div></div>')
        parts.append(f'<div class="{c("stat")}"><div class="{c("stat-value")}">{e(tv.entry)}'
                     f'</div><div class="{c("stat-label")}">Entry</div></div>')
        parts.append("</div>")
        parts.append(self.wrap("description",
                               f'<div class="{c("description")}">{e(tv.description)}</div>'))
        parts.append("</div>")
        return "".join(parts)

    def decision(self, a: ToolView, b: ToolView) -> str:
        c, e = self.c, self.e

        def row(label: str, va: str, vb: str) -> str:
            return (f'<div role="row" class="{c("row")}"><div role="rowheader" '
                    f'class="{c("rowhead")}">{label}</div><div role="cell" class="{c("cell")}">'
                    f'{va}</div><div role="cell" class="{c("cell")}">{vb}</div></div>')

        def verdict(tv: ToolView) -> str:
            return (f'<span class="{c("pill")}">{tv.badge}</span> · <!-- -->{tv.ship_votes}'
                    f"<!-- --> ship / <!-- -->{tv.skip_votes}<!-- --> skip")

        head = (f'<div role="row" class="{c("row head")}"><div role="columnheader" '
                f'class="{c("colhead")}">Decision</div><div role="columnheader">{e(a.name)}'
                f'</div><div role="columnheader">{e(b.name)}</div></div>')
        rows = [
            row("Panel verdict", verdict(a), verdict(b)),
            row("Community", e(a.community_row), e(b.community_row)),
            row("Pricing", e(a.pricing), e(b.pricing)),
            row("Best for", e(a.best_for), e(b.best_for)),
            row("Category", e(a.category), e(b.category)),
        ]
        grid = (f'<div role="table" aria-label="Decision" class="{c("decision")}">{head}'
                f'{"".join(rows)}</div>')
        return self.wrap("decision", grid)

    def scorecard(self, page: ComparisonPage) -> str:
        c, e = self.c, self.e
        parts = [f'<div class="{c("scorecard")}"><div class="{c("section-title")}">'
                 "Reviewer scorecard</div>"]
        if page.layout == "full":
            for persona, ra, rb in page.review_rows():
                parts.append(f'<div class="{c("persona-block")}"><div class="{c("persona")}">'
                             f"{persona}</div>")
                for r in (ra, rb):
                    if r is None:
                        continue
                    if self.epoch == 1:
                        score = (f"<span>{r.score}</span>/100<!-- --> · <!-- --><span>"
                                 f"{r.verdict}</span>")
                    else:
                        score = (f"<b>{r.score}</b><span>/100</span><span> · </span>"
                                 f'<span class="{c("v-" + r.verdict)}">{r.verdict}</span>')
                    parts.append(f'<div class="{c("review")}"><div class="{c("score")}">'
                                 f'{score}</div><div class="{c("review-text")}">{e(r.text)}'
                                 "</div></div>")
                parts.append("</div>")
        else:
            for _persona, ra, rb in page.review_rows():
                for r in (ra, rb):
                    if r is not None:
                        parts.append(self.wrap("quote", f'<div class="{c("quote")}"><span>“'
                                               f"</span>{e(r.text)}<span>”</span></div>"))
        parts.append("</div>")
        return "".join(parts)


def _related_aside(page: ComparisonPage, c: Callable[[str], str]) -> list[str]:
    items = "".join(f'<li><a href="{p}">{esc(title)}</a></li>' for p, title in page.related)
    return [f'<aside aria-label="Related comparisons" class="{c("related")}">'
            f'<h2 class="{c("related__title")}">Related comparisons</h2>'
            f'<ul class="{c("related__list")}">{items}</ul>'
            f'<p><a href="{page.path}?{page.share_query}" rel="nofollow">Share this comparison'
            "</a></p></aside>"]


def render_comparison(page: ComparisonPage, *, base_url: str, epoch: int) -> bytes:
    """A comparison page's HTML bytes."""
    markup = _Semantic(epoch) if page.markup == "semantic" else _Grid(epoch)
    canonical = base_url + page.path
    a, b = page.tools
    ld = {"@context": "https://schema.org", "@type": "WebPage", "name": page.title,
          "url": canonical, "dateModified": page.lastmod.isoformat(),
          "about": [{"@type": "SoftwareApplication", "name": tv.name,
                     "applicationCategory": tv.category} for tv in (a, b)]}
    head = _head(f"{page.title} — AI tool comparison | {SITE_NAME}", canonical, epoch,
                 f"{page.title}: panel verdicts, pricing and reviews side by side.", ld)
    state = {"page": "compare", "slugs": [page.slug_a, page.slug_b], "layout": page.layout,
             "build": build_id(epoch)}
    return _page(head, markup.comparison(page), epoch, page.markup, state,
                 bookmarks=page.layout == "full")


# ------------------------------------------------------------------------------------------
# Other pages
# ------------------------------------------------------------------------------------------

def _simple(title: str, canonical: str, epoch: int, body: list[str],
            description: str = "") -> bytes:
    head = _head(f"{title} | {SITE_NAME}", canonical, epoch, description or title)
    return _page(head, body, epoch, "semantic", {"page": "other", "build": build_id(epoch)})


def _ships(tool: Tool) -> str:
    s, k = tool.ship_votes, tool.skip_votes
    return f"{s} ship{'s' if s != 1 else ''} · {k} skip{'s' if k != 1 else ''}"


def render_tool(tool: Tool, comparisons: list[tuple[str, str]], *, base_url: str,
                epoch: int) -> bytes:
    """A tool page: its own layout, with "The Builder — Developer Perspective" reviews."""
    c = class_namer(epoch, "semantic")
    body = [f'<main class="{c("tool-page")}">',
            f'<nav aria-label="Breadcrumb" class="{c("crumbs")}"><a href="/tools/">Tools</a>/'
            f"<span>{esc(tool.name)}</span></nav>",
            f'<p class="{c("tool__category")}">{esc(tool.category)}</p>',
            f'<h1 class="{c("tool__name")}">{esc(tool.name)}</h1>',
            f'<p class="{c("tool__tagline")}">{esc(tool.tagline)}</p>',
            f'<div class="{c("badge")}">{tool.badge}</div>',
            f'<p class="{c("tool__tally")}">{_ships(tool)}</p>',
            f'<p class="{c("tool__description")}">{esc(tool.description)}</p>',
            f'<dl class="{c("tool__facts")}"><div><dt>Pricing</dt><dd>{esc(tool.pricing)}</dd>'
            f"</div><div><dt>Entry</dt><dd>{tool.entry}</dd></div><div><dt>Maker</dt><dd>"
            f"{esc(tool.vendor)}</dd></div></dl>",
            f'<section class="{c("panel")}"><h2>Panel reviews</h2>']
    for r in tool.panel_reviews():
        body.append(
            f'<article class="{c("panel-review")}"><h3>The {r.persona} — '
            f"{PERSPECTIVES[r.persona]}</h3><p class=\"{c('panel-review__score')}\">"
            f"{r.score / 10:.1f}/10</p><p>{r.verdict.capitalize()}</p><p>{esc(r.text)}</p>"
            f'<p><a href="/reviewer/{r.persona.lower()}?category={quote_plus(tool.category)}">'
            f"More from The {r.persona}</a></p></article>")
    body.append("</section>")
    items = "".join(f'<li><a href="{p}">{esc(t)}</a></li>' for p, t in comparisons)
    body += [f'<section class="{c("compared")}"><h2>Compared with</h2><ul>{items}</ul>'
             "</section>", "</main>"]
    return _simple(f"{tool.name} review", f"{base_url}/tool/{tool.slug}", epoch, body,
                   tool.tagline)


def render_reviewer(persona: str, category: str | None, tools: list[Tool], *, base_url: str,
                    epoch: int, query: str) -> bytes:
    """A critic's page, optionally filtered to one category."""
    c = class_namer(epoch, "semantic")
    body = [f'<main class="{c("reviewer-page")}">',
            f"<h1>The {persona}</h1>",
            f"<p>{PERSPECTIVES[persona]}</p>",
            f"<p>Category: {esc(category or 'All categories')}</p>",
            f'<ul class="{c("reviewer__list")}">']
    for tool in tools:
        r = next((r for r in tool.panel_reviews() if r.persona == persona), None)
        if r is None:
            continue
        excerpt = r.text if len(r.text) < 160 else r.text[:157].rsplit(" ", 1)[0] + "…"
        body.append(f'<li><h2><a href="/tool/{tool.slug}">{esc(tool.name)}</a></h2>'
                    f"<p>{r.score / 10:.1f}/10 · {r.verdict.capitalize()}</p>"
                    f"<p>{esc(excerpt)}</p></li>")
    body += ["</ul>", "<p>Other critics: " + " · ".join(
        f'<a href="/reviewer/{p.lower()}">{p}</a>' for p in PERSONAS if p != persona) + "</p>",
        "</main>"]
    canonical = f"{base_url}/reviewer/{persona.lower()}" + (f"?{query}" if query else "")
    return _simple(f"The {persona} — {PERSPECTIVES[persona]}", canonical, epoch, body)


def render_home(latest: list[tuple[str, str]], tools: list[tuple[str, str]], total: int, *,
                base_url: str, epoch: int) -> bytes:
    """The start page: latest comparisons, some tools, and the way into the full index."""
    items = "".join(f'<li><a href="{p}">{esc(t)}</a></li>' for p, t in latest)
    tool_items = "".join(f'<li><a href="/tool/{s}">{esc(n)}</a></li>' for s, n in tools)
    body = ['<main class="home">',
            f"<h1>{SITE_NAME}</h1>",
            "<p>New AI tools, judged by a panel of critics: ship it or skip it.</p>",
            f"<section><h2>Latest comparisons</h2><ul>{items}</ul>",
            f'<p><a href="/comparisons/">Browse all {total} comparisons</a></p></section>',
            f"<section><h2>Tools</h2><ul>{tool_items}</ul>",
            '<p><a href="/tools/">All tools</a></p></section>',
            "</main>"]
    return _simple("AI tools, ship or skip", base_url + "/", epoch, body)


def render_index(entries: list[tuple[str, str]], page_no: int, pages: int, *, base_url: str,
                 epoch: int) -> bytes:
    """One page of the comparison index."""
    items = "".join(f'<li><a href="{p}">{esc(t)}</a></li>' for p, t in entries)
    nav = []
    if page_no > 1:
        prev = "/comparisons/" if page_no == 2 else f"/comparisons/page/{page_no - 1}"
        nav.append(f'<a href="{prev}" rel="prev">Previous</a>')
    if page_no < pages:
        nav.append(f'<a href="/comparisons/page/{page_no + 1}" rel="next">Next</a>')
    body = ['<main class="index">', "<h1>All comparisons</h1>",
            f"<p>Page {page_no} of {pages}</p>", f"<ul>{items}</ul>",
            f'<div class="pager">{" ".join(nav)}</div>', "</main>"]
    path = "/comparisons/" if page_no == 1 else f"/comparisons/page/{page_no}"
    return _simple(f"All comparisons, page {page_no}", base_url + path, epoch, body)


def render_tools_index(tools: list[tuple[str, str]], *, base_url: str, epoch: int) -> bytes:
    items = "".join(f'<li><a href="/tool/{s}">{esc(n)}</a></li>' for s, n in tools)
    body = ['<main class="index">', "<h1>All tools</h1>", f"<ul>{items}</ul>", "</main>"]
    return _simple("All tools", base_url + "/tools/", epoch, body)


def render_search(query: str, results: list[tuple[str, str]], *, base_url: str,
                  epoch: int) -> bytes:
    items = "".join(f'<li><a href="{p}">{esc(t)}</a></li>' for p, t in results)
    body = ['<main class="search">', "<h1>Search</h1>",
            f'<form action="/search"><input name="q" value="{attr(query)}"></form>',
            f"<p>{len(results)} results</p><ul>{items}</ul>", "</main>"]
    return _simple("Search", base_url + "/search", epoch, body)


def render_error(status: int, path: str, *, base_url: str, epoch: int) -> bytes:
    """404, 410 and the 5xx/429 bodies."""
    titles = {
        404: ("Page not found", "We couldn't find that page. It may never have existed."),
        410: ("This comparison has been removed",
              "One of these tools is no longer listed, so the comparison is gone for good."),
        429: ("Too many requests", "Slow down a little and try again in a moment."),
        500: ("Something went wrong", "An unexpected error occurred."),
        502: ("Bad gateway", "The upstream server returned an invalid response."),
        503: ("Service unavailable", "We're deploying a new version. Try again shortly."),
    }
    title, text = titles.get(status, ("Error", "Something went wrong."))
    body = ['<main class="error">', f"<h1>{status} — {title}</h1>", f"<p>{text}</p>",
            '<p><a href="/">Back to the home page</a></p>', "</main>"]
    return _simple(title, base_url + path, epoch, body)


# ------------------------------------------------------------------------------------------
# robots.txt and sitemaps
# ------------------------------------------------------------------------------------------

def w3c(dt: datetime) -> str:
    """Sitemap `<lastmod>`: `2025-06-02T05:13:00+00:00`."""
    return dt.isoformat(timespec="seconds")


def render_robots(base_url: str, *, sitemaps: bool, crawl_delay: float | None) -> bytes:
    lines = [
        "# shiporskip.io replica",
        "User-agent: GPTBot",
        "Disallow: /",
        "",
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /search",
        "Disallow: /compare/*?*",
        "Allow: /",
    ]
    if crawl_delay is not None:
        lines.append(f"Crawl-delay: {crawl_delay:g}")
    if sitemaps:
        lines += ["", f"Sitemap: {base_url}/sitemap.xml"]
    return ("\n".join(lines) + "\n").encode()


def render_sitemap_index(entries: list[tuple[str, datetime]]) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, lastmod in entries:
        parts.append(f"  <sitemap><loc>{esc(loc)}</loc><lastmod>{w3c(lastmod)}</lastmod>"
                     "</sitemap>")
    parts.append("</sitemapindex>")
    return ("\n".join(parts) + "\n").encode()


def render_urlset(entries: list[tuple[str, datetime]], changefreq: str = "weekly") -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, lastmod in entries:
        parts.append(f"  <url><loc>{esc(loc)}</loc><lastmod>{w3c(lastmod)}</lastmod>"
                     f"<changefreq>{changefreq}</changefreq></url>")
    parts.append("</urlset>")
    return ("\n".join(parts) + "\n").encode()


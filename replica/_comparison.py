"""Comparison pages: `_Semantic` and `_Grid` write the content in either markup and epoch,
`render_comparison` puts it in the page frame (`_chrome`)."""

from __future__ import annotations

from collections.abc import Callable

from replica._chrome import SITE_NAME, _head, _page
from replica._html import build_id, css_class, esc, esc_entities, esc_react
from replica.models import ComparisonPage, ToolView


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

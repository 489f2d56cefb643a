"""The other pages: tool and reviewer pages, home, the indexes, search and error pages,
all in the semantic markup (`simple_page`)."""

from __future__ import annotations

from urllib.parse import quote_plus

from replica._chrome import SITE_NAME, _head, _page
from replica._html import attr, build_id, class_namer, esc
from replica.models import Tool
from replica.vocab import PERSONAS, PERSPECTIVES


def simple_page(title: str, canonical: str, epoch: int, body: list[str],
                description: str = "") -> bytes:
    """A page of the site's chrome around `body` (semantic markup), titled and canonical."""
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
    return simple_page(f"{tool.name} review", f"{base_url}/tool/{tool.slug}", epoch, body,
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
    return simple_page(f"The {persona} — {PERSPECTIVES[persona]}", canonical, epoch, body)


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
    return simple_page("AI tools, ship or skip", base_url + "/", epoch, body)


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
    return simple_page(f"All comparisons, page {page_no}", base_url + path, epoch, body)


def render_tools_index(tools: list[tuple[str, str]], *, base_url: str, epoch: int) -> bytes:
    items = "".join(f'<li><a href="/tool/{s}">{esc(n)}</a></li>' for s, n in tools)
    body = ['<main class="index">', "<h1>All tools</h1>", f"<ul>{items}</ul>", "</main>"]
    return simple_page("All tools", base_url + "/tools/", epoch, body)


def render_search(query: str, results: list[tuple[str, str]], *, base_url: str,
                  epoch: int) -> bytes:
    items = "".join(f'<li><a href="{p}">{esc(t)}</a></li>' for p, t in results)
    body = ['<main class="search">', "<h1>Search</h1>",
            f'<form action="/search"><input name="q" value="{attr(query)}"></form>',
            f"<p>{len(results)} results</p><ul>{items}</ul>", "</main>"]
    return simple_page("Search", base_url + "/search", epoch, body)


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
    return simple_page(title, base_url + path, epoch, body)

"""The page frame around every page's content: the <head>, the site header, the footer
(newsletter, bookmarks widget, footer nav), the scripts, and the site's fixed texts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from replica._html import attr, build_id, class_namer, css_class, esc

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

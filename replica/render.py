"""HTML and XML rendering: comparison pages in two layouts × two markups × two template epochs,
tool pages, reviewer pages, indexes, error pages, robots.txt and sitemaps.

Every visible line of a comparison page is one block element, in the order SITE.md gives;
inline elements only split a line's figures (`<span>85</span>/100 · <span>ship</span>`).
Chrome (site header, non-breadcrumb <nav>, <aside> of related links, scripts, styles) sits
around the content. Epoch 2 is the redesign served from the template-change day on: new
class names and markup, the same visible text in the same order.

The page frame (head, site header, footer, scripts, the site's texts) is in `_chrome`, the
shared escaping and class names in `_html`, comparison pages in `_comparison`, the other
pages in `_pages`, robots.txt and sitemaps in `_sitemaps`; this module re-exports them.
"""

from __future__ import annotations

from replica._chrome import BOOKMARKS, FOOTER_NOTE, NEWSLETTER, SITE_NAME
from replica._comparison import render_comparison
from replica._html import attr, build_id, class_namer, css_class, esc, esc_entities, esc_react
from replica._pages import (
    render_error,
    render_home,
    render_index,
    render_reviewer,
    render_search,
    render_tool,
    render_tools_index,
    simple_page,
)
from replica._sitemaps import render_robots, render_sitemap_index, render_urlset, w3c

__all__ = [
    "BOOKMARKS",
    "FOOTER_NOTE",
    "NEWSLETTER",
    "SITE_NAME",
    "attr",
    "build_id",
    "class_namer",
    "css_class",
    "esc",
    "esc_entities",
    "esc_react",
    "render_comparison",
    "render_error",
    "render_home",
    "render_index",
    "render_reviewer",
    "render_robots",
    "render_search",
    "render_sitemap_index",
    "render_tool",
    "render_tools_index",
    "render_urlset",
    "simple_page",
    "w3c",
]

"""Render a comparison record (the parser's `to_dict()` shape) back into a page.

The parser must key on visible labels and document order, never on markup. These
renderers give the same record several very different bodies, so the tests (and
`bench/parse.py`) can check that every markup parses to the same record:

- `render_text`: the text rendering, one visible element per line (like the seeds);
- `render_html(style="semantic")`: header/nav/main/article/h1/h2/p, a `<table>` Decision;
- `render_html(style="divs")`: nested divs with generated class names, a div grid
  with `role="row"`/`role="cell"` for the Decision;
- `render_html(style="inline")`: figures split across inline elements
  (`<span>85</span>/100 · <span>ship</span>`), React-style `<!-- -->` text separators,
  entities and source line breaks inside paragraphs.

A full-layout review text with several paragraphs (joined with "\n" in the record) is
one block per paragraph in every form.

Every HTML markup carries page chrome (site header and nav links, scripts, styles, a
footer, a bookmarks widget) that the parser must ignore, and a `<link rel=canonical>`.
The site's fixed text (lede, the footer the parser stops at, the bookmarks widget) is a
fact about shiporskip.io, kept once, in the replica; the records these pages must parse
to come from the test, not from the replica.
"""

from __future__ import annotations

from ._html import render_html
from ._text import render_text
from ._values import BASE, STYLES, slugify, url_for, with_url

__all__ = ["BASE", "STYLES", "render_html", "render_text", "slugify", "url_for", "with_url"]

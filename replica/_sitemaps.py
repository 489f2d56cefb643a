"""robots.txt and the sitemaps (the sitemap index and the urlsets)."""

from __future__ import annotations

from datetime import datetime

from replica._html import esc


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


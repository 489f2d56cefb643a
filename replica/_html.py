"""The helpers every template shares: text escaping (plain, React's, the redesign CMS's
numeric entities), class names per template epoch and markup, and the build id."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable


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

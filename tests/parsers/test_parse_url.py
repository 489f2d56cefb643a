"""Comparison URLs and their slugs: query/fragment ignored, www host, one `-vs-` only."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from parsers import comparison_slugs, is_comparison_url

slug_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
slugs = st.lists(slug_words, min_size=1, max_size=6).map("-".join)
hosts = st.sampled_from(
    ["https://shiporskip.io", "https://www.shiporskip.io", "http://127.0.0.1:8765", ""]
)
tails = st.sampled_from(["", "?ref=home", "#reviews", "?a=1&b=-vs-#x-vs-y", "/"])


@given(slugs, slugs, hosts, tails)
def test_slugs_round_trip(a: str, b: str, host: str, tail: str) -> None:
    assume("vs" not in a.split("-") and "vs" not in b.split("-"))
    url = f"{host}/compare/{a}-vs-{b}{tail}"
    assert comparison_slugs(url) == (a, b)
    assert is_comparison_url(url)


@given(slugs, slugs, slugs, hosts)
def test_more_than_one_vs_is_not_split(a: str, b: str, c: str, host: str) -> None:
    url = f"{host}/compare/{a}-vs-{b}-vs-{c}"
    assert comparison_slugs(url) == (None, None)
    assert is_comparison_url(url)  # still a comparison page; only the split is ambiguous


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("https://shiporskip.io/compare/windsurf-vs-gemini-api", ("windsurf", "gemini-api")),
        ("https://www.shiporskip.io/compare/a-vs-b?x=1#y", ("a", "b")),
        ("https://shiporskip.io/compare/a-vs-b/", ("a", "b")),
        ("/compare/hugging-face-smolvlm2-vs-mistral-3", ("hugging-face-smolvlm2", "mistral-3")),
        ("https://shiporskip.io/compare/windsurf", (None, None)),
        ("https://shiporskip.io/compare/a-vs-", (None, None)),
        ("https://shiporskip.io/compare/-vs-b", (None, None)),
        ("https://shiporskip.io/tool/a-vs-b", (None, None)),
        ("https://shiporskip.io/compare/a-vs-b/extra", (None, None)),
        ("https://shiporskip.io/compare/x-vs-y-vs-z", (None, None)),
        ("ftp://shiporskip.io/compare/a-vs-b", (None, None)),
        ("", (None, None)),
        (None, (None, None)),
        ("http://[::1", (None, None)),
    ],
)  # fmt: skip
def test_slug_cases(url: str | None, want: tuple[str | None, str | None]) -> None:
    assert comparison_slugs(url) == want


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("https://shiporskip.io/compare/a-vs-b", True),
        ("https://shiporskip.io/compare/a-vs-b-vs-c", True),
        ("https://shiporskip.io/compare/windsurf", False),
        ("https://shiporskip.io/compare/", False),
        ("https://shiporskip.io/tool/windsurf", False),
        ("https://shiporskip.io/reviewer/builder?category=AI+Models", False),
        ("https://shiporskip.io/sitemap.xml", False),
        ("mailto:someone@shiporskip.io", False),
    ],
)
def test_is_comparison_url(url: str, want: bool) -> None:
    assert is_comparison_url(url) is want

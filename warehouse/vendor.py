"""Which company makes each tool: resolved from a registry, the slug, the description, the name.

Sources, in order of precedence (the first that gives a vendor wins):

1. ``override`` -- ``vendor_overrides.csv`` (slug -> vendor) says so. An override with an
   empty vendor forces "unknown" (NULL). Overrides exist to correct everything below.
2. ``slug`` -- the slug holds a registry key as a token sequence: at the start
   (``hugging-face-smolvlm2-…``, ``meta-llama-4-…``, ``gemini-api``, ``windsurf``), right
   after a leading verb (``introducing-claude-…``), or anywhere right before a verb
   (``mistral-ai-releases-…``, ``anthropic-open-sources-…``). The slug is the site's own
   structured id, so it outranks prose.
3. ``description`` -- the site's prose names the maker: strong phrases first
   ("from Hugging Face", "optimized by Hugging Face", "Mistral AI has released",
   "Google's latest …"), then a bare possessive
   ("Mistral's la Plateforme") that is not a comparison ("against Meta's Llama"). Over
   several descriptions, the vendor named in most of them wins; a tie is unknown.
4. ``name`` -- the display name starts with a registry key (``Mistral Medium 3``,
   ``SmolVLM2 Turbo``). Names are the weakest evidence: product families get renamed.

Nothing matched -> ``(None, None)``: unknown stays NULL, it is never guessed.

The registry ``vendors.csv`` and the overrides are read by :mod:`warehouse.vendor_registry`.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse._tx import registered, transaction
from warehouse.queries import query
from warehouse.vendor_registry import (
    OVERRIDES_PATH,
    REGISTRY_PATH,
    Registry,
    files_digest,
    load_overrides,
    load_registry,
    slug_tokens,
)

__all__ = [
    "REGISTRY_PATH",
    "OVERRIDES_PATH",
    "Registry",
    "load_registry",
    "load_overrides",
    "resolve_vendor",
    "explain_vendor",
    "refresh_vendors",
    "files_digest",
]

#: Slug tokens that announce something: a vendor right before or after one is the subject.
SLUG_VERBS = frozenset(
    [
        "releases",
        "released",
        "release",
        "launches",
        "launched",
        "launch",
        "open",
        "sources",
        "sourced",
        "opensources",
        "announces",
        "announced",
        "announcing",
        "introduces",
        "introduced",
        "introducing",
        "unveils",
        "unveiled",
        "ships",
        "shipped",
        "debuts",
        "debuted",
        "drops",
        "dropped",
        "publishes",
        "published",
        "rolls",
        "rolled",
        "unleashes",
    ]
)
#: Tokens that may come before the vendor at the start of a slug (``introducing-claude-…``).
SLUG_LEADING = frozenset(["introducing", "announcing", "meet", "new", "the"])

_CREATION_VERBS = (
    r"developed|built|made|created|released|published|trained|optimi[sz]ed|open[- ]sourced|"
    r"launched|maintained|designed|engineered|produced|shipped|announced|introduced|unveiled|"
    r"fine-tuned|distilled"
)
_SUBJECT_VERBS = (
    r"released|releases|launched|launches|announced|announces|unveiled|unveils|introduced|"
    r"introduces|open[- ]sourced|open[- ]sources|shipped|ships|debuted|debuts|published|"
    r"publishes|rolled out|rolls out|dropped|drops|built|builds|developed|develops|trained|"
    r"offers|makes|made"
)
_POSSESSIVE_STRONG = r"latest|new|newest|flagship|first|own|next-generation|open-weight|open-source"
#: Words that, shortly before "X's", make X a competitor, not the maker.
_COMPARISON = re.compile(
    r"\b(?:against|than|vs\.?|versus|like|unlike|rivals?|rivaling|competitors?|competing|"
    r"compared|comparable|including|such as|beats?|beating|outperforms?|outperforming|"
    r"alternative|alternatives|over|matches|matching|and|or)\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
_FROM_NEGATIVE = re.compile(
    r"\b(?:away|switch\w*|migrat\w*|mov\w*|port\w*|transition\w*|independen\w*|"
    r"separate\w*|different|apart|distinct)\s+$",
    re.IGNORECASE,
)


# -- slug and name ------------------------------------------------------------------------


def _token_matches(token: str, key: str) -> bool:
    """`token` is `key`, or `key` followed by a version (``smolvlm2`` matches ``smolvlm``)."""
    return token == key or (token.startswith(key) and token[len(key)].isdigit())


def _match_at(tokens: Sequence[str], i: int, registry: Registry) -> tuple[str, int] | None:
    """The longest registry key starting at token `i`: (vendor, key length)."""
    best: tuple[str, int] | None = None
    first = tokens[i]
    heads = {first}
    if m := re.match(r"[a-z]+(?=\d)", first):
        heads.add(m.group(0))
    for key in registry.keys_by_head(heads):
        n = len(key)
        if i + n > len(tokens) or (best and n <= best[1]):
            continue
        if tuple(tokens[i : i + n - 1]) == key[:-1] and _token_matches(tokens[i + n - 1], key[-1]):
            best = (registry.slug_keys[key], n)
    return best


def _vendor_in_tokens(tokens: Sequence[str], registry: Registry) -> tuple[str, str] | None:
    """Find a vendor key at the start, after leading filler/verbs, or right before a verb."""
    if not tokens:
        return None
    start = 0
    while start < len(tokens) - 1 and tokens[start] in SLUG_LEADING:
        start += 1
    if m := _match_at(tokens, 0, registry):
        return m[0], "-".join(tokens[: m[1]])
    if start and (m := _match_at(tokens, start, registry)):
        return m[0], "-".join(tokens[start : start + m[1]])
    for i in range(1, len(tokens)):
        m = _match_at(tokens, i, registry)
        if not m:
            continue
        after = tokens[i + m[1]] if i + m[1] < len(tokens) else None
        if tokens[i - 1] in SLUG_VERBS or (after is not None and after in SLUG_VERBS):
            return m[0], "-".join(tokens[i : i + m[1]])
    return None


# -- description --------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _description_patterns(alias_pattern: str) -> tuple[re.Pattern[str], ...]:
    v = rf"(?P<v>{alias_pattern})"
    end = r"(?![\w-])"
    return (
        # vendor names are matched case-sensitively; the words around them are not
        re.compile(rf"\b(?i:(?:{_CREATION_VERBS})\s+by\s+(?:the\s+)?(?:team\s+at\s+)?){v}{end}"),
        re.compile(rf"\b(?i:from\s+(?:the\s+)?(?:team\s+at\s+)?){v}{end}"),
        re.compile(
            rf"(?<![\w-]){v}\s+(?i:(?:(?:has|have|just|today|now|officially|quietly|also)\s+)*"
            rf"(?:{_SUBJECT_VERBS}))\b"
        ),
        re.compile(rf"(?<![\w-]){v}['’]s\s+(?i:{_POSSESSIVE_STRONG})\b"),
    )


@functools.lru_cache(maxsize=8)
def _possessive_pattern(alias_pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?P<v>{alias_pattern})['’]s\b")


def _description_votes(text: str, registry: Registry) -> tuple[dict[str, str], dict[str, str]]:
    """Vendors named as the maker in one description: (strong, weak), vendor -> evidence."""
    alias = registry.alias_pattern
    strong: dict[str, str] = {}
    for pat in _description_patterns(alias):
        for m in pat.finditer(text):
            if m.group(0).lower().startswith("from") and _FROM_NEGATIVE.search(text[: m.start()]):
                continue  # "switch away from OpenAI"
            vendor = registry.aliases[m.group("v")]
            strong.setdefault(vendor, m.group(0).strip())
    weak: dict[str, str] = {}
    for m in _possessive_pattern(alias).finditer(text):
        if _COMPARISON.search(text[max(0, m.start() - 60) : m.start()]):
            continue  # "against Meta's Llama 4 Scout": a competitor
        weak.setdefault(registry.aliases[m.group("v")], m.group(0))
    return strong, weak


def _winner(votes: Counter[str]) -> str | None:
    if not votes:
        return None
    ranked = votes.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None  # a tie: never guess
    return ranked[0][0]


def _from_descriptions(
    descriptions: Iterable[str | None], registry: Registry
) -> tuple[str, str] | None:
    strong: Counter[str] = Counter()
    weak: Counter[str] = Counter()
    evidence: dict[str, str] = {}
    for text in dict.fromkeys(d for d in descriptions if d):  # distinct, in order
        s, w = _description_votes(text, registry)
        strong.update(s.keys())
        weak.update(w.keys())
        for vendor, ev in {**w, **s}.items():
            evidence.setdefault(vendor, ev)
    for votes in (strong, weak):
        if (winner := _winner(votes)) is not None:
            return winner, evidence[winner]
    return None


# -- public -------------------------------------------------------------------------------


def explain_vendor(
    slug: str | None,
    name: str | None,
    descriptions: Iterable[str | None] = (),
    *,
    registry: Registry | None = None,
    overrides: Mapping[str, str | None] | None = None,
) -> tuple[str | None, str | None, str | None]:
    """Like :func:`resolve_vendor`, plus the evidence: (vendor, source, evidence)."""
    reg = registry or load_registry()
    ovr = load_overrides() if overrides is None else overrides
    if slug is not None and slug in ovr:
        return ovr[slug], "override", f"vendor_overrides.csv: {slug}"
    if slug and (hit := _vendor_in_tokens(slug_tokens(slug), reg)):
        return hit[0], "slug", hit[1]
    if hit := _from_descriptions(descriptions, reg):
        return hit[0], "description", hit[1]
    if name and (hit := _vendor_in_tokens(slug_tokens(name), reg)):
        return hit[0], "name", hit[1]
    return None, None, None


def resolve_vendor(
    slug: str | None,
    name: str | None,
    descriptions: Iterable[str | None] = (),
    *,
    registry: Registry | None = None,
    overrides: Mapping[str, str | None] | None = None,
) -> tuple[str | None, str | None]:
    """The vendor of one tool and where it came from: ('Hugging Face', 'description').

    Pure given the registry and overrides (defaults: the CSV files beside this module).
    Source is 'override', 'slug', 'description' or 'name'; (None, None) when unknown.
    """
    vendor, source, _ = explain_vendor(
        slug, name, descriptions, registry=registry, overrides=overrides
    )
    return vendor, source


_VENDOR_SCHEMA = pa.schema(
    [
        ("slug", pa.string()),
        ("vendor", pa.string()),
        ("vendor_source", pa.string()),
        ("vendor_evidence", pa.string()),
    ]
)


def _tool_vendors(
    con: duckdb.DuckDBPyConnection, reg: Registry, ovr: Mapping[str, str | None],
    evidence_query: str = "vendor_tool_evidence",
) -> pa.Table:
    """The tool_vendor rows: every known tool's vendor, source and evidence (of the tools
    the query `evidence_query` returns)."""
    out: dict[str, list[str | None]] = {n: [] for n in _VENDOR_SCHEMA.names}
    for slug, name, descriptions in con.execute(query(evidence_query)).fetchall():
        vendor, source, evidence = explain_vendor(
            slug, name, sorted(descriptions or []), registry=reg, overrides=ovr
        )
        for key, value in zip(_VENDOR_SCHEMA.names, (slug, vendor, source, evidence), strict=True):
            out[key].append(value)
    return pa.table(out, schema=_VENDOR_SCHEMA)


def _registry_rows(reg: Registry) -> pa.Table:
    """The vendor rows: each vendor with its aliases and slug keys."""
    return pa.table(
        {
            "vendor": list(reg.vendors),
            "aliases": [
                [a for a, v in reg.aliases.items() if v == vendor and a != vendor]
                for vendor in reg.vendors
            ],
            "slug_keys": [
                ["-".join(k) for k, v in reg.slug_keys.items() if v == vendor]
                for vendor in reg.vendors
            ],
        }
    )


def refresh_vendors(
    con: duckdb.DuckDBPyConnection,
    *,
    registry_path: str | Path | None = None,
    overrides_path: str | Path | None = None,
    pending_only: bool = False,
) -> int:
    """Re-resolve every tool's vendor and replace ``tool_vendor`` (and the ``vendor``
    registry table) in one transaction. With `pending_only`, only the tools a load changed
    since the last refresh (``internal.pending_slug``), registry table untouched. Returns
    the number of tools resolved."""
    reg = load_registry(registry_path)
    evidence = "vendor_tool_evidence_pending" if pending_only else "vendor_tool_evidence"
    table = _tool_vendors(con, reg, load_overrides(overrides_path), evidence_query=evidence)
    # the names vendor_replace*.sql read
    arrow = {"_va_tool_vendor": table, "_va_vendor": _registry_rows(reg)}
    with registered(con, arrow), transaction(con):
        con.execute(query("vendor_replace_pending" if pending_only else "vendor_replace"))
    return int(table.num_rows)

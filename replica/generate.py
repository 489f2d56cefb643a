"""Deterministic text and tool generation (seeded `random.Random`, never global randomness)."""

from __future__ import annotations

import random
import re

from replica import vocab
from replica.models import SHIP_SCORES, SKIP_SCORES, Review, Tool, valid_panel
from replica.vocab import PERSONAS, Product, Vendor

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SIZE_IN_NAME = re.compile(r"(\d+(?:\.\d+)?B)\b")
_A_VOWEL = re.compile(r"\b([Aa]) (?=[aeioAEIO])")


def fix_articles(text: str) -> str:
    """`a open-weight model` → `an open-weight model`."""
    return _A_VOWEL.sub(lambda m: m.group(1) + "n ", text)


def slugify(text: str) -> str:
    """`Apache 2.0 open weights` → `apache-2-0-open-weights` (emoji and punctuation dropped)."""
    return _NON_ALNUM.sub("-", text.lower()).strip("-")


def ship_score(rng: random.Random) -> int:
    """A score for a `ship` verdict, weighted toward the high 70s/low 80s."""
    return min(SHIP_SCORES[-1], max(SHIP_SCORES[0], int(rng.triangular(66, 89, 80))))


def skip_score(rng: random.Random) -> int:
    return rng.randint(SKIP_SCORES[0], SKIP_SCORES[-1])


def score_for(rng: random.Random, verdict: str) -> int:
    return ship_score(rng) if verdict == "ship" else skip_score(rng)


def pick_ship_count(rng: random.Random) -> int:
    """Ship votes out of four: mostly 4 or 3, sometimes 2 (Mixed) or 1 (Skip)."""
    return rng.choices((4, 3, 2, 1), weights=(40, 35, 15, 10))[0]


def text_context(rng: random.Random, tool_name: str, vendor: Vendor, kind: str,
                 pkg: str) -> dict[str, str]:
    """Slot values for sentence templates about one tool."""
    comps = rng.sample(vocab.COMPETITORS[kind], 2)
    m = _SIZE_IN_NAME.search(tool_name)
    return {
        "name": tool_name,
        "vendor": vendor.name,
        "vposs": vendor.possessive,
        "comp": comps[0],
        "comp2": comps[1],
        "thing": vocab.KIND_THING[kind],
        "primitive": rng.choice(vocab.KIND_PRIMITIVE[kind]),
        "year": rng.choice(vocab.YEARS),
        "months": rng.choice(("6", "12", "18")),
        "n": str(rng.randint(2, 9)),
        "price": rng.choice(vocab.PRICES),
        "price_short": rng.choice(("$0.10", "$0.40", "$1", "$2")),
        "pkg": pkg,
        "size": m.group(1) if m else rng.choice(vocab.SIZES),
        "ctx": rng.choice(vocab.CONTEXTS),
        "tps": rng.choice(("500", "1,200", "2,000")),
        "buyer": rng.choice(vocab.BUYERS),
    }


def review_text(rng: random.Random, persona: str, verdict: str, ctx: dict[str, str]) -> str:
    """A review of 3–5 sentences in the persona's voice, ending on the verdict."""
    parts = [rng.choice(vocab.REVIEW_OPENERS[persona])]
    parts += rng.sample(vocab.REVIEW_MIDDLES[persona], rng.choice((1, 2, 2, 3)))
    parts.append(rng.choice(vocab.REVIEW_CLOSERS[persona][verdict]))
    return fix_articles(" ".join(parts).format(**ctx))


def make_reviews(rng: random.Random, ctx: dict[str, str],
                 ship_count: int | None = None) -> tuple[Review, ...]:
    """One review per persona with `ship_count` ships among them."""
    ships = pick_ship_count(rng) if ship_count is None else ship_count
    shipping = set(rng.sample(PERSONAS, ships))
    out = []
    for persona in PERSONAS:
        verdict = "ship" if persona in shipping else "skip"
        out.append(Review(persona, score_for(rng, verdict), verdict,
                          review_text(rng, persona, verdict, ctx)))
    return tuple(out)


def tool_panel(rng: random.Random, reviews: tuple[Review, ...]) -> tuple[str, ...]:
    """The tool page's panel: usually all four critics, sometimes three (still a valid %)."""
    if rng.random() < 0.2:
        options = []
        for drop in PERSONAS:
            kept = [r for r in reviews if r.persona != drop]
            ship = sum(r.verdict == "ship" for r in kept)
            if valid_panel(ship, len(kept) - ship):
                options.append(drop)
        if options:
            drop = rng.choice(options)
            return tuple(p for p in PERSONAS if p != drop)
    return PERSONAS


def description(rng: random.Random, ctx: dict[str, str], kind: str, name_vendor: bool) -> str:
    opener = rng.choice(vocab.DESCRIPTION_OPENERS if name_vendor
                        else vocab.DESCRIPTION_OPENERS_NO_VENDOR)
    adj = rng.choice(vocab.DESCRIPTION_ADJ)
    does = rng.choice(vocab.DESCRIPTION_DOES[kind]).format(**ctx)
    first = opener.format(adj=adj, does=does, **ctx)
    first = first[0].upper() + first[1:]
    middles = rng.sample(vocab.DESCRIPTION_MIDDLES, rng.choice((1, 1, 2)))
    closer = rng.choice(vocab.DESCRIPTION_CLOSERS)
    return fix_articles(" ".join([first, *(m.format(**ctx) for m in middles), closer]))


def category_for(rng: random.Random, kind: str) -> str:
    """Mostly `Developer Tools`; models also get the various model categories."""
    if kind in ("code", "agent", "ide", "sdk", "infra"):
        return rng.choices(("Developer Tools", "Developer Productivity", "AI/ML Models"),
                           weights=(75, 20, 5))[0]
    return rng.choices(vocab.CATEGORIES, weights=(45, 15, 12, 10, 8, 10, 0))[0]


def other_category(rng: random.Random, current: str) -> str:
    """A different category for the same tool on another page."""
    return rng.choice([c for c in vocab.CATEGORIES if c != current])


def entry_for(rng: random.Random, kind: str, pricing: str) -> str:
    """The Entry label; open models are `Free` except for the odd `Paid` (MIT and all)."""
    group = vocab.KIND_PRICING[kind]
    if group == "open":
        return "Paid" if rng.random() < 0.12 else "Free"
    if group == "api":
        return "Paid"
    if group == "infra":
        return "Paid" if rng.random() < 0.7 else "Free"
    return "Free" if "free" in pricing.lower() and rng.random() < 0.7 else "Paid"


class ToolFactory:
    """Produces new tools one after another; a single seeded stream per catalog."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"replica:{seed}:tools")
        self.used_slugs: set[str] = set()
        self.used_names: set[str] = set()
        self._base: list[tuple[Vendor, Product]] = [(v, p) for v in vocab.VENDORS
                                                    for p in v.products]
        self.rng.shuffle(self._base)
        self._next_base = 0

    def reserve(self, tool: Tool) -> None:
        """Mark a tool made elsewhere (a seed tool) as taken."""
        self.used_slugs.add(tool.slug)
        self.used_names.add(tool.name)

    def _pick_product(self, duplicate_of: Tool | None) -> tuple[Vendor, Product, str]:
        if duplicate_of is not None:
            vendor = next(v for v in vocab.VENDORS if v.name == duplicate_of.vendor)
            return vendor, Product(duplicate_of.name, duplicate_of.kind), duplicate_of.name
        while self._next_base < len(self._base):
            vendor, product = self._base[self._next_base]
            self._next_base += 1
            if product.name not in self.used_names:
                return vendor, product, product.name
        for _ in range(1000):
            vendor = self.rng.choice(vocab.VENDORS)
            product = self.rng.choice(vendor.products)
            name = f"{product.name} {self.rng.choice(vocab.VARIANT_SUFFIXES)}"
            if self.rng.random() < 0.3:
                name = f"{name} {self.rng.choice(vocab.VARIANT_SUFFIXES)}"
            if name not in self.used_names:
                return vendor, Product(name, product.kind), name
        raise RuntimeError("ran out of tool names")

    def _slug(self, vendor: Vendor, product: Product, name: str, tagline: str) -> str:
        rng = self.rng
        base = slugify(name)
        taken = set(base.split("-"))
        words = [w for w in slugify(tagline).split("-")
                 if w and w not in vocab.TAGLINE_KEYWORDS_STOP and w != "vs" and w not in taken
                 and not (w.isdigit() and len(w) < 3)]
        kw = "-".join(words[: rng.randint(2, 4)]) or "ai"
        prefix = rng.choice(vendor.prefixes)
        if prefix and base.startswith(prefix):
            prefix = ""
        year = "-2025" if rng.random() < 0.15 else ""
        style = rng.choices(("standard", "verb", "noprefix", "short"), weights=(55, 15, 15, 15))[0]
        if product.bare_slug and product.bare_slug not in self.used_slugs:
            candidates = [product.bare_slug]
        elif style == "verb":
            candidates = [f"{prefix or vendor.prefixes[0]}-{rng.choice(vocab.SLUG_VERBS)}-{base}"
                          f"-{kw}{year}"]
        elif style == "noprefix":
            candidates = [f"{base}-{kw}{year}"]
        elif style == "short":
            candidates = [f"{prefix}-{base}" if prefix else base]
        else:
            candidates = [f"{prefix}-{base}-{kw}{year}" if prefix else f"{base}-{kw}{year}"]
        candidates += [f"{vendor.prefixes[0]}-{base}-{kw}", f"{base}-{kw}-2025",
                       f"{vendor.prefixes[0]}-{base}-{kw}-2025"]
        for cand in candidates:
            cand = cand.strip("-").replace("--", "-")
            if cand not in self.used_slugs and "-vs-" not in f"-{cand}-":
                return cand
        n = 2
        while f"{candidates[0]}-{n}" in self.used_slugs:
            n += 1
        return f"{candidates[0]}-{n}"

    def make(self, added_day: int, duplicate_of: Tool | None = None) -> Tool:
        """A new tool; with `duplicate_of`, a different tool carrying the same display name."""
        rng = self.rng
        vendor, product, name = self._pick_product(duplicate_of)
        kind = product.kind
        pkg_base = slugify(name).replace("-", "")[:20] or "sdk"
        pkg = (f"pip install {pkg_base}" if rng.random() < 0.6
               else f"npm install @{vendor.prefixes[0]}/{pkg_base}")
        ctx = text_context(rng, name, vendor, kind, pkg)
        tagline = rng.choice(vocab.TAGLINES[kind]).format(**ctx)
        if duplicate_of is not None and tagline == duplicate_of.tagline:
            tagline = f"{tagline} — now generally available"
        slug = self._slug(vendor, product, name, tagline)
        pricing = rng.choice(vocab.PRICING[vocab.KIND_PRICING[kind]])
        desc = description(rng, ctx, kind, name_vendor=rng.random() < 0.85)
        reviews = make_reviews(rng, ctx)
        tool = Tool(
            slug=slug, name=name, vendor=vendor.name, kind=kind,
            category=category_for(rng, kind), tagline=tagline, description=desc,
            entry=entry_for(rng, kind, pricing), pricing=pricing, reviews=reviews,
            panel=tool_panel(rng, reviews), added_day=added_day,
        )
        self.used_slugs.add(slug)
        self.used_names.add(name)
        return tool

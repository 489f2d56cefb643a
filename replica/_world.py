"""The `World`: the whole history of one generated site, built lazily day by day."""

from __future__ import annotations

import bisect
import math
import random
import threading

from replica._edits import _change_view, _flip, _restrict, _tweak_score, _valid_without
from replica._records import DayEvents, PageRecord, ToolRecord, compare_path, lastmod_at
from replica.generate import ToolFactory, other_category
from replica.models import ComparisonPage, Tool, ToolView, valid_panel
from replica.seeds import SeedPage, load_seed_pages
from replica.vocab import PERSONAS

DEFAULT_PAGES = 300
DEFAULT_TOOLS = 100
#: What the Decision row's two community counts are (SITE.md does not know): the world's
#: truth, one of these; the parser must tell them apart from the shown percentage.
VOTE_COUNTS = ("ship/all", "ship/skip")
#: Share of tool views that already have a few community votes when their page appears.
EARLY_VOTES = 0.12


class World:
    """The full, lazily extended history of one generated site."""

    def __init__(self, seed: int = 1, scale: int | None = None,
                 vote_counts: str = "ship/all", steady: bool = False) -> None:
        if vote_counts not in VOTE_COUNTS:
            raise ValueError(f"vote_counts must be one of {VOTE_COUNTS}, got {vote_counts!r}")
        self.seed = seed
        self.scale = scale
        self.vote_counts = vote_counts
        self.steady = steady
        self.n_pages = max(int(scale), 10) if scale else DEFAULT_PAGES
        self.n_tools = max(DEFAULT_TOOLS, math.ceil(math.sqrt(self.n_pages * 10)))
        self.tools: dict[str, ToolRecord] = {}
        self.pages: dict[str, PageRecord] = {}
        self.page_order: list[PageRecord] = []
        self.pages_by_tool: dict[str, list[PageRecord]] = {}
        self.events: dict[int, DayEvents] = {0: DayEvents(0)}
        self.simulated_day = 0
        self._factory = ToolFactory(seed)
        self._lock = threading.RLock()
        self._content_cache: dict[tuple[str, int], ComparisonPage] = {}
        self._created_days: list[int] = []
        self._build_day0()

    # -- building -------------------------------------------------------------------------

    def _add_tool(self, tool: Tool) -> None:
        self.tools[tool.slug] = ToolRecord(tool)
        self.pages_by_tool.setdefault(tool.slug, [])

    def _add_page(self, slug_a: str, slug_b: str, created_day: int,
                  seed: SeedPage | None = None) -> PageRecord | None:
        path = compare_path(slug_a, slug_b)
        if path in self.pages or slug_a == slug_b:
            return None
        a, b = sorted((slug_a, slug_b))
        rec = PageRecord(path, a, b, len(self.page_order), created_day, seed)
        self.pages[path] = rec
        self.page_order.append(rec)
        self._created_days.append(created_day)
        self.pages_by_tool[a].append(rec)
        self.pages_by_tool[b].append(rec)
        return rec

    def _build_day0(self) -> None:
        """The day-0 site: the seed tools and pages, generated tools, and random pairs up to
        the page target (one seeded RNG, drawn from in this order)."""
        rng = random.Random(f"replica:{self.seed}:{self.scale}:day0")
        seeds = load_seed_pages()
        for sp in seeds:
            for tool in sp.tools:
                if tool.slug not in self.tools:
                    self._add_tool(tool)
                    self._factory.reserve(tool)
        self._add_generated_tools(rng)
        for sp in seeds:
            self._add_page(sp.views[0].slug, sp.views[1].slug, created_day=-30, seed=sp)
        slugs = sorted(self.tools)
        self._add_day0_meetings(rng, seeds, slugs)
        self._add_random_pairs(rng, slugs)
        # Creation order = sitemap order: by creation day, then insertion.
        self.page_order.sort(key=lambda r: (r.created_day, r.index))
        for i, rec in enumerate(self.page_order):
            rec.index = i
        self._created_days = [r.created_day for r in self.page_order]

    def _add_generated_tools(self, rng: random.Random) -> None:
        """Generated tools up to the day-0 tool count."""
        n_generated = self.n_tools - len(self.tools)
        generated: list[Tool] = []
        for i in range(n_generated):
            dup = None
            # A few display names belong to two different tools (names are not ids).
            if generated and i % 23 == 11:
                dup = rng.choice(generated)
            tool = self._factory.make(added_day=-rng.randint(30, 400), duplicate_of=dup)
            generated.append(tool)
            self._add_tool(tool)

    def _add_day0_meetings(self, rng: random.Random, seeds: list[SeedPage],
                           slugs: list[str]) -> None:
        """Pages for every duplicated display name, and seed tools meeting generated ones."""
        by_name: dict[str, list[str]] = {}
        for s in slugs:
            by_name.setdefault(self.tools[s].tool.name, []).append(s)
        # A page comparing a name with itself, for every duplicated name.
        for same in by_name.values():
            if len(same) > 1:
                self._add_page(same[0], same[1], created_day=-rng.randint(1, 200))
        # Seed tools also meet generated tools.
        seed_slugs = sorted({t.slug for sp in seeds for t in sp.tools})
        for s in seed_slugs:
            for other in rng.sample(slugs, 3):
                self._add_page(s, other, created_day=-rng.randint(1, 200))

    def _add_random_pairs(self, rng: random.Random, slugs: list[str]) -> None:
        """Random pairs of tools until the page target (or every pair) is reached."""
        n = len(slugs)
        max_pairs = n * (n - 1) // 2
        target = min(self.n_pages, max_pairs)
        while len(self.page_order) < target:
            need = target - len(self.page_order)
            for k in rng.sample(range(max_pairs), min(max_pairs, need * 2)):
                i = int((1 + math.isqrt(1 + 8 * k)) // 2)
                j = k - i * (i - 1) // 2
                if i >= n:  # guard the float-free decode
                    continue
                born = max(-rng.randint(0, 180), self.tools[slugs[i]].tool.added_day,
                           self.tools[slugs[j]].tool.added_day)
                added = self._add_page(slugs[i], slugs[j], created_day=born)
                if added and len(self.page_order) >= target:
                    break

    def ensure_day(self, day: int) -> None:
        """Simulate every day up to `day` (idempotent, in order)."""
        with self._lock:
            while self.simulated_day < day:
                self._simulate(self.simulated_day + 1)
                self.simulated_day += 1

    def _simulate(self, day: int) -> None:
        rng = random.Random(f"replica:{self.seed}:{self.scale}:day:{day}")
        ev = DayEvents(day)
        alive = [r for r in self.page_order if r.alive(day - 1)]
        n_alive = len(alive)
        # New tools, each with a handful of new comparison pages (~1 % of the site).
        per_tool = max(2, min(60, n_alive // len(self.tools)))
        n_new = max(1, round(n_alive * 0.01 / per_tool))
        n_new = rng.choice((n_new, n_new, n_new + 1))
        existing = sorted(self.tools)
        for _ in range(n_new):
            tool = self._factory.make(added_day=day)
            self._add_tool(tool)
            ev.added_tools.append(tool.slug)
            k = rng.randint(max(2, per_tool // 2), per_tool + 1)
            for other in rng.sample(existing, min(k, len(existing))):
                rec = self._add_page(tool.slug, other, created_day=day)
                if rec:
                    ev.added_pages.append(rec.path)
        candidates = [r for r in alive if r.seed is None]
        # Content changes on ~0.8–1.8 % of pages.
        k = max(1, round(n_alive * rng.uniform(0.008, 0.018)))
        for rec in rng.sample(candidates, min(k, len(candidates))):
            rec.change_days.append(day)
            ev.changed_pages.append(rec.path)
        # Removals: a few pages go away, some 404, some 410.
        k = rng.choice((0, 1, 1, 2)) + (n_alive // 1000)
        if self.steady:
            k = len(ev.added_pages)
        changed = set(ev.changed_pages)
        pool = [r for r in candidates if r.path not in changed]
        for rec in rng.sample(pool, min(k, len(pool))):
            rec.removed_day = day
            rec.removed_status = 410 if rng.random() < 0.4 else 404
            ev.removed_pages.append(rec.path)
        # A tool page or two changes (its own panel moves).
        non_seed_tools = [t for t in existing if not self.tools[t].tool.seed]
        for slug in rng.sample(non_seed_tools, max(1, len(existing) // 100)):
            self.tools[slug].change_days.append(day)
            ev.changed_tools.append(slug)
        self.events[day] = ev

    # -- content --------------------------------------------------------------------------

    def tool_at(self, slug: str, day: int) -> Tool:
        """A tool as its tool page shows it on `day` (its panel drifts on change days)."""
        rec = self.tools[slug]
        version = rec.version(day)
        tool = rec.tool
        if version == 0:
            return tool
        reviews = list(tool.reviews)
        for v in range(1, version + 1):
            rng = random.Random(f"replica:{self.seed}:tool:{slug}:v{v}")
            i = rng.randrange(len(reviews))
            reviews[i] = _tweak_score(rng, reviews[i])
        return Tool(**{**tool.__dict__, "reviews": tuple(reviews), "version": version})

    def page_content(self, path: str, version: int) -> ComparisonPage:
        """A comparison page's content at a version (cached)."""
        key = (path, version)
        page = self._content_cache.get(key)
        if page is None:
            with self._lock:
                page = self._build_page(self.pages[path], version)
                if len(self._content_cache) > 50_000:
                    self._content_cache.clear()
                self._content_cache[key] = page
        return page

    def _build_page(self, rec: PageRecord, version: int) -> ComparisonPage:
        if rec.seed is not None:
            sp = rec.seed
            return ComparisonPage(
                path=rec.path, slug_a=rec.slug_a, slug_b=rec.slug_b, layout=sp.layout,
                markup=sp.markup, tools=sp.views, personas=PERSONAS,
                related=self._related(rec, rec.created_day, 0), version=0,
                created_day=rec.created_day, changed_day=rec.created_day,
                lastmod=lastmod_at(rec.path, rec.created_day), seed_id=sp.seed_id,
            )
        rng = random.Random(f"replica:{self.seed}:page:{rec.path}:v0")
        layout = "full" if rng.random() < 0.5 else "compact"
        markup = "semantic" if rng.random() < 0.5 else "grid"
        tool_a, tool_b = self.tools[rec.slug_a].tool, self.tools[rec.slug_b].tool
        views = [self._view(rng, tool_a), self._view(rng, tool_b)]
        views = [self._early_votes(rec.path, side, v) for side, v in enumerate(views)]
        personas = PERSONAS
        if rng.random() < 0.15:  # a three-critic panel
            options = [p for p in PERSONAS if all(_valid_without(v, p) for v in views)]
            if layout == "compact":  # compact pages show no names: the missing one is last
                options = [p for p in options if p == "Founder"]
            if options:
                drop = rng.choice(options)
                personas = tuple(p for p in PERSONAS if p != drop)
        views = [_restrict(v, personas) for v in views]
        for v in range(1, version + 1):
            crng = random.Random(f"replica:{self.seed}:page:{rec.path}:v{v}")
            for _ in range(crng.choice((1, 1, 2))):
                op = crng.choices(("score", "verdict", "community", "category", "layout"),
                                  weights=(35, 25, 25, 8, 7))[0]
                side = crng.randrange(2)
                if op == "layout":
                    if layout == "full" and len(personas) == 3 and "Founder" in personas:
                        continue  # compact pages can only drop the last critic
                    layout = "compact" if layout == "full" else "full"
                else:
                    views[side] = _change_view(crng, op, views[side])
        changed_day = _day_of_version(rec, version)
        return ComparisonPage(
            path=rec.path, slug_a=rec.slug_a, slug_b=rec.slug_b, layout=layout, markup=markup,
            tools=(views[0], views[1]), personas=personas,
            related=self._related(rec, changed_day, version), version=version,
            created_day=rec.created_day, changed_day=changed_day,
            lastmod=lastmod_at(rec.path, changed_day),
        )

    def _view(self, rng: random.Random, tool: Tool) -> ToolView:
        """How one page shows a tool: mostly the tool's own data, sometimes not quite."""
        category = tool.category if rng.random() < 0.88 else other_category(rng, tool.category)
        reviews = list(tool.reviews)
        roll = rng.random()
        if roll < 0.07:
            i = rng.randrange(len(reviews))
            reviews[i] = _tweak_score(rng, reviews[i])
        elif roll < 0.11:
            i = rng.randrange(len(reviews))
            flipped = _flip(rng, reviews[i])
            trial = reviews[:i] + [flipped] + reviews[i + 1:]
            ship = sum(r.verdict == "ship" for r in trial)
            if valid_panel(ship, len(trial) - ship):
                reviews = trial
        return ToolView(
            slug=tool.slug, name=tool.name, category=category, tagline=tool.tagline,
            description=tool.description, entry=tool.entry, pricing=tool.pricing,
            best_for=tool.tagline, reviews=tuple(reviews),
            community_zero=rng.random() < 0.2,
        )

    def _early_votes(self, path: str, side: int, view: ToolView) -> ToolView:
        """A few community votes from the start on some pages, most often `0 / 1` as on
        the live site. Own RNG, so the rest of the generated world stays as it was."""
        rng = random.Random(f"replica:{self.seed}:votes:{path}:{side}")
        fields = {**view.__dict__, "vote_counts": self.vote_counts}
        if rng.random() < EARLY_VOTES:
            total = rng.choice((1, 1, 1, 2, 3, 5))
            fields["community_votes"] = total
            fields["community_ship"] = rng.randint(0, total) if rng.random() < 0.6 else 0
        return ToolView(**fields)

    def _related(self, rec: PageRecord, as_of: int, version: int) -> tuple[tuple[str, str], ...]:
        """Up to six other comparisons that existed when this version was made."""
        rng = random.Random(f"replica:{self.seed}:related:{rec.path}:{version}")
        pool = [r for slug in (rec.slug_a, rec.slug_b) for r in self.pages_by_tool[slug]
                if r.path != rec.path and r.created_day <= as_of]
        pool = list({r.path: r for r in pool}.values())
        pool = [r for r in pool if r.removed_day is None or r.removed_day > as_of]
        picks = rng.sample(pool, min(4, len(pool)))
        # page_order is sorted by creation day, so pages made by `as_of` are a prefix.
        known = bisect.bisect_right(self._created_days, as_of)
        tries = 0
        while len(picks) < 6 and tries < 20 and known:
            tries += 1
            r = self.page_order[rng.randrange(known)]
            if r.path != rec.path and r not in picks and (
                    r.removed_day is None or r.removed_day > as_of):
                picks.append(r)
        return tuple((r.path, self.page_title(r)) for r in picks)

    def page_title(self, rec: PageRecord) -> str:
        a, b = self.tools[rec.slug_a].tool.name, self.tools[rec.slug_b].tool.name
        return f"{a} vs {b}"


def _day_of_version(rec: PageRecord, version: int) -> int:
    return rec.change_days[version - 1] if version > 0 else rec.created_day

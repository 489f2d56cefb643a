"""The replica's truth: which page states it served at a successful fetch, and the verdict
changes between the consecutive states of each page, computed from its catalog alone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bench._soak_model import State, night_of, night_time
from replica import RequestLogEntry, World
from replica.catalog import DEFAULT_TEMPLATE_DAY

PERSONAS = ("Builder", "Skeptic", "Futurist", "Founder")
#: One verdict_changes row: kind, tool_slug, persona, path, tool_position, observed_at,
#: previous_observed_at, verdict_before, verdict_after, score_before, score_after, basis.
ChangeRow = tuple[Any, ...]


def badge(pct: int) -> str:
    return "Ship" if pct > 50 else "Mixed" if pct == 50 else "Skip"


class Ledger:
    """Every page state the replica served whole with a 200 to a page GET (no fault, or
    only the `slow` one): the state and the first night it was served so."""

    def __init__(self, seed: int, scale: int, nights: int,
                 template_day: int = DEFAULT_TEMPLATE_DAY, steady: bool = False) -> None:
        self.world = World(seed, scale, steady=steady)
        self.world.ensure_day(nights)
        self.template_day = template_day
        self.first: dict[State, int] = {}

    def live_pages(self, night: int) -> int:
        """How many comparison pages the site had on `night`."""
        return sum(1 for rec in self.world.page_order if rec.alive(night))

    def state_at(self, path: str, night: int) -> State | None:
        """The state `path` showed on `night` (None: no such live page that day)."""
        rec = self.world.pages.get(path)
        if rec is None or not rec.alive(night):
            return None
        return State(path, rec.version(night), 2 if night >= self.template_day else 1)

    def record(self, night: int, log: Iterable[RequestLogEntry]) -> None:
        """Add the night's successful page fetches."""
        for e in log:
            if (e.method == "GET" and e.path.startswith("/compare/") and "?" not in e.path
                    and e.status == 200 and e.fault in (None, "slow")):
                state = self.state_at(e.path, night)
                if state is not None:
                    self.first.setdefault(state, night)

    def sequences(self, excused: frozenset[State] = frozenset()
                  ) -> dict[str, list[tuple[int, State]]]:
        """path -> its states in the order first served: what the archive must hold."""
        out: dict[str, list[tuple[int, State]]] = {}
        for state, night in sorted(self.first.items(), key=lambda kv: kv[1]):
            if state not in excused:
                out.setdefault(state.path, []).append((night, state))
        return out


@dataclass
class StateCheck:
    """The warehouse's captures against the ledger."""

    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    examples: list[str] = field(default_factory=list)
    present: set[State] = field(default_factory=set)


def check_states(ledger: Ledger, captures: list[tuple[str, datetime]], base_url: str,
                 excused: frozenset[State] = frozenset()) -> StateCheck:
    """Every served state once in `captures` ((url, observed_at) of the crawl's captures),
    nothing else; `excused` states may be missing (the damaged record's)."""
    got: Counter[State | str] = Counter()
    for url, observed_at in captures:
        path = url.removeprefix(base_url)
        state = ledger.state_at(path, night_of(observed_at))
        got[state if state is not None else f"{url} @ {observed_at:%Y-%m-%d}"] += 1
    out = StateCheck(present={k for k in got if isinstance(k, State)})
    for key, n in got.items():
        if n > 1:
            out.duplicated += n - 1
            out.examples.append(f"duplicated x{n}: {key}")
        if not isinstance(key, State) or key not in ledger.first:
            out.unexpected += 1
            out.examples.append(f"unexpected: {key}")
    for state, night in ledger.first.items():
        if state not in got and state not in excused:
            out.lost += 1
            out.examples.append(f"lost: {state} (first served night {night})")
    out.examples = out.examples[:5]
    return out


def expected_changes(ledger: Ledger, excused: frozenset[State] = frozenset()
                     ) -> tuple[set[ChangeRow], set[tuple[Any, ...]]]:
    """The verdict changes between consecutive served states of every page: (the rows
    both states showed, basis 'observed'; where an 'inferred' row may be: (path, night,
    position, persona) of every pair with a compact side)."""
    observed: set[ChangeRow] = set()
    where: set[tuple[Any, ...]] = set()
    for path, seq in ledger.sequences(excused).items():
        for (na, sa), (nb, sb) in zip(seq, seq[1:], strict=False):
            a = ledger.world.page_content(path, sa.version)
            b = ledger.world.page_content(path, sb.version)
            _pair(path, night_time(na), night_time(nb), a.layout == "full" and b.layout == "full",
                  a.expected(), b.expected(), observed, where)
    return observed, where


def _pair(path: str, ta: datetime, tb: datetime, full: bool, a: dict[str, Any],
          b: dict[str, Any], observed: set[ChangeRow], where: set[tuple[Any, ...]]) -> None:
    """The changes between two consecutive states of one page."""
    for ca, cb in zip(a["tools"], b["tools"], strict=True):
        if ca["panel_ship_pct"] != cb["panel_ship_pct"]:
            observed.add(("panel", cb["slug"], None, path, cb["position"], tb, ta,
                          badge(ca["panel_ship_pct"]), badge(cb["panel_ship_pct"]),
                          ca["panel_ship_pct"], cb["panel_ship_pct"], "observed"))
    if not full:
        where.update((path, tb, pos, p) for pos in (1, 2) for p in PERSONAS)
        return
    before = {(r["tool_position"], r["persona"]): r for r in a["reviews"]}
    for r in b["reviews"]:
        old = before.get((r["tool_position"], r["persona"]))
        if old and (old["score"], old["verdict"]) != (r["score"], r["verdict"]):
            slug = b["tools"][r["tool_position"] - 1]["slug"]
            observed.add(("review", slug, r["persona"], path, r["tool_position"], tb, ta,
                          old["verdict"], r["verdict"], old["score"], r["score"], "observed"))


def check_changes(got: list[ChangeRow], ledger: Ledger, base_url: str,
                  excused: frozenset[State] = frozenset()) -> tuple[int, list[str]]:
    """verdict_changes rows (url as in the warehouse) against the truth: the mismatched
    count (missing + extra + duplicated observed rows, inferred rows out of place)."""
    rows = [(*r[:3], str(r[3]).removeprefix(base_url), *r[4:]) for r in got]
    want, where = expected_changes(ledger, excused)
    seen = [r for r in rows if r[-1] == "observed"]
    have = set(seen)
    extra, missing = sorted(have - want, key=str), sorted(want - have, key=str)
    dups = len(seen) - len(have)
    misplaced = [r for r in rows if r[-1] != "observed" and (r[3], r[5], r[4], r[2]) not in where]
    examples = ([f"extra: {r}" for r in extra[:2]] + [f"missing: {r}" for r in missing[:2]]
                + [f"inferred out of place: {r}" for r in misplaced[:1]])
    return len(extra) + len(missing) + dups + len(misplaced), examples

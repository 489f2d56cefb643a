"""The soak's vocabulary: options, the night plan, page states, and the figures it reports."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

#: Night 0's observed_at; night n is n days later (the replica serves day n).
FIRST_NIGHT = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)

#: The last nights run with no fault, no kill and the site up, so that the last night,
#: compared with night 2, follows quiet nights as night 2 does.
QUIET_TAIL = 3

#: The fault phases the nights rotate through ("" = a clean site). Profiles that answer
#: 200 with a body that is not the page (malformed, content-type) are left out: such a
#: capture is no page state of the catalog.
FAULT_PHASES: tuple[str, ...] = (
    "", "5xx", "429,reset", "truncated,slow", "redirect-loop,redirect-offsite",
    "redirect-private,oversized", "5xx,429,reset,truncated",
)


class KillKind(StrEnum):
    """When a kill -9 lands."""

    FETCH = "fetch"  # after k page requests of this attempt reached the replica
    WARC = "warc"  # after the archive grew by b bytes in this attempt
    LOAD = "load"  # after the warehouse's WAL was written, once pages were fetched


@dataclass(frozen=True)
class Options:
    """The command line."""

    nights: int
    scale: int
    kills: int
    seed: int
    data_dir: Path
    keep: bool
    fault_rate: float = 0.05
    grow: bool = False  # the replica's growing site instead of a steady-size one


@dataclass(frozen=True)
class State:
    """One page state: a comparison page's catalog version under one site template."""

    path: str
    version: int
    template: int


@dataclass
class Plan:
    """Which night gets what (seeded)."""

    kills: dict[int, int]  # night -> kill -9s to land on it
    unreachable: int | None
    damage_before: int | None  # damage one WARC between night n-1 and night n
    phase_len: int

    def faults(self, night: int, nights: int) -> str:
        """The fault profiles the replica serves on `night`: none on nights 0 and 1 nor on
        the last :data:`QUIET_TAIL` (the last night is compared with night 2, and like it
        follows fault-free nights: a night after a fault phase also fetches again what
        failed in it), else the rotating phase."""
        if night < 2 or night >= nights - QUIET_TAIL:
            return ""
        return FAULT_PHASES[(night // self.phase_len) % len(FAULT_PHASES)]


def make_plan(opts: Options) -> Plan:
    """Spread the kills over the middle nights (several on one night when they outnumber
    the nights); pick the unreachable night and the night the damage comes before."""
    rng = random.Random(opts.seed)
    n = opts.nights
    unreachable = rng.randint(3, n - QUIET_TAIL - 1) if n >= 8 else None
    damage = max(min(n - 2, 12), (n * 3) // 5) if n >= 14 else None
    # no kill on nights 0-1 nor in the quiet tail: night 2 and the last measure the cost
    eligible = [d for d in range(2, n - QUIET_TAIL) if d not in (unreachable, damage)]
    kills: dict[int, int] = {}
    if eligible and opts.kills > 0:
        chosen = sorted(rng.sample(eligible, min(opts.kills, len(eligible))))
        for i in range(opts.kills):
            night = chosen[i % len(chosen)]
            kills[night] = kills.get(night, 0) + 1
    return Plan(kills, unreachable, damage, max(1, n // 12))


@dataclass
class NightRecord:
    """What one night did."""

    night: int
    status: str  # 'ok', 'failed' (exit != 0), 'unreachable-failed' (as planned)
    exit_code: int
    wall_s: float  # the attempt that ran the night to its end
    requests: int  # every request the replica logged that night, all attempts
    rows: int  # net rows added to the warehouse's tables that night
    kills: list[str] = field(default_factory=list)  # the kinds that landed
    faults: str = ""
    detail: str = ""
    run_s: float | None = None  # that attempt's run as it timed itself (--json elapsed_s)
    stage_s: dict[str, float] = field(default_factory=dict)  # … and by stage (stage_s)


@dataclass
class Damage:
    """The one WARC record damaged on purpose, and the page state only it held."""

    warc: str  # relative to the data dir
    offset: int
    length: int
    capture_id: str
    url: str
    state: State


@dataclass
class Counts:
    """The correctness counts: every one must be zero (damaged_expected is 1 by design)."""

    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    mismatched: int = 0
    bad_digests: int = 0
    duplicate_rows: int = 0
    reparse_diff_rows: int = 0
    reparse_lost: int = 0
    failed_nights: int = 0
    unreachable_not_failed: int = 0

    def failing(self) -> list[str]:
        return [k for k, v in self.__dict__.items() if v]


def night_time(night: int) -> datetime:
    """The observed_at of a night."""
    return FIRST_NIGHT + timedelta(days=night)


def night_of(observed_at: datetime) -> int:
    """The night an observed_at stands for."""
    return (observed_at - FIRST_NIGHT) // timedelta(days=1)

"""Edits to reviews and page views: a tool's panel drifting, a page straying from its
tool's own data, and a page changing from one version to the next."""

from __future__ import annotations

import random

from replica.generate import other_category, score_for
from replica.models import SHIP_SCORES, SKIP_SCORES, Review, ToolView, valid_panel


def _tweak_score(rng: random.Random, r: Review) -> Review:
    band = SHIP_SCORES if r.verdict == "ship" else SKIP_SCORES
    delta = rng.choice((-6, -4, -3, -2, -1, 1, 2, 3, 4, 6))
    score = min(band[-1], max(band[0], r.score + delta))
    if score == r.score:
        score = r.score - 1 if r.score > band[0] else r.score + 1
    return Review(r.persona, score, r.verdict, r.text)


def _flip(rng: random.Random, r: Review) -> Review:
    verdict = "skip" if r.verdict == "ship" else "ship"
    return Review(r.persona, score_for(rng, verdict), verdict, r.text)


def _valid_without(view: ToolView, persona: str) -> bool:
    kept = [r for r in view.reviews if r.persona != persona]
    ship = sum(r.verdict == "ship" for r in kept)
    return valid_panel(ship, len(kept) - ship)


def _restrict(view: ToolView, personas: tuple[str, ...]) -> ToolView:
    return ToolView(**{**view.__dict__,
                       "reviews": tuple(r for r in view.reviews if r.persona in personas)})


def _change_view(rng: random.Random, op: str, view: ToolView) -> ToolView:
    reviews = list(view.reviews)
    fields = dict(view.__dict__)
    if op == "score":
        i = rng.randrange(len(reviews))
        reviews[i] = _tweak_score(rng, reviews[i])
    elif op == "verdict":
        order = list(range(len(reviews)))
        rng.shuffle(order)
        for i in order:
            trial = reviews[:i] + [_flip(rng, reviews[i])] + reviews[i + 1:]
            ship = sum(r.verdict == "ship" for r in trial)
            if valid_panel(ship, len(trial) - ship):
                reviews = trial
                break
        else:
            i = rng.randrange(len(reviews))
            reviews[i] = _tweak_score(rng, reviews[i])
    elif op == "community":  # new votes, a share of them for ship
        new = rng.randint(3, 60)
        share = rng.randint(0, 100)
        fields["community_votes"] = view.community_votes + new
        fields["community_ship"] = view.community_ship + (new * share + 50) // 100
    elif op == "category":
        fields["category"] = other_category(rng, view.category)
    fields["reviews"] = tuple(reviews)
    return ToolView(**fields)

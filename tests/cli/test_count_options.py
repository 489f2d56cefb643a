"""The count options (`type=positive_int`, shared by crawl, schedule and backfill):
parsed alike in every command, a bad count refused by argparse with the same words."""

from __future__ import annotations

import pytest

from cli._main import build_parser

COUNT_OPTIONS = [
    ("crawl", "--concurrency"), ("crawl", "--max-pages"), ("crawl", "--recheck-days"),
    ("crawl", "--batch-size"), ("schedule", "--batch-size"),
    ("backfill", "--max-captures"), ("backfill", "--batch-size"),
]


@pytest.mark.parametrize(("command", "option"), COUNT_OPTIONS)
def test_a_count_of_at_least_one_is_taken(command: str, option: str) -> None:
    args = build_parser().parse_args([command, option, "3"])
    assert getattr(args, option[2:].replace("-", "_")) == 3


@pytest.mark.parametrize(("command", "option"), COUNT_OPTIONS)
@pytest.mark.parametrize(("value", "words"), [
    ("0", "must be at least 1, got 0"),
    ("x", "not a whole number: 'x'"),
])
def test_a_bad_count_is_refused_with_the_same_words(
    command: str, option: str, value: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args([command, option, value])
    assert stop.value.code == 2
    assert f"verdicts {command}: error: argument {option}: {words}" in capsys.readouterr().err

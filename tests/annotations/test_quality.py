"""Tests for the MQM-style quality summary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.quality import (
    CATEGORIES,
    SEVERITIES,
    UNSCORED_CATEGORIES,
    error_penalty,
    mqm_score,
    quality_summary,
)

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_d83457cbb5fd5b29.txt"


def test_category_inventory() -> None:
    groups = {value: group for value, (group, _) in CATEGORIES.items()}
    assert {v for v, g in groups.items() if g == "accuracy"} == {
        "mistranslation",
        "omission",
        "addition",
        "untranslated",
    }
    assert {v for v, g in groups.items() if g == "fluency"} == {
        "grammar",
        "spelling",
        "punctuation",
    }
    for value in ("terminology", "style", "locale-convention", "markup", "removal"):
        assert value in CATEGORIES
    assert all(label for _, label in CATEGORIES.values())
    assert UNSCORED_CATEGORIES == {"markup", "removal"}


def test_severity_weights_follow_the_mqm_scoring_model() -> None:
    assert dict(SEVERITIES) == {"minor": 1, "major": 5, "critical": 25}
    assert list(SEVERITIES) == ["minor", "major", "critical"]


def test_constants_are_read_only() -> None:
    with pytest.raises(TypeError):
        SEVERITIES["minor"] = 0  # type: ignore[index]
    with pytest.raises(TypeError):
        CATEGORIES["new"] = ("x", "y")  # type: ignore[index]


def test_no_errors_scores_100() -> None:
    summary = quality_summary([], 250)
    assert summary.score == 100.0
    assert summary.penalty == 0
    assert summary.error_count == 0
    assert set(summary.by_category) == set(CATEGORIES)
    assert set(summary.by_severity) == set(SEVERITIES)
    assert not any(summary.by_category.values())


def test_penalty_counts_and_score() -> None:
    errors = [
        ("terminology", "major"),
        ("terminology", "minor"),
        ("style", "minor"),
        ("mistranslation", "critical"),
    ]
    summary = quality_summary(errors, 200)
    assert summary.penalty == 5 + 1 + 1 + 25
    assert summary.by_category["terminology"] == 2
    assert summary.by_category["style"] == 1
    assert summary.by_category["omission"] == 0
    assert summary.by_severity == {"minor": 2, "major": 1, "critical": 1}
    assert summary.error_count == 4
    # 100 * (1 - 32 / 200) = 84.0
    assert summary.score == 84.0


def test_score_is_rounded_to_one_decimal() -> None:
    assert quality_summary([("spelling", "minor")] * 2, 3).score == 33.3
    assert mqm_score(1, 7) == 85.7


def test_score_never_goes_below_zero() -> None:
    summary = quality_summary([("mistranslation", "critical")] * 3, 50)
    assert summary.penalty == 75
    assert summary.score == 0.0


def test_zero_words_gives_no_score() -> None:
    summary = quality_summary([("grammar", "minor")], 0)
    assert summary.score is None
    assert summary.penalty == 1
    assert mqm_score(0, 0) is None


def test_markup_and_removal_are_counted_but_not_penalised() -> None:
    errors = [("markup", "major"), ("removal", "critical"), ("grammar", "minor")]
    summary = quality_summary(errors, 100)
    assert summary.by_category["markup"] == 1
    assert summary.by_category["removal"] == 1
    assert summary.unscored == 2
    assert summary.by_severity == {"minor": 1, "major": 0, "critical": 0}
    assert summary.penalty == 1
    assert summary.score == 99.0
    assert error_penalty("markup", "critical") == 0
    assert error_penalty("terminology", "critical") == 25


@pytest.mark.parametrize(
    ("errors", "word_count"),
    [
        ([("typo", "minor")], 10),
        ([("spelling", "blocker")], 10),
        ([("Spelling", "minor")], 10),
        ([], -1),
    ],
)
def test_invalid_input_is_rejected(errors: list[tuple[str, str]], word_count: int) -> None:
    with pytest.raises(ValueError):
        quality_summary(errors, word_count)


def test_unknown_severity_is_rejected_even_for_unscored_category() -> None:
    with pytest.raises(ValueError):
        quality_summary([("markup", "huge")], 10)


def test_seed_article_scorecard() -> None:
    text = SEED.read_text(encoding="utf-8")
    word_count = len(re.findall(r"\w+(?:['’]\w+)*", text))
    assert 700 < word_count < 800
    errors = [
        ("terminology", "major"),  # "Belchett" for Bachelet
        ("terminology", "major"),  # "Tikhnovskaya"
        ("terminology", "major"),  # "Tiknovskaya"
        ("terminology", "major"),  # "Tikhnovskaya"
        ("style", "minor"),  # "calm the winds"
        ("markup", "minor"),  # "Spoke"
        ("markup", "minor"),  # "Condemned"
        ("markup", "minor"),  # "Argued"
        ("removal", "major"),  # "Please enter your comment! ..."
    ]
    summary = quality_summary(errors, word_count)
    assert summary.penalty == 21
    assert summary.unscored == 4
    assert summary.score == round(100 * (1 - 21 / word_count), 1)
    assert 97.0 < summary.score < 98.0


_errors = st.lists(st.tuples(st.sampled_from(sorted(CATEGORIES)), st.sampled_from(list(SEVERITIES))))


@given(errors=_errors, word_count=st.integers(min_value=1, max_value=10_000))
def test_property_summary_is_consistent(errors: list[tuple[str, str]], word_count: int) -> None:
    summary = quality_summary(errors, word_count)
    assert sum(summary.by_category.values()) == len(errors)
    assert summary.error_count + summary.unscored == len(errors)
    assert summary.penalty == sum(SEVERITIES[s] * n for s, n in summary.by_severity.items())
    assert summary.score is not None and 0.0 <= summary.score <= 100.0
    # Adding a scored error never raises the score.
    worse = quality_summary([*errors, ("grammar", "minor")], word_count)
    assert worse.score is not None and worse.score <= summary.score

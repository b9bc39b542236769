"""MQM-style translation quality: error categories, severities and a per-word score.

Categories follow the MQM core typology (accuracy, fluency, terminology, style,
locale convention) as used by the WMT MQM evaluations, plus two archive-specific
categories for problems that are *not* translation errors: ``markup`` (scraping
artefacts such as link text "Spoke" capitalised mid-sentence) and ``removal`` (text
that is not the article's, e.g. "Please enter your comment!").

Severity weights 1 / 5 / 25 (minor / major / critical) are the default penalty
multipliers of the MQM Council's scoring model (themqm.org, "The MQM Scoring Models";
Lommel et al. 2024, arXiv:2405.16969).  The older TAUS DQF-MQM harmonised model used
1 / 5 / 10; a critical error here is meant to sink a short article on its own.

Score (the MQM "raw" scoring model): absolute penalty total (APT) normalised per
evaluated word, ``max(0, 100 * (1 - APT / word_count))``, rounded to one decimal.

Decision: ``markup`` and ``removal`` are counted (so editors see them) but carry no
penalty.  They come from the capture pipeline, not the translator, and the score is
meant to compare translation quality; removed text is also not part of the word count
the editor would normalise by.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

ACCURACY = "accuracy"
FLUENCY = "fluency"
TERMINOLOGY = "terminology"
STYLE = "style"
LOCALE = "locale-convention"
NON_TRANSLATION = "non-translation"

# value -> (group, label)
CATEGORIES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "mistranslation": (ACCURACY, "Mistranslation"),
        "omission": (ACCURACY, "Omission"),
        "addition": (ACCURACY, "Addition"),
        "untranslated": (ACCURACY, "Untranslated text"),
        "grammar": (FLUENCY, "Grammar"),
        "spelling": (FLUENCY, "Spelling"),
        "punctuation": (FLUENCY, "Punctuation"),
        "terminology": (TERMINOLOGY, "Terminology (incl. proper names)"),
        "style": (STYLE, "Style (e.g. literal idiom)"),
        "locale-convention": (LOCALE, "Locale convention"),
        "markup": (NON_TRANSLATION, "Markup artefact (e.g. link text)"),
        "removal": (NON_TRANSLATION, "Not the article's text"),
    }
)

# MQM Council scoring model severity multipliers.
SEVERITIES: Mapping[str, int] = MappingProxyType({"minor": 1, "major": 5, "critical": 25})

# Categories that are reported but never penalised (see module docstring).
UNSCORED_CATEGORIES: frozenset[str] = frozenset(
    value for value, (group, _) in CATEGORIES.items() if group == NON_TRANSLATION
)


@dataclass(frozen=True, slots=True)
class QualitySummary:
    """Counts, penalty points and the 0-100 score of one annotated translation."""

    # by_category counts every error; by_severity, penalty and score only the scored ones.
    word_count: int
    by_category: Mapping[str, int] = field(default_factory=dict)
    by_severity: Mapping[str, int] = field(default_factory=dict)
    penalty: int = 0
    unscored: int = 0
    score: float | None = None

    @property
    def error_count(self) -> int:
        """Number of penalised (translation) errors."""
        return sum(self.by_severity.values())


def severity_weight(severity: str) -> int:
    """Return the MQM penalty multiplier of a severity."""
    try:
        return SEVERITIES[severity]
    except KeyError:
        raise ValueError(f"unknown severity: {severity!r}") from None


def error_penalty(category: str, severity: str) -> int:
    """Return the penalty points of one error (0 for unscored categories)."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category: {category!r}")
    weight = severity_weight(severity)
    return 0 if category in UNSCORED_CATEGORIES else weight


def mqm_score(penalty: float, word_count: int) -> float | None:
    """Return max(0, 100 * (1 - penalty / word_count)) to one decimal, None for no words."""
    if word_count < 0:
        raise ValueError("word_count must not be negative")
    if word_count == 0:
        return None
    return round(max(0.0, 100.0 * (1.0 - penalty / word_count)), 1)


def quality_summary(errors: Iterable[tuple[str, str]], word_count: int) -> QualitySummary:
    """Summarise (category, severity) errors into counts, penalty and score."""
    if word_count < 0:
        raise ValueError("word_count must not be negative")
    by_category: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    penalty = unscored = 0
    for category, severity in errors:
        points = error_penalty(category, severity)
        by_category[category] += 1
        if category in UNSCORED_CATEGORIES:
            unscored += 1
            continue
        by_severity[severity] += 1
        penalty += points
    return QualitySummary(
        word_count=word_count,
        # Every key present (zeros included) so a scorecard can be rendered as is.
        by_category={value: by_category[value] for value in CATEGORIES},
        by_severity={value: by_severity[value] for value in SEVERITIES},
        penalty=penalty,
        unscored=unscored,
        score=mqm_score(penalty, word_count),
    )

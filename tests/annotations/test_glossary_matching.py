"""Tests for the glossary ("memory of fixes") matcher."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.glossary_matching import (
    FUZZY_CUTOFF,
    GlossaryMatch,
    GlossaryMatcher,
    GlossaryTerm,
)

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_d83457cbb5fd5b29.txt"

BACHELET = GlossaryTerm(1, ("Belchett",), "Bachelet", case_sensitive=False, whole_word=True)
TSIKHANOUSKAYA = GlossaryTerm(
    2, ("Tikhnovskaya", "Tiknovskaya"), "Tsikhanouskaya", case_sensitive=False, whole_word=True
)
CALM = GlossaryTerm(3, ("calm the winds",), "calm the situation", False, True)
SPOKE = GlossaryTerm(4, ("Spoke",), "spoke", case_sensitive=True, whole_word=True, fuzzy=False)
ARGUED = GlossaryTerm(5, ("Argued",), "argued", case_sensitive=True, whole_word=True, fuzzy=False)
SEED_GLOSSARY = (BACHELET, TSIKHANOUSKAYA, CALM, SPOKE, ARGUED)


def _found(matches: list[GlossaryMatch]) -> list[tuple[int, str, str]]:
    """Reduce matches to (entry_id, found, kind) for compact assertions."""
    return [(m.entry_id, m.found, m.kind) for m in matches]


def _assert_well_formed(text: str, matches: list[GlossaryMatch]) -> None:
    """Check offsets, ordering and non-overlap of a find() result."""
    for m in matches:
        assert text[m.start : m.end] == m.found
        assert m.start < m.end
    for a, b in zip(matches, matches[1:], strict=False):
        assert a.end <= b.start


# --- seed article -------------------------------------------------------------------------


def test_seed_article_finds_exactly_the_known_problems() -> None:
    text = SEED.read_text(encoding="utf-8")
    matches = GlossaryMatcher(SEED_GLOSSARY).find(text)
    _assert_well_formed(text, matches)
    assert _found(matches) == [
        (3, "calm the winds", "exact"),
        (4, "Spoke", "exact"),
        (1, "Belchett", "exact"),
        (5, "Argued", "exact"),
        (2, "Tikhnovskaya", "exact"),
        (2, "Tiknovskaya", "exact"),
        (2, "Tikhnovskaya", "exact"),
    ]
    assert {m.preferred for m in matches if m.entry_id == 2} == {"Tsikhanouskaya"}
    assert all(m.score == 100.0 for m in matches)


def test_seed_article_without_the_entries_has_no_fuzzy_noise() -> None:
    # Every other word of the article is checked fuzzily against the names: none may hit.
    text = SEED.read_text(encoding="utf-8")
    matcher = GlossaryMatcher((BACHELET, TSIKHANOUSKAYA))
    assert [m for m in matcher.find(text) if m.kind == "fuzzy"] == []


def test_corrected_seed_article_has_no_matches() -> None:
    text = (
        SEED.read_text(encoding="utf-8")
        .replace("Belchett", "Bachelet")
        .replace("Tikhnovskaya", "Tsikhanouskaya")
        .replace("Tiknovskaya", "Tsikhanouskaya")
    )
    assert GlossaryMatcher((BACHELET, TSIKHANOUSKAYA)).find(text) == []


# --- exact matching -----------------------------------------------------------------------


def test_case_insensitive_entry_matches_any_case() -> None:
    matches = GlossaryMatcher([BACHELET]).find("BELCHETT and belchett and Belchett")
    assert [m.found for m in matches] == ["BELCHETT", "belchett", "Belchett"]
    assert all(m.kind == "exact" for m in matches)


def test_case_sensitive_entry_only_matches_its_case() -> None:
    matches = GlossaryMatcher([SPOKE]).find("Putin Spoke with him. He spoke. Spoke up, SPOKE.")
    assert [(m.start, m.found) for m in matches] == [(6, "Spoke"), (32, "Spoke")]


def test_whole_word_respects_unicode_letters() -> None:
    term = GlossaryTerm(1, ("Belchett",), "Bachelet", False, whole_word=True, fuzzy=False)
    matcher = GlossaryMatcher([term])
    assert matcher.find("Belchettà Belchetts xBelchett ЖBelchett") == []
    assert _found(matcher.find("«Belchett»")) == [(1, "Belchett", "exact")]
    assert _found(matcher.find("Belchett’s")) == [(1, "Belchett", "exact")]


def test_substring_entry_matches_inside_words() -> None:
    term = GlossaryTerm(9, ("corona virus",), "coronavirus", False, whole_word=False, fuzzy=False)
    matches = GlossaryMatcher([term]).find("the corona viruses spread")
    assert _found(matches) == [(9, "corona virus", "exact")]


def test_multi_word_form_tolerates_other_whitespace() -> None:
    matches = GlossaryMatcher([CALM]).find("to calm\nthe  winds.")
    assert _found(matches) == [(3, "calm\nthe  winds", "exact")]


def test_found_equal_to_preferred_is_never_reported() -> None:
    # A sloppy entry whose wrong form only differs by case from the preferred form.
    term = GlossaryTerm(7, ("nato",), "NATO", case_sensitive=False, whole_word=True)
    assert GlossaryMatcher([term]).find("the EU and NATO, nato, Nato") == []
    strict = GlossaryTerm(8, ("nato", "Nato"), "NATO", case_sensitive=True, whole_word=True)
    assert [m.found for m in GlossaryMatcher([strict]).find("NATO, nato, Nato")] == [
        "nato",
        "Nato",
    ]


def test_longer_exact_form_wins_over_shorter_one() -> None:
    full = GlossaryTerm(10, ("Michelle Belchett",), "Michelle Bachelet", False, True)
    matches = GlossaryMatcher([BACHELET, full]).find("commissioner, Michelle Belchett, said")
    assert _found(matches) == [(10, "Michelle Belchett", "exact")]


def test_same_form_in_two_entries_reports_the_first_entry() -> None:
    other = GlossaryTerm(11, ("Belchett",), "Bachelett", False, True)
    assert [m.entry_id for m in GlossaryMatcher([BACHELET, other]).find("Belchett")] == [1]


def test_empty_glossary_and_empty_forms() -> None:
    assert GlossaryMatcher([]).find("Belchett") == []
    blank = GlossaryTerm(12, ("", "  "), "x", False, True)
    assert GlossaryMatcher([blank]).find("any text at all") == []


def test_regex_metacharacters_in_forms_are_literal() -> None:
    term = GlossaryTerm(13, ("U.S.", "(Photo"), "US", case_sensitive=True, whole_word=False, fuzzy=False)
    matches = GlossaryMatcher([term]).find("UXSX (Photo: U.S. forces")
    assert [m.found for m in matches] == ["(Photo", "U.S."]


# --- fuzzy matching -----------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["Belchet", "Belchett", "Belchette", "belchet"])
def test_fuzzy_variants_of_a_remembered_fix(variant: str) -> None:
    matches = GlossaryMatcher([BACHELET]).find(f"commissioner Michelle {variant} said")
    assert len(matches) == 1
    assert matches[0].found == variant and matches[0].preferred == "Bachelet"
    assert matches[0].score >= FUZZY_CUTOFF


def test_unseen_transliteration_matches_entry_with_several_forms() -> None:
    matches = GlossaryMatcher([TSIKHANOUSKAYA]).find("Svetlana Tikhanovskaya, 37, said")
    assert _found(matches) == [(2, "Tikhanovskaya", "fuzzy")]
    assert matches[0].preferred == "Tsikhanouskaya"
    assert FUZZY_CUTOFF <= matches[0].score < 100


@pytest.mark.parametrize(
    "word",
    [
        "Belarus",
        "Belarusian",
        "the",
        "Bachelet",
        "Bachelor",
        "Belchet",
        "Tsikhanouskaya",
        "Belted",
        "Beliefs",
        "Tikhon",
        "Techniques",
        "Teaching",
        "Tikhvin",
        "Bleachers",
        "Lithuania",
        "Belch",
        "Bechtel",
        "Kelchett",
    ],
)
def test_fuzzy_rejects_look_alikes(word: str) -> None:
    glossary = [BACHELET, TSIKHANOUSKAYA]
    # "Belchet" is a real variant: it is in the list to check the test harness itself.
    expected = 1 if word == "Belchet" else 0
    assert len(GlossaryMatcher(glossary).find(f"In {word} today")) == expected


def test_fuzzy_skips_short_words() -> None:
    term = GlossaryTerm(14, ("Puttin",), "Putin", False, True)
    matcher = GlossaryMatcher([term])
    # "Putn" (ratio 80) and "Putin" (preferred) aside, a 4-letter token is never judged.
    assert matcher.find("Putn Puti Putin") == []
    assert _found(matcher.find("Puttn")) == [(14, "Puttn", "fuzzy")]


def test_short_wrong_forms_are_never_fuzzy() -> None:
    term = GlossaryTerm(15, ("Pmpo",), "Pompeo", False, True)
    assert GlossaryMatcher([term]).find("Pmpo Pmpoo Pompo") == [
        GlossaryMatch(15, 0, 4, "Pmpo", "Pompeo", 100.0, "exact")
    ]


def test_fuzzy_requires_same_first_letter() -> None:
    assert GlossaryMatcher([BACHELET]).find("Kelchett Selchett") == []


def test_fuzzy_can_be_disabled_per_entry() -> None:
    term = GlossaryTerm(16, ("Belchett",), "Bachelet", False, True, fuzzy=False)
    matcher = GlossaryMatcher([term])
    assert matcher.find("Belchet") == []
    assert _found(matcher.find("Belchett")) == [(16, "Belchett", "exact")]


def test_fuzzy_never_flags_a_preferred_form_of_another_entry() -> None:
    near = GlossaryTerm(17, ("Bachelot",), "Bachelot-Narquin", False, True)
    # "Bachelet" is ratio 87.5 from "Bachelot" but is the preferred form of entry 1.
    assert GlossaryMatcher([BACHELET, near]).find("Bachelet") == []
    assert _found(GlossaryMatcher([near]).find("Bachelet")) == [(17, "Bachelet", "fuzzy")]


def test_case_sensitive_fuzzy_respects_case() -> None:
    term = GlossaryTerm(18, ("Belchett",), "Bachelet", case_sensitive=True, whole_word=True)
    matcher = GlossaryMatcher([term])
    assert _found(matcher.find("Belchet")) == [(18, "Belchet", "fuzzy")]
    assert matcher.find("belchet BELCHET") == []


def test_multi_word_fuzzy_variant() -> None:
    full = GlossaryTerm(19, ("Michelle Belchett",), "Michelle Bachelet", False, True)
    matcher = GlossaryMatcher([full])
    matches = matcher.find("the commissioner, Michele Belchet, condemned")
    assert _found(matches) == [(19, "Michele Belchet", "fuzzy")]
    assert matcher.find("the commissioner, Michelle Bachelet, condemned") == []
    # Words separated by punctuation are not a phrase.
    assert matcher.find("Michele. Belchet") == []


def test_multi_word_idiom_fuzzy_variant_but_not_a_different_idiom() -> None:
    matcher = GlossaryMatcher([CALM])
    assert _found(matcher.find("to calm the wind.")) == [(3, "calm the wind", "fuzzy")]
    assert matcher.find("to calm the waves.") == []
    assert matcher.find("to calm the situation.") == []


def test_exact_beats_longer_fuzzy_and_fuzzy_fills_the_rest() -> None:
    full = GlossaryTerm(20, ("Michelle Belchett",), "Michelle Bachelet", False, True)
    text = "Michele Belchett met Belchet"
    matches = GlossaryMatcher([BACHELET, full]).find(text)
    _assert_well_formed(text, matches)
    assert _found(matches) == [(1, "Belchett", "exact"), (1, "Belchet", "fuzzy")]


def test_verdicts_are_cached_across_calls() -> None:
    matcher = GlossaryMatcher([BACHELET])
    first = matcher.find("Belchet said")
    assert "Belchet" in matcher._verdicts
    assert matcher.find("Belchet said") == first


# --- properties ---------------------------------------------------------------------------

_WORDS = [
    "Belchett",
    "Belchet",
    "belchett",
    "Bachelet",
    "Tikhnovskaya",
    "Tikhanovskaya",
    "Tsikhanouskaya",
    "Tiknovskaya",
    "calm",
    "the",
    "winds",
    "Spoke",
    "spoke",
    "Michelle",
    "Belarus",
    "é",
    "Ж",
    "ß",
    "ſ",
    "İ",
]
_SEPARATORS = [" ", "  ", "\n", ", ", ".", "-", "’", ""]
_texts = st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_SEPARATORS)), max_size=25).map(
    lambda parts: "".join(w + s for w, s in parts)
)
_MATCHER = GlossaryMatcher(
    SEED_GLOSSARY
    + (
        GlossaryTerm(21, ("Michelle Belchett",), "Michelle Bachelet", False, True),
        GlossaryTerm(22, ("chett",), "chet", False, whole_word=False),
        GlossaryTerm(23, ("winds calm",), "calm", True, whole_word=False),
    )
)


@settings(max_examples=300, deadline=None)
@given(text=_texts)
def test_property_matches_are_exact_slices_and_never_overlap(text: str) -> None:
    matches = _MATCHER.find(text)
    _assert_well_formed(text, matches)
    preferred = {t.entry_id: t for t in _MATCHER.terms}
    for m in matches:
        term = preferred[m.entry_id]
        assert m.preferred == term.preferred
        if term.case_sensitive:
            assert m.found != term.preferred
        else:
            assert m.found.lower() != term.preferred.lower()
        if m.kind == "exact":
            assert m.score == 100.0
        else:
            assert FUZZY_CUTOFF <= m.score <= 100.0


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80))
def test_property_arbitrary_unicode_is_safe(text: str) -> None:
    _assert_well_formed(text, _MATCHER.find(text))


def test_multi_word_forms_sharing_a_first_name_pick_the_closest_entry() -> None:
    terms = [
        GlossaryTerm(30, ("Sergei Gapan",), "Sergei Gapon", False, True),
        GlossaryTerm(31, ("Sergei Karvenko",), "Sergei Korvenko", False, True),
        GlossaryTerm(32, ("Sergei Tikhonovich",), "Sergei Tikhanovich", False, True),
    ]
    matcher = GlossaryMatcher(terms)
    text = "Photo: Sergei Karvenco / Pool; Sergei Gapon; Sergei Tikhonovitch"
    matches = matcher.find(text)
    _assert_well_formed(text, matches)
    assert _found(matches) == [
        (31, "Sergei Karvenco", "fuzzy"),
        (32, "Sergei Tikhonovitch", "fuzzy"),
    ]

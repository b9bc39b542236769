"""Tests for the pure entity-suggestion module (no database, no Django)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.entity_matching import (
    EntityMatcher,
    KnownEntity,
    MentionSuggestion,
    entities_from_records,
    fold,
    propose_new_entities,
)

ROOT = Path(__file__).resolve().parents[2]
SEED_TEXT = (ROOT / "seeds" / "000_d83457cbb5fd5b29.txt").read_bytes().decode("utf-8")
ENTITY_RECORDS = json.loads((ROOT / "seeds" / "entities.json").read_text(encoding="utf-8"))
ENTITIES = entities_from_records(ENTITY_RECORDS)
ID_BY_NAME = {entity.name: entity.entity_id for entity in ENTITIES}
SEED_MATCHER = EntityMatcher(ENTITIES)
SEED_MENTIONS = SEED_MATCHER.find(SEED_TEXT)

TSIKHANOUSKAYA_BRIEF = KnownEntity(
    1,
    "Sviatlana Tsikhanouskaya",
    "person",
    ("Tsikhanouskaya", "Svetlana Tikhanovskaya", "Tikhanovskaya"),
)
BACHELET_PLAIN = KnownEntity(2, "Michelle Bachelet", "person", ("Bachelet",))
BELARUS_PLAIN = KnownEntity(3, "Belarus", "place", ())
RUSSIA_PLAIN = KnownEntity(4, "Russia", "place", ())


def mentions_of(name: str, mentions: list[MentionSuggestion] = SEED_MENTIONS) -> list[str]:
    """Surface forms found for the entity called `name`."""
    return [m.found for m in mentions if m.entity_id == ID_BY_NAME[name]]


def assert_well_formed(text: str, mentions: list[MentionSuggestion]) -> None:
    """Spans reproduce the text, are sorted and never overlap."""
    for mention in mentions:
        assert mention.found == text[mention.start : mention.end]
        assert 0 <= mention.start < mention.end <= len(text)
        assert 0.0 < mention.score <= 1.0
    for before, after in zip(mentions, mentions[1:], strict=False):
        assert before.end <= after.start


# --- seed data ------------------------------------------------------------------------


def test_seed_entities_json_is_well_formed() -> None:
    names = [record["name"] for record in ENTITY_RECORDS]
    assert len(names) == len(set(names))
    for record in ENTITY_RECORDS:
        assert set(record) == {"name", "kind", "aliases", "wikidata", "description"}
        assert record["kind"] in {"person", "organization", "place", "event", "other"}
        assert isinstance(record["aliases"], list)
        assert record["wikidata"] is None or re.fullmatch(r"Q\d+", record["wikidata"])
        assert record["description"].strip()


def test_seed_entities_include_required_set() -> None:
    required = {
        "Alexander Lukashenko": "person",
        "Vladimir Putin": "person",
        "Mike Pompeo": "person",
        "Michelle Bachelet": "person",
        "Sviatlana Tsikhanouskaya": "person",
        "Belarus": "place",
        "Russia": "place",
        "Poland": "place",
        "Lithuania": "place",
        "European Union": "organization",
        "NATO": "organization",
        "United Nations": "organization",
        "Kremlin": "organization",
        "2020 Belarusian protests": "event",
    }
    kinds = {record["name"]: record["kind"] for record in ENTITY_RECORDS}
    for name, kind in required.items():
        assert kinds[name] == kind
    aliases = {record["name"]: set(record["aliases"]) for record in ENTITY_RECORDS}
    assert {"Belchett", "Michelle Belchett"} <= aliases["Michelle Bachelet"]
    assert "EU" in aliases["European Union"]
    assert "UN" in aliases["United Nations"]


def test_seed_known_wikidata_ids() -> None:
    ids = {record["name"]: record["wikidata"] for record in ENTITY_RECORDS}
    assert ids["Belarus"] == "Q184"
    assert ids["Russia"] == "Q159"
    assert ids["European Union"] == "Q458"
    assert ids["Vladimir Putin"] == "Q7747"


# --- matcher on the seed article ------------------------------------------------------


def test_seed_mentions_are_well_formed() -> None:
    assert_well_formed(SEED_TEXT, SEED_MENTIONS)


def test_seed_finds_people() -> None:
    lukashenko = Counter(mentions_of("Alexander Lukashenko"))
    assert lukashenko == Counter({"Lukashenko": 5, "Alexander Lukashenko": 3})
    assert Counter(mentions_of("Vladimir Putin")) == Counter({"Putin": 2, "Vladimir Putin": 1})
    assert Counter(mentions_of("Mike Pompeo")) == Counter({"Mike Pompeo": 1, "Pompeo": 1})
    assert mentions_of("Michelle Bachelet") == ["Michelle Belchett"]
    assert mentions_of("Sviatlana Tsikhanouskaya") == [
        "Svetlana Tikhnovskaya",
        "Tiknovskaya",
        "Tikhnovskaya",
    ]


def test_seed_finds_places_and_organizations() -> None:
    assert len(mentions_of("Belarus")) == 8
    assert len(mentions_of("Russia")) == 3
    assert mentions_of("Poland") == ["Poland"]
    assert mentions_of("Lithuania") == ["Lithuania"]
    assert mentions_of("European Union") == ["European Union", "EU", "EU"]
    assert mentions_of("NATO") == ["NATO"]
    assert mentions_of("United Nations") == ["UN"]
    assert mentions_of("Kremlin") == ["Kremlin"]
    assert mentions_of("United States") == ["US", "US"]


def test_seed_possessives_tag_the_bare_name() -> None:
    index = SEED_TEXT.index("Lukashenko’s party")
    mention = next(m for m in SEED_MENTIONS if m.start == index)
    assert mention.found == "Lukashenko"
    assert SEED_TEXT[mention.end] == "’"
    belarus = SEED_TEXT.index("Belarus’ location")
    assert any(m.start == belarus and m.found == "Belarus" for m in SEED_MENTIONS)


def test_seed_has_no_false_positives() -> None:
    found = {m.found for m in SEED_MENTIONS}
    assert not found & {"Belarusian", "Russian", "European", "unusual", "Eastern European"}
    for mention in SEED_MENTIONS:
        # Every match is a whole word: no letter glued to either side.
        before = SEED_TEXT[mention.start - 1] if mention.start else " "
        after = SEED_TEXT[mention.end] if mention.end < len(SEED_TEXT) else " "
        assert not before.isalnum()
        assert not after.isalnum()
    # "European" alone (in "Eastern European country") is not the European Union.
    eastern = SEED_TEXT.index("Eastern European")
    assert not any(m.start <= eastern + 8 < m.end for m in SEED_MENTIONS)


def test_seed_longest_match_wins() -> None:
    index = SEED_TEXT.index("Alexander Lukashenko More")
    mention = next(m for m in SEED_MENTIONS if m.start <= index < m.end)
    assert (mention.found, mention.kind, mention.score) == ("Alexander Lukashenko", "exact", 1.0)


# --- matcher rules --------------------------------------------------------------------


def test_acronyms_need_whole_word_and_capitals() -> None:
    matcher = EntityMatcher(
        [
            KnownEntity(1, "European Union", "organization", ("EU",)),
            KnownEntity(2, "United Nations", "organization", ("UN", "U.N.")),
        ]
    )
    text = "European leaders, the EUR, a feud, an unusual UNESCO Un un UN-backed U.N. EU."
    found = [(m.entity_id, m.found) for m in matcher.find(text)]
    assert found == [(2, "UN"), (2, "U.N"), (1, "EU")]


def test_case_sensitivity_and_headline_capitals() -> None:
    matcher = EntityMatcher([KnownEntity(1, "Alexander Lukashenko", "person", ("Lukashenko",))])
    found = [m.found for m in matcher.find("LUKASHENKO wins; lukashenko; Alexander Lukashenko.")]
    assert found == ["LUKASHENKO", "Alexander Lukashenko"]


def test_possessives_with_both_apostrophes() -> None:
    matcher = EntityMatcher([KnownEntity(7, "Alexander Lukashenko", "person", ("Lukashenko",))])
    text = "Lukashenko’s party and Lukashenko's rivals"
    mentions = matcher.find(text)
    assert [(m.found, m.kind) for m in mentions] == [("Lukashenko", "alias")] * 2
    assert [text[m.end] for m in mentions] == ["’", "'"]


def test_diacritics_are_folded_for_comparison() -> None:
    matcher = EntityMatcher([KnownEntity(1, "Michelle Bachelet", "person", ("Verónica Michelle Bachelet Jeria",))])
    text = "Veronica Michelle Bachelet Jeria and Verónica Michelle Bachelet Jeria"
    assert [m.kind for m in matcher.find(text)] == ["alias", "alias"]
    assert fold("Lukašenka’s") == "Lukasenka's"


def test_demonyms_do_not_tag_places() -> None:
    matcher = EntityMatcher([BELARUS_PLAIN, RUSSIA_PLAIN], fuzzy_kinds={"person", "place"})
    text = "Belarusian police and Russian elements in Belarus and Russia."
    assert [m.found for m in matcher.find(text)] == ["Belarus", "Russia"]


def test_demonym_listed_as_alias_is_tagged() -> None:
    belarus = KnownEntity(3, "Belarus", "place", ("Belarusian",))
    assert [m.kind for m in EntityMatcher([belarus]).find("Belarusian police")] == ["alias"]


def test_transliteration_variants_match_fuzzily() -> None:
    matcher = EntityMatcher([TSIKHANOUSKAYA_BRIEF, BACHELET_PLAIN])
    mentions = matcher.find(SEED_TEXT)
    assert_well_formed(SEED_TEXT, mentions)
    found = [(m.found, m.kind) for m in mentions if m.entity_id == 1]
    assert found == [
        ("Svetlana Tikhnovskaya", "fuzzy"),
        ("Tiknovskaya", "fuzzy"),
        ("Tikhnovskaya", "fuzzy"),
    ]
    assert all(0.85 <= m.score < 0.95 for m in mentions if m.kind == "fuzzy")
    exact = matcher.find("Tikhanovskaya met Tsikhanouskaya")
    assert [m.kind for m in exact] == ["alias", "alias"]


def test_belchett_is_not_bachelet_without_alias() -> None:
    assert EntityMatcher([BACHELET_PLAIN]).find("commissioner Michelle Belchett said") == []
    with_alias = KnownEntity(2, "Michelle Bachelet", "person", ("Bachelet", "Belchett"))
    found = EntityMatcher([with_alias]).find("Belchett said")
    assert [(m.found, m.kind) for m in found] == [("Belchett", "alias")]


def test_fuzzy_rejects_different_names() -> None:
    matcher = EntityMatcher(
        [
            KnownEntity(1, "Mike Pompeo", "person", ("Pompeo",)),
            KnownEntity(2, "Vladimir Putin", "person", ("Putin",)),
            TSIKHANOUSKAYA_BRIEF,
        ]
    )
    text = "Pompey, Poutine, Tikhonov, Pompeos and Tuesday met Kovalskaya."
    assert matcher.find(text) == []


def test_fuzzy_results_are_cached_per_token() -> None:
    matcher = EntityMatcher([TSIKHANOUSKAYA_BRIEF])
    matcher.find("Tiknovskaya and Tiknovskaya and Nobody")
    assert set(matcher._fuzzy_cache) == {"tiknovskaya", "nobody"}


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown entity kind"):
        KnownEntity(1, "X", "planet", ())


def test_empty_matcher_and_text() -> None:
    assert EntityMatcher([]).find("Anything at all") == []
    assert SEED_MATCHER.find("") == []


# --- new-entity proposals -------------------------------------------------------------


def proposal_names(text: str, known: EntityMatcher | None) -> dict[str, tuple[int, str]]:
    """Proposal name -> (occurrence count, kind guess)."""
    return {p.name: (p.count, p.kind_guess) for p in propose_new_entities(text, known)}


def test_seed_proposals_with_known_entities() -> None:
    proposals = proposal_names(SEED_TEXT, SEED_MATCHER)
    assert proposals == {
        "Vasily Fedosenko": (1, "person"),
        "Sergei Gapon": (2, "person"),
        "German Foreign Ministry": (1, "organization"),
    }


def test_seed_proposals_exclude_noise() -> None:
    for known in (SEED_MATCHER, None):
        names = set(proposal_names(SEED_TEXT, known))
        noise = {"Spoke", "Argued", "Condemned", "The", "Today", "Saturday", "Friday"}
        noise |= {"REUTERS", "VIA", "TUT", "BY", "Pool", "Photo", "Belarusian", "Russian"}
        noise |= {"Riots", "Protest", "Opposition", "Security", "Please", "Earlier"}
        assert not names & noise, names & noise
        assert not any(name.endswith((" Argued", " Spoke", " More")) for name in names)


def test_seed_proposals_without_known_entities() -> None:
    proposals = proposal_names(SEED_TEXT, None)
    assert proposals["Mike Pompeo"] == (2, "person")  # "Pompeo’s visit" merged in
    assert proposals["Alexander Lukashenko"] == (8, "person")
    assert proposals["Michelle Belchett"] == (1, "person")
    assert proposals["German Foreign Ministry"] == (1, "organization")
    assert proposals["NATO"][0] == 1
    assert "Pompeo" not in proposals


def test_proposal_occurrences_point_at_the_text() -> None:
    for proposal in propose_new_entities(SEED_TEXT, None):
        assert proposal.occurrences == sorted(proposal.occurrences)
        surfaces = {fold(SEED_TEXT[start:end]) for start, end in proposal.occurrences}
        # The full name is one surface; merged lone surnames are the others.
        assert proposal.name in surfaces
        assert all(proposal.name.endswith(surface) for surface in surfaces)


def test_proposal_heuristics() -> None:
    text = (
        "Minister of Foreign Affairs Sergei Lavrov met the Ministry of Foreign Affairs. "
        "Secretary of State Mike Pompeo Argued that it was fine. "
        "German Foreign Minister Heiko Maas said so on Monday. Mohammed Ahmed said nothing. "
        "Eastern European leaders, the Eastern Partnership Summit and Jean-Claude Juncker, "
        "Spoke with Maas."
    )
    proposals = proposal_names(text, None)
    assert proposals["Sergei Lavrov"] == (1, "person")
    assert proposals["Ministry of Foreign Affairs"] == (1, "organization")
    assert proposals["Mike Pompeo"] == (1, "person")
    assert proposals["Heiko Maas"] == (2, "person")
    assert proposals["Mohammed Ahmed"] == (1, "other")
    assert proposals["Eastern Partnership Summit"] == (1, "event")
    assert "Jean-Claude Juncker" in proposals
    assert not set(proposals) & {"Spoke", "Argued", "Monday", "Eastern European", "German"}


def test_all_caps_words_need_to_recur_outside_credits() -> None:
    text = (
        "The OSCE observed. BREAKING news today. (Photo: REUTERS) Another (Photo: REUTERS). Officials of the OSCE left."
    )
    proposals = proposal_names(text, None)
    assert proposals == {"OSCE": (2, "other")}


# --- properties -----------------------------------------------------------------------

_WORDS = [
    "Lukashenko",
    "Lukashenko’s",
    "Alexander",
    "EU",
    "European",
    "Union",
    "UN",
    "unusual",
    "Tikhnovskaya",
    "Tiknovskaya",
    "Svetlana",
    "Belchett",
    "Belarus",
    "Belarusian",
    "NATO",
    "Putin",
    "Vladimir",
    "Kremlin",
    "the",
    "Spoke",
    "Argued",
    "Mike",
    "Pompeo",
    "Verónica",
    "U.N.",
    "LUKASHENKO",
    "Q",
    "é",
    "ﬁ",
    "2020",
]
_SEPARATORS = [" ", "  ", ", ", ". ", "\n", "\n\n", "-", "’", "'", "(", ")", ": ", "/", ""]
_texts = st.lists(
    st.one_of(st.sampled_from(_WORDS), st.sampled_from(_SEPARATORS), st.text(max_size=4)),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_suggestions_reproduce_text_and_never_overlap(text: str) -> None:
    mentions = SEED_MATCHER.find(text)
    assert_well_formed(text, mentions)
    fuzzy = EntityMatcher([TSIKHANOUSKAYA_BRIEF, BACHELET_PLAIN]).find(text)
    assert_well_formed(text, fuzzy)


@settings(max_examples=200, deadline=None)
@given(_texts)
def test_proposals_stay_inside_text_and_outside_known_mentions(text: str) -> None:
    mentions = SEED_MATCHER.find(text)
    for proposal in propose_new_entities(text, SEED_MATCHER):
        assert proposal.occurrences
        for start, end in proposal.occurrences:
            assert 0 <= start < end <= len(text)
            assert all(end <= m.start or m.end <= start for m in mentions)


def test_demonyms_are_not_proposed_but_similar_names_are() -> None:
    text = (
        "German officials and Belarusian police met. Later Iran said no, and officials in "
        "Delhi agreed. Mr Tsepkalo left. Eastern European capitals waited."
    )
    proposals = proposal_names(text, None)
    assert proposals == {
        "Iran": (1, "other"),
        "Delhi": (1, "other"),
        "Tsepkalo": (1, "person"),
    }

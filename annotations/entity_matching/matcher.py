"""`EntityMatcher`: the index of known names and aliases, and exact, all-caps and fuzzy lookup in a text.

Matching rules (deliberate choices, see the tests):

* Names and aliases match on whole tokens only, so "EU" never matches inside "European"
  and "UN" never inside "unusual".  A possessive ("Lukashenko's", "Lukashenko’s",
  "Belarus’") yields a span covering the bare name, without the apostrophe suffix.
* Matching is case-sensitive after folding diacritics (NFKD) and normalising apostrophes,
  dashes and whitespace.  The one relaxation: an ALL-CAPS run in the text ("LUKASHENKO",
  a headline) matches a mixed-case name.  All-caps names (acronyms such as "EU", "UN",
  "NATO") match only in capitals, so "Un" or "un" are never the United Nations.
* Demonyms are not mentions: "Belarusian" does not tag Belarus and "Russian" does not tag
  Russia unless an editor lists them as aliases.  Fuzzy matching never accepts a token that
  merely extends (or is a prefix of) a known term, which is exactly the demonym shape.
* Transliteration variants are caught by fuzzy matching capitalised tokens against the
  single-word names/aliases and surnames of person entities (see `FUZZY_THRESHOLD`).
  "Tikhnovskaya"/"Tiknovskaya" reach Tikhanovskaya (96 / 92), while "Belchett" vs
  "Bachelet" scores 62.5 and so needs an explicit alias.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from annotations.entity_matching.entities import KnownEntity, MatchKind, MentionSuggestion
from annotations.entity_matching.tokenising import Token, _is_acronym, _is_all_caps, _span_key, fold, tokenize
from annotations.entity_matching.vocabulary import _CALENDAR_FOLDED, _STOPWORDS_FOLDED

# rapidfuzz.fuzz.ratio (normalised Indel similarity, 0-100).  Transliteration variants of
# the same surname score 88-96 ("Tsikhanouskaya"/"Tikhanovskaya" 88.9); distinct names
# with a shared letter skeleton score lower ("Pompey"/"Pompeo" 83, "Poutine"/"Putin" 83,
# "Belchett"/"Bachelet" 62.5).
FUZZY_THRESHOLD = 85.0
# Short tokens have too little signal: one edit in a five-letter word is a different name.
FUZZY_MIN_LENGTH = 6
# Kinds whose names get transliterated; places and acronyms fuzz into demonyms instead.
DEFAULT_FUZZY_KINDS: frozenset[str] = frozenset({"person"})

SCORE_EXACT = 1.0
SCORE_ALIAS = 0.95
# Fuzzy scores are the similarity / 100, capped so that they always rank below an alias.
SCORE_FUZZY_CAP = 0.94


@dataclass(frozen=True, slots=True)
class _Term:
    """One indexed surface form of an entity."""

    entity_id: int
    kind: MatchKind
    order: int


@dataclass(frozen=True, slots=True)
class _FuzzyHit:
    """Best fuzzy match of one text token."""

    entity_id: int
    similarity: float
    order: int


class EntityMatcher:
    """Finds mentions of known entities; build once, call `find` per text."""

    def __init__(
        self,
        entities: Iterable[KnownEntity],
        *,
        fuzzy_threshold: float = FUZZY_THRESHOLD,
        fuzzy_kinds: Iterable[str] = DEFAULT_FUZZY_KINDS,
    ) -> None:
        """Index names and aliases of `entities` for exact, alias and fuzzy lookup."""
        self.entities: tuple[KnownEntity, ...] = tuple(entities)
        self.fuzzy_threshold = fuzzy_threshold
        self._fuzzy_kinds = frozenset(fuzzy_kinds)
        self._exact: dict[str, _Term] = {}
        self._caps: dict[str, _Term] = {}
        self._max_tokens = 1
        # folded+casefolded single-word term -> (entity_id, order)
        self._fuzzy_terms: dict[str, tuple[int, int]] = {}
        # entity_id -> casefolded given-name tokens, used to extend a fuzzy surname leftwards
        self._given_names: dict[int, frozenset[str]] = {}
        self._fuzzy_cache: dict[str, _FuzzyHit | None] = {}
        for order, entity in enumerate(self.entities):
            self._index(entity, order)
        # Folding works character by character, so the folded span a key matches starts with its folded
        # first token: a token no key starts with (most words) is skipped after one bisection.
        self._sorted_keys = sorted({*self._exact, *self._caps})
        self._initials = frozenset(key[0] for key in self._sorted_keys)

    def _index(self, entity: KnownEntity, order: int) -> None:
        """Register the name (exact) and aliases (alias) of one entity."""
        forms: list[tuple[str, MatchKind]] = [(entity.name, "exact")]
        forms += [(alias, "alias") for alias in entity.aliases]
        given: set[str] = set()
        for surface, kind in forms:
            tokens = tokenize(surface)
            if not tokens:
                continue
            key = fold(surface[tokens[0].start : tokens[-1].end])
            term = _Term(entity.entity_id, kind, order)
            self._register(self._exact, key, term)
            if not _is_acronym(surface):
                self._register(self._caps, key.upper(), term)
            self._max_tokens = max(self._max_tokens, len(tokens))
            if entity.kind in self._fuzzy_kinds and not _is_acronym(surface):
                self._index_fuzzy(entity.entity_id, order, tokens, given)
        self._given_names[entity.entity_id] = frozenset(given)

    def _index_fuzzy(self, entity_id: int, order: int, tokens: list[Token], given: set[str]) -> None:
        """Index the surname (last token) for fuzzy lookup and remember given names."""
        surname = fold(tokens[-1].text).casefold()
        if len(surname) >= FUZZY_MIN_LENGTH:
            self._fuzzy_terms.setdefault(surname, (entity_id, order))
        given.update(fold(token.text).casefold() for token in tokens[:-1])

    @staticmethod
    def _register(index: dict[str, _Term], key: str, term: _Term) -> None:
        """Keep the strongest term per key: canonical names beat aliases, then entity order."""
        current = index.get(key)
        if current is None or (term.kind == "exact" and current.kind != "exact"):
            index[key] = term

    def find(self, text: str, *, tokens: list[Token] | None = None) -> list[MentionSuggestion]:
        """Return non-overlapping mention suggestions sorted by start offset (`tokens`: the text's, if known)."""
        tokens = tokenize(text) if tokens is None else tokens
        candidates = self._exact_candidates(text, tokens)
        covered = _covered_tokens(tokens, candidates)
        candidates += self._fuzzy_candidates(text, tokens, covered)
        return _select_non_overlapping(candidates)

    def _exact_candidates(self, text: str, tokens: list[Token]) -> list[MentionSuggestion]:
        """Longest exact/alias match starting at each token."""
        found: list[MentionSuggestion] = []
        initials = self._initials
        if not initials:
            return found
        for first, token in enumerate(tokens):
            word = token.text
            initial = word[0] if word[0].isascii() else fold(word[0])[:1]  # a token's ASCII folds to itself
            if initial not in initials or not self._may_start_key(fold(word)):
                continue
            last_limit = min(len(tokens), first + self._max_tokens) - 1
            for last in range(last_limit, first - 1, -1):
                suggestion = self._lookup(text, tokens, first, last)
                if suggestion is not None:
                    found.append(suggestion)
                    break
        return found

    def _may_start_key(self, folded: str) -> bool:
        """True if some indexed key starts with `folded` (a folded token)."""
        index = bisect.bisect_left(self._sorted_keys, folded)
        return index < len(self._sorted_keys) and self._sorted_keys[index].startswith(folded)

    def _lookup(self, text: str, tokens: list[Token], first: int, last: int) -> MentionSuggestion | None:
        """Match tokens[first..last] against the exact index, then the all-caps index."""
        key = _span_key(text, tokens, first, last)
        if key is None:
            return None
        term = self._exact.get(key)
        if term is None and _is_all_caps(key):
            term = self._caps.get(key)
        if term is None:
            return None
        start, end = tokens[first].start, tokens[last].end
        score = SCORE_EXACT if term.kind == "exact" else SCORE_ALIAS
        return MentionSuggestion(term.entity_id, start, end, text[start:end], score, term.kind)

    def _fuzzy_candidates(self, text: str, tokens: list[Token], covered: set[int]) -> list[MentionSuggestion]:
        """Fuzzy surname matches on capitalised tokens not already matched exactly."""
        found: list[MentionSuggestion] = []
        if not self._fuzzy_terms:
            return found
        for index, token in enumerate(tokens):
            if index in covered or not _fuzzy_eligible(token.text):
                continue
            hit = self._fuzzy_lookup(token.text)
            if hit is None:
                continue
            first = index
            if index > 0 and index - 1 not in covered and self._is_given_name(text, tokens, index - 1, hit.entity_id):
                first = index - 1
            start, end = tokens[first].start, token.end
            score = min(hit.similarity / 100.0, SCORE_FUZZY_CAP)
            found.append(MentionSuggestion(hit.entity_id, start, end, text[start:end], score, "fuzzy"))
        return found

    def _is_given_name(self, text: str, tokens: list[Token], index: int, entity_id: int) -> bool:
        """True if tokens[index] is a known given name of the entity directly before a surname."""
        token = tokens[index]
        if not token.text[:1].isupper() or text[token.end : tokens[index + 1].start] != " ":
            return False
        return fold(token.text).casefold() in self._given_names.get(entity_id, frozenset())

    def _fuzzy_lookup(self, word: str) -> _FuzzyHit | None:
        """Best fuzzy entity for one token, cached per distinct folded token."""
        key = fold(word).casefold()
        if key in self._fuzzy_cache:
            return self._fuzzy_cache[key]
        hit: _FuzzyHit | None = None
        for choice, similarity, _ in process.extract(
            key,
            list(self._fuzzy_terms),
            scorer=fuzz.ratio,
            score_cutoff=self.fuzzy_threshold,
            limit=8,
        ):
            if not _plausible_variant(key, choice):
                continue
            entity_id, order = self._fuzzy_terms[choice]
            if hit is None or (similarity, -order) > (hit.similarity, -hit.order):
                hit = _FuzzyHit(entity_id, float(similarity), order)
        self._fuzzy_cache[key] = hit
        return hit


def _covered_tokens(tokens: list[Token], spans: list[MentionSuggestion]) -> set[int]:
    """Indexes of tokens lying inside any of `spans`."""
    starts = [token.start for token in tokens]
    covered: set[int] = set()
    for span in spans:
        index = bisect.bisect_left(starts, span.start)
        while index < len(tokens) and tokens[index].end <= span.end:
            covered.add(index)
            index += 1
    return covered


def _fuzzy_eligible(word: str) -> bool:
    """Capitalised, long enough, and not a function word, weekday or month."""
    return (
        len(word) >= FUZZY_MIN_LENGTH
        and word[:1].isupper()
        and word.isalpha()
        and word.casefold() not in _STOPWORDS_FOLDED
        and word.casefold() not in _CALENDAR_FOLDED
    )


def _plausible_variant(word: str, term: str) -> bool:
    """Reject pairs that are not transliteration variants of one another."""
    if word == term:
        return True
    # A token extending a term (or cut from it) is a demonym or inflection: Russia/Russian.
    if word.startswith(term) or term.startswith(word):
        return False
    # Transliteration keeps the initial letter (Tsikhanouskaya/Tikhanovskaya).
    return word[0] == term[0]


def _select_non_overlapping(candidates: list[MentionSuggestion]) -> list[MentionSuggestion]:
    """Greedy pick: exact/alias before fuzzy, longer before shorter, earlier before later."""
    rank = {"exact": 0, "alias": 0, "fuzzy": 1}
    ordered = sorted(candidates, key=lambda s: (rank[s.kind], -(s.end - s.start), s.start, -s.score))
    chosen: list[MentionSuggestion] = []  # kept sorted by start
    starts: list[int] = []
    for suggestion in ordered:
        slot = bisect.bisect_left(starts, suggestion.start)
        if slot > 0 and chosen[slot - 1].end > suggestion.start:
            continue
        if slot < len(chosen) and chosen[slot].start < suggestion.end:
            continue
        starts.insert(slot, suggestion.start)
        chosen.insert(slot, suggestion)
    return chosen

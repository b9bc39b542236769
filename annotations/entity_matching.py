"""Suggest entity mentions and new entities in machine-translated article text.

Pure Python (no Django): the app feeds it `KnownEntity` rows and turns the returned
`MentionSuggestion` spans into "identifying" annotations on exact character ranges.

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

`propose_new_entities` collects runs of capitalised words that no known entity covers and
drops the usual machine-translation noise: function words capitalised at a sentence start
(`STOPWORDS`), lone sentence-initial words never seen capitalised mid-sentence, weekdays and
months, title qualifiers ("Belarusian President"), demonyms ("Belarusian police"),
all-caps photo credits ("REUTERS", kept only if they recur outside credits), and
mis-capitalised verbs: a capitalised word ending in -ed/-ke after a comma or a name and
before a function word ("Putin, Spoke with", "Pompeo Argued that"), a known verb form, or a
mid-sentence capital whose lower-case form the text also uses.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rapidfuzz import fuzz, process

EntityKind = Literal["person", "organization", "place", "event", "other"]
MatchKind = Literal["exact", "alias", "fuzzy"]

ENTITY_KINDS: frozenset[str] = frozenset({"person", "organization", "place", "event", "other"})

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

# Combining marks stay inside a token so decomposed input ("Bache\u0301let") is one word.
_TOKEN_RE = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f])*")
_APOSTROPHES = "'’‘ʼ`´"
_DASHES = "-‐‑‒–—"
_APOSTROPHE_RE = re.compile(f"[{_APOSTROPHES}]")
_DASH_RE = re.compile(f"[{_DASHES}]")
_SPACE_RE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Strip diacritics and unify apostrophes, dashes and whitespace; keep case."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = _APOSTROPHE_RE.sub("'", stripped)
    stripped = _DASH_RE.sub("-", stripped)
    return _SPACE_RE.sub(" ", stripped)


@dataclass(frozen=True, slots=True)
class Token:
    """A word token: letters and digits between any other characters."""

    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split text into word tokens; apostrophes and hyphens separate tokens."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def _is_acronym(name: str) -> bool:
    """True for names written wholly in capitals, such as "EU" or "U.N."."""
    letters = [ch for ch in name if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def _is_all_caps(text: str) -> bool:
    """True when every cased letter is upper case and at least one is."""
    return text.isupper()


def _joinable_gap(gap: str) -> bool:
    """True if two tokens separated by `gap` may belong to one multi-word name."""
    if "\n\n" in gap.replace("\r", ""):
        return False
    # Spaces, hyphens and apostrophes join names; dots join initials ("U.N.", "Michael R. X").
    return fold(gap) in {" ", "-", "'", ".", ". "}


def _span_key(text: str, tokens: Sequence[Token], first: int, last: int) -> str | None:
    """Folded surface of tokens[first..last], or None if a gap breaks the run."""
    for i in range(first, last):
        if not _joinable_gap(text[tokens[i].end : tokens[i + 1].start]):
            return None
    return fold(text[tokens[first].start : tokens[last].end])


@dataclass(frozen=True, slots=True)
class KnownEntity:
    """An entity the archive already knows: canonical name, kind and aliases."""

    entity_id: int
    name: str
    kind: str
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Reject kinds outside the archive's vocabulary."""
        if self.kind not in ENTITY_KINDS:
            raise ValueError(f"unknown entity kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class MentionSuggestion:
    """A proposed mention of a known entity at text[start:end]."""

    entity_id: int
    start: int
    end: int
    found: str
    score: float
    kind: MatchKind


@dataclass(slots=True)
class NewEntityProposal:
    """A capitalised name that no known entity covers, with every occurrence."""

    name: str
    occurrences: list[tuple[int, int]] = field(default_factory=list)
    kind_guess: str = "other"

    @property
    def count(self) -> int:
        """Number of occurrences in the text."""
        return len(self.occurrences)


def entities_from_records(records: Iterable[Mapping[str, Any]]) -> list[KnownEntity]:
    """Build KnownEntity objects from seed JSON records, numbering them from 1."""
    return [
        KnownEntity(
            entity_id=index,
            name=str(record["name"]),
            kind=str(record.get("kind", "other")),
            aliases=tuple(str(alias) for alias in record.get("aliases", ())),
        )
        for index, record in enumerate(records, start=1)
    ]


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

    def find(self, text: str) -> list[MentionSuggestion]:
        """Return non-overlapping mention suggestions sorted by start offset."""
        tokens = tokenize(text)
        candidates = self._exact_candidates(text, tokens)
        covered = _covered_tokens(tokens, candidates)
        candidates += self._fuzzy_candidates(text, tokens, covered)
        return _select_non_overlapping(candidates)

    def _exact_candidates(self, text: str, tokens: list[Token]) -> list[MentionSuggestion]:
        """Longest exact/alias match starting at each token."""
        found: list[MentionSuggestion] = []
        for first in range(len(tokens)):
            word = tokens[first].text
            if fold(word[0])[:1] not in self._initials or not self._may_start_key(fold(word)):
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


# --------------------------------------------------------------------------------------
# New-entity proposals
# --------------------------------------------------------------------------------------

# Capitalised only because they open a sentence (or a headline); never names on their own.
STOPWORDS: frozenset[str] = frozenset(
    """
    A An The This That These Those There Here It Its We I You He She They Our Their His Her
    My Your In On At By For From With Without Into Of To As And But Or Nor So Yet If When
    While Where After Before Since Until During Earlier Later Today Yesterday Tomorrow
    Tonight Now Then Meanwhile However Also Although Though Even Still Last Next Due
    According Despite Following Amid Among Between Over Under Some Many Most Such Other
    Another Each Every All Both No Not One Two Three Please Why What Who How Which Whose
    Photo Photos Video Read More Related Share Comment
    """.split()
)
_STOPWORDS_FOLDED = frozenset(word.casefold() for word in STOPWORDS)

CALENDAR_WORDS: frozenset[str] = frozenset(
    """
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
    May June July August September October November December
    """.split()
)
_CALENDAR_FOLDED = frozenset(word.casefold() for word in CALENDAR_WORDS)

# A title before a name makes it a person; the title itself is not part of the name.
TITLE_WORDS: frozenset[str] = frozenset(
    """
    President Vice Prime Minister Chancellor Secretary Senator Governor Mayor Ambassador
    Spokesman Spokeswoman Spokesperson Commissioner Chairman Chairwoman Chair
    Colonel Captain Judge King Queen Prince Princess Pope Rabbi Sheikh Leader Premier
    Deputy Director Mr Mrs Ms Dr Sir Lady Lord
    """.split()
)
_TITLE_FOLDED = frozenset(word.casefold() for word in TITLE_WORDS)
# Object of "Secretary of State", "Minister of Defence": still part of the title.
TITLE_OBJECTS: frozenset[str] = frozenset(
    "State Defense Defence Health Justice Interior Finance Foreign Affairs Home".split()
)

ORGANIZATION_HEADS: frozenset[str] = frozenset(
    """
    Ministry Union Commission Council Committee Department Agency Party Bank Court
    Parliament Office Organization Organisation Association Movement Corporation Company
    Group Institute University Service Police Army Forces Assembly Duma Senate Congress
    Government Cabinet Fund Front Alliance League Federation Inc Ltd Corp News Times Post
    """.split()
)
PLACE_HEADS: frozenset[str] = frozenset(
    "Republic City Region Province Oblast District County Island Islands Square Street".split()
)
EVENT_HEADS: frozenset[str] = frozenset(
    "Election Elections Protests Summit War Revolution Games Olympics Festival Crisis".split()
)
# "Ministry of Foreign Affairs": "of" continues a name only after an organisation head.
_OF_CONTINUES = ORGANIZATION_HEADS | PLACE_HEADS

# Words after which a capitalised single word is a mis-capitalised verb ("Spoke with").
FUNCTION_WORDS: frozenset[str] = frozenset(
    "that the a an with to on in of at for his her their its it them him about by".split()
)
COMMON_VERBS: frozenset[str] = frozenset(
    """
    said says told spoke speaks added noted argued claimed stated warned urged called
    condemned denied accused announced insisted explained declared wrote replied
    """.split()
)
ACRONYM_MAX_LENGTH = 5
# Demonym/adjective shapes ("Belarusian", "European", "Chinese", "Polish", "Eastern"), plus
# common demonyms the suffixes miss; broader suffixes ("-an", "-i") would eat Iran or Delhi.
_ADJECTIVE_SUFFIXES = ("ian", "ean", "ese", "ish", "ern")
DEMONYMS: frozenset[str] = frozenset(
    """
    German American African Mexican Cuban Moroccan Kenyan Afghan Thai Iraqi Israeli Pakistani
    Saudi Yemeni Dutch French Greek Swiss Czech Arab Soviet Baltic Islamic Catholic Arabic
    """.split()
)
_CREDIT_WORDS = frozenset("photo photos credit credits via source pool file handout".split())
_CREDIT_RE = re.compile(r"\b(?:photo|photos|credit|credits|via|source|pool)\b", re.IGNORECASE)
_PARENTHETICAL_RE = re.compile(r"\([^()]*\)")
_SENTENCE_OPENERS = ".!?:;"
_OPENING_PUNCTUATION = "\"'“”‘’«»([{•*·–—-"


@dataclass(slots=True)
class _Run:
    """A maximal sequence of capitalised tokens (indexes into the token list)."""

    indexes: list[int]
    kind_hint: str | None = None


def propose_new_entities(text: str, known: EntityMatcher | None) -> list[NewEntityProposal]:
    """Propose capitalised names not covered by `known`, merged, in order of first use."""
    tokens = tokenize(text)
    covered = _known_coverage(text, tokens, known)
    lowercase_words = {t.text for t in tokens if t.text[:1].islower()}
    positions: dict[str, list[int]] = {}
    for index, token in enumerate(tokens):
        positions.setdefault(token.text, []).append(index)
    context = _Context(text, tokens, covered, lowercase_words, positions)
    proposals: dict[str, NewEntityProposal] = {}
    for run in _capitalised_runs(context):
        for piece in _clean_run(context, run):
            _add_proposal(proposals, context, piece)
    _merge_surnames(proposals)
    return sorted(proposals.values(), key=lambda p: p.occurrences[0][0])


@dataclass(frozen=True, slots=True)
class _Context:
    """Per-text data shared by the proposal heuristics."""

    text: str
    tokens: list[Token]
    covered: set[int]
    lowercase_words: set[str]
    positions: dict[str, list[int]]

    def gap_before(self, index: int) -> str:
        """Characters between tokens[index - 1] and tokens[index]."""
        start = self.tokens[index - 1].end if index > 0 else 0
        return self.text[start : self.tokens[index].start]

    def gap_after(self, index: int) -> str:
        """Characters between tokens[index] and tokens[index + 1]."""
        end = self.tokens[index + 1].start if index + 1 < len(self.tokens) else len(self.text)
        return self.text[self.tokens[index].end : end]

    def word(self, index: int) -> str:
        """Token text, or "" outside the token list."""
        return self.tokens[index].text if 0 <= index < len(self.tokens) else ""


def _known_coverage(text: str, tokens: list[Token], known: EntityMatcher | None) -> set[int]:
    """Indexes of tokens inside a known-entity mention."""
    if known is None:
        return set()
    spans = known.find(text)
    return _covered_tokens(tokens, spans)


def _is_capitalised(word: str) -> bool:
    """True for a word that starts with an upper-case letter."""
    return word[:1].isupper()


def _capitalised_runs(ctx: _Context) -> list[_Run]:
    """Group consecutive capitalised, uncovered tokens into runs."""
    runs: list[_Run] = []
    current: list[int] = []
    for index, token in enumerate(ctx.tokens):
        if index in ctx.covered or not _is_capitalised(token.text):
            if current and token.text == "of" and ctx.word(current[-1]) in _OF_CONTINUES:
                nxt = ctx.word(index + 1)
                if _is_capitalised(nxt) and index + 1 not in ctx.covered:
                    current.append(index)
                    continue
            if current:
                runs.append(_Run(current))
            current = []
            continue
        if current and not _continues_name(ctx.gap_before(index)):
            runs.append(_Run(current))
            current = []
        current.append(index)
    if current:
        runs.append(_Run(current))
    return runs


def _continues_name(gap: str) -> bool:
    """True if two capitalised tokens split by `gap` read as one name."""
    return fold(gap) in {" ", "-", "'"} and "\n" not in gap


def _is_sentence_initial(ctx: _Context, index: int) -> bool:
    """True if the token opens a sentence, line or quotation."""
    gap = ctx.gap_before(index)
    if index == 0 or "\n" in gap:
        return True
    stripped = gap.strip().rstrip(_OPENING_PUNCTUATION).strip()
    return stripped[-1:] in _SENTENCE_OPENERS if stripped else False


def _in_credit_context(ctx: _Context, index: int) -> bool:
    """True inside a photo credit: "(Photo: REUTERS / ...)" or "... Photo: TUT.BY VIA X"."""
    start = ctx.tokens[index].start
    text = ctx.text
    # The credit clause starts at the line, an unclosed "(" or the last sentence break.
    sentence_break = text.rfind(". ", 0, start)
    clause_start = max(text.rfind("\n", 0, start), sentence_break + 1 if sentence_break >= 0 else -1)
    paren = text.rfind("(", 0, start)
    if paren > clause_start and ")" not in text[paren:start]:
        clause_start = paren
    clause = _PARENTHETICAL_RE.sub(" ", text[clause_start + 1 : start])
    return bool(_CREDIT_RE.search(clause))


def _clean_run(ctx: _Context, run: _Run) -> list[_Run]:
    """Trim stopwords, titles, calendar words and verbs; split a run into name pieces."""
    pieces: list[_Run] = []
    current: list[int] = []
    hint: str | None = _title_hint_before(ctx, run.indexes[0])
    in_title = _after_title_of(ctx, run.indexes[0])
    for position, index in enumerate(run.indexes):
        word = ctx.word(index)
        if word in CALENDAR_WORDS or word in STOPWORDS:
            # Function words never sit inside a name: "Lukashenko More than 80%".
            current = _flush(ctx, pieces, current, hint)
            continue
        is_title = word.casefold() in _TITLE_FOLDED
        if is_title or (in_title and not current and word in TITLE_OBJECTS):
            # Everything capitalised before a title is its qualifier ("Belarusian President").
            current = []
            hint = "person"
            in_title = True
            continue
        in_title = False
        if position == len(run.indexes) - 1 and current and _is_verb_like(ctx, index):
            break
        current.append(index)
    _flush(ctx, pieces, current, hint)
    return [piece for piece in pieces if _keep_piece(ctx, piece)]


def _flush(ctx: _Context, pieces: list[_Run], current: list[int], hint: str | None) -> list[int]:
    """Close the current piece (dropping a dangling "of") and start a new one."""
    while current and ctx.word(current[-1]) == "of":
        current = current[:-1]
    if current:
        pieces.append(_Run(list(current), hint))
    return []


def _title_hint_before(ctx: _Context, index: int) -> str | None:
    """Return "person" if a (lower- or upper-case) title word or honorific precedes."""
    previous = index - 1
    if previous < 0:
        return None
    gap = ctx.gap_before(index)
    if fold(gap) not in {" ", ", "}:
        return None
    return "person" if ctx.word(previous).casefold() in _TITLE_FOLDED else None


def _after_title_of(ctx: _Context, index: int) -> bool:
    """True for "<Title> of <index>" as in "Secretary of State"."""
    return ctx.word(index - 1) == "of" and ctx.word(index - 2).casefold() in _TITLE_FOLDED


def _is_verb_like(ctx: _Context, index: int) -> bool:
    """True for a capitalised verb produced by machine translation ("Argued that")."""
    word = ctx.word(index)
    following = ctx.word(index + 1)
    if not following[:1].islower() or not _continues_name(ctx.gap_after(index)):
        return False
    lower = word.casefold()
    if lower in COMMON_VERBS:
        return True
    return lower.endswith(("ed", "ke")) and following in FUNCTION_WORDS


def _follows_comma_or_name(ctx: _Context, index: int) -> bool:
    """True if the token directly follows a comma or a capitalised/known name."""
    gap = fold(ctx.gap_before(index))
    if gap.strip() == ",":
        return True
    previous = index - 1
    return gap == " " and previous >= 0 and (previous in ctx.covered or _is_capitalised(ctx.word(previous)))


def _keep_piece(ctx: _Context, piece: _Run) -> bool:
    """Decide whether a cleaned piece is worth proposing."""
    indexes = piece.indexes
    words = [ctx.word(i) for i in indexes]
    if all(_is_all_caps(w) and len(w) > 1 for w in words):
        return _keep_all_caps(ctx, indexes)
    if all(_is_adjective_shaped(w) for w in words):
        if ctx.word(indexes[-1] + 1)[:1].islower() or len(words) > 1:
            return False  # adjectival use: "Belarusian police", "Eastern European country"
    if len(indexes) > 1:
        return True
    return _keep_single(ctx, indexes[0])


def _is_adjective_shaped(word: str) -> bool:
    """True for demonyms and adjectives of place, which describe rather than name."""
    return word in DEMONYMS or (word.endswith(_ADJECTIVE_SUFFIXES) and not _is_all_caps(word))


def _keep_single(ctx: _Context, index: int) -> bool:
    """Heuristics for a lone capitalised word."""
    word = ctx.word(index)
    if len(word) < 2 or word.casefold() in _CREDIT_WORDS:
        return False
    if _is_sentence_initial(ctx, index):
        # Capitalised by position only; keep it only if it also appears capitalised mid-sentence.
        return _seen_mid_sentence(ctx, word, index)
    if _follows_comma_or_name(ctx, index) and _is_verb_like(ctx, index):
        return False
    if word.casefold() in COMMON_VERBS:
        return False
    # A mid-sentence capital whose lower-case form is used elsewhere is a translation glitch.
    return word.lower() not in ctx.lowercase_words


def _seen_mid_sentence(ctx: _Context, word: str, skip: int) -> bool:
    """True if `word` occurs capitalised somewhere other than a sentence start."""
    return any(i != skip and not _is_sentence_initial(ctx, i) for i in ctx.positions.get(word, ()))


def _keep_all_caps(ctx: _Context, indexes: list[int]) -> bool:
    """Keep acronyms in running text; drop credit words ("REUTERS") unless they recur."""
    words = [ctx.word(i) for i in indexes]
    occurrences = 0
    for start in ctx.positions.get(words[0], ()):
        if [ctx.word(start + k) for k in range(len(words))] == words and not any(
            _in_credit_context(ctx, start + k) for k in range(len(words))
        ):
            occurrences += 1
    if occurrences >= 2:
        return True
    if any(_in_credit_context(ctx, i) for i in indexes):
        return False
    # Short capitals are acronyms (NATO, KGB); a long shouted word once is a credit/dateline.
    return len(words) == 1 and len(words[0]) <= ACRONYM_MAX_LENGTH


def _guess_kind(ctx: _Context, piece: _Run) -> str:
    """Guess the entity kind from title hints and head words."""
    words = [ctx.word(i) for i in piece.indexes]
    if piece.kind_hint:
        return piece.kind_hint
    head = words[-1]
    if head in ORGANIZATION_HEADS or any(w in ORGANIZATION_HEADS for w in words):
        return "organization"
    if head in EVENT_HEADS:
        return "event"
    if head in PLACE_HEADS or words[0] in PLACE_HEADS:
        return "place"
    if len(words) in (2, 3) and _in_credit_context(ctx, piece.indexes[0]):
        return "person"  # a photographer's name in a credit line
    return "other"


def _add_proposal(proposals: dict[str, NewEntityProposal], ctx: _Context, piece: _Run) -> None:
    """Record one occurrence, merging with earlier occurrences of the same name."""
    start = ctx.tokens[piece.indexes[0]].start
    end = ctx.tokens[piece.indexes[-1]].end
    name = fold(ctx.text[start:end]).strip()
    key = name.casefold()
    kind = _guess_kind(ctx, piece)
    proposal = proposals.get(key)
    if proposal is None:
        proposals[key] = NewEntityProposal(name, [(start, end)], kind)
        return
    proposal.occurrences.append((start, end))
    if proposal.kind_guess == "other":
        proposal.kind_guess = kind


def _merge_surnames(proposals: dict[str, NewEntityProposal]) -> None:
    """Fold a lone surname ("Pompeo") into the full person name ("Mike Pompeo")."""
    people = [p for p in proposals.values() if p.kind_guess in {"person", "other"} and " " in p.name]
    for key, proposal in list(proposals.items()):
        if " " in proposal.name:
            continue
        owners = [p for p in people if p.name.split(" ")[-1] == proposal.name]
        if len(owners) == 1:
            owners[0].occurrences.extend(proposal.occurrences)
            owners[0].occurrences.sort()
            if proposal.kind_guess == "person":
                owners[0].kind_guess = "person"
            del proposals[key]

"""Find remembered wrong forms (the "memory of fixes") in article text, exactly or fuzzily.

Exact matching uses one compiled, prefix-factored (trie) alternation regex per
(case_sensitive, whole_word) combination present in the glossary; whitespace inside a
form matches any whitespace run, and whole-word forms may not touch a Unicode word
character (letter, digit or underscore) on either side.

Fuzzy matching is token based and deliberately conservative. A text token is reported
as a fuzzy variant of a single-word wrong form only if:

* the entry has ``fuzzy=True`` and both the wrong form and the token have at least
  ``MIN_FUZZY_LETTERS`` (5) letters;
* the token starts with the same letter as the wrong form (machine-translation
  misspellings of names keep the initial, and the guard removes most look-alikes);
* ``rapidfuzz.fuzz.ratio`` (normalised Indel similarity, 0-100) is >= ``FUZZY_CUTOFF``
  (85); rapidfuzz's cutoff also discards choices whose length alone cannot reach it
  (a ratio of 85 needs shorter >= 0.74 x longer);
* the token is not the preferred form of any entry (a known-good word is never "fixed").

Multi-word wrong forms ("Michelle Belchett") are compared the same way, as a whole, with
the same number of consecutive words separated only by whitespace, a hyphen or an
apostrophe; a phrase is only tried where its first word resembles the form's first word
(ratio >= ``MULTIWORD_FIRST_WORD_CUTOFF``, a gate, not a verdict).

With these rules "Belchet" and "Belchett" match "Belchett", "Tikhanovskaya" matches
"Tikhnovskaya" (ratio 96), while "Bachelet" (62.5), "Bachelor" (50), "Belarus" (40) and
"the" do not.  Fuzzy comparison ignores case for case-insensitive entries and respects it
for case-sensitive ones; it is always aligned on whole words, whatever ``whole_word`` says.
A fuzzy hit on a house-style variant of the preferred form (e.g. "Tsikhanovskaya",
ratio 92 to "Tikhnovskaya") is reported on purpose: the glossary names the house form.

Verdicts are cached per distinct token on the matcher, because news vocabulary repeats
from article to article; a typical article then costs a few dictionary look-ups plus
the exact regex scan.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Literal

from rapidfuzz import fuzz, process

MatchKind = Literal["exact", "fuzzy"]

FUZZY_CUTOFF = 85.0
MIN_FUZZY_LETTERS = 5
# Only a gate for multi-word forms (the full phrase must still reach FUZZY_CUTOFF).
MULTIWORD_FIRST_WORD_CUTOFF = 70.0
_CACHE_LIMIT = 200_000

_LETTERS_RE = re.compile(r"[^\W\d_]+")
_LETTER_RE = re.compile(r"[^\W\d_]")
_SPACE_RE = re.compile(r"\s+")
# Characters allowed between the words of a multi-word fuzzy candidate.
_JOINERS = frozenset("-'’")


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    """A remembered fix: any of wrong_forms should read preferred."""

    entry_id: int
    wrong_forms: tuple[str, ...]
    preferred: str
    case_sensitive: bool
    whole_word: bool
    fuzzy: bool = True


@dataclass(frozen=True, slots=True)
class GlossaryMatch:
    """One occurrence of a wrong form (or a close variant of one) in a text."""

    entry_id: int
    start: int
    end: int
    found: str
    preferred: str
    score: float
    kind: MatchKind


@dataclass(frozen=True, slots=True)
class _Form:
    """A wrong form prepared for fuzzy comparison."""

    term: GlossaryTerm
    key: str
    words: int
    first_word: str


def _fold(text: str, case_sensitive: bool) -> str:
    """Normalise whitespace runs to one space and, unless case matters, lower-case."""
    text = _SPACE_RE.sub(" ", text.strip())
    return text if case_sensitive else text.lower()


def _same_as_preferred(term: GlossaryTerm, found: str) -> bool:
    """Tell whether found already is the preferred form (by the entry's case rule)."""
    return _fold(found, term.case_sensitive) == _fold(term.preferred, term.case_sensitive)


def _trie_pattern(forms: Iterable[str]) -> str:
    """Build a prefix-factored alternation; whitespace in a form matches any whitespace run."""
    root: dict[str, dict] = {}
    for form in forms:
        node = root
        for unit in re.findall(r"\s+|.", form.strip(), flags=re.DOTALL):
            node = node.setdefault(r"\s+" if unit.isspace() else re.escape(unit), {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [unit + emit(child) for unit, child in sorted(node.items()) if unit]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # Greedy optional tail: the longest form sharing this prefix is tried first.
        return "(?:" + body + ")?" if "" in node else body

    return emit(root)


class _ExactScanner:
    """One compiled trie regex for every form sharing a case and word-boundary rule."""

    def __init__(self, forms: dict[str, GlossaryTerm], case_sensitive: bool, whole_word: bool):
        self._case_sensitive = case_sensitive
        self._by_key = {_fold(form, case_sensitive): term for form, term in forms.items()}
        body = _trie_pattern(forms)
        if whole_word:
            body = r"(?<!\w)(?:" + body + r")(?!\w)"
        self._regex = re.compile(body, 0 if case_sensitive else re.IGNORECASE)

    def scan(self, text: str) -> list[GlossaryMatch]:
        """Return the exact occurrences in text (possibly equal to the preferred form)."""
        out = []
        for m in self._regex.finditer(text):
            found = m.group()
            term = self._by_key.get(_fold(found, self._case_sensitive))
            if term is None:
                term = self._slow_lookup(found)
            if term is not None and not _same_as_preferred(term, found):
                out.append(GlossaryMatch(term.entry_id, m.start(), m.end(), found, term.preferred, 100.0, "exact"))
        return out

    def _slow_lookup(self, found: str) -> GlossaryTerm | None:
        """Resolve a match whose case folding differs from str.lower (e.g. the long s)."""
        flags = 0 if self._case_sensitive else re.IGNORECASE
        for key, term in self._by_key.items():
            if re.fullmatch(_trie_pattern([key]), found, flags):
                return term
        return None


@dataclass(frozen=True, slots=True)
class _Bucket:
    """Fuzzy forms sharing a case rule and first letter, with parallel lists for rapidfuzz."""

    forms: list[_Form]
    keys: list[str]
    first_words: list[str]


@dataclass(frozen=True, slots=True)
class _PhraseGroup:
    """Multi-word forms a token may start, sharing word count and case rule."""

    words: int
    case_sensitive: bool
    forms: tuple[_Form, ...]
    keys: tuple[str, ...]


# A token's verdict: (best single-word form and score, phrase groups it may start).
_Verdict = tuple[tuple[_Form, float] | None, tuple[_PhraseGroup, ...]]
_NO_HIT: _Verdict = (None, ())


class GlossaryMatcher:
    """Compile a glossary once, then find its wrong forms in many texts."""

    def __init__(self, terms: Iterable[GlossaryTerm]) -> None:
        self.terms: tuple[GlossaryTerm, ...] = tuple(terms)
        self._scanners = self._build_scanners()
        self._known_good = {_fold(t.preferred, cs) for t in self.terms for cs in (True, False)}
        self._single: dict[tuple[bool, str], _Bucket] = {}
        self._multi: dict[tuple[bool, str], _Bucket] = {}
        self._build_fuzzy_index()
        self._has_fuzzy = bool(self._single or self._multi)
        self._verdicts: dict[str, _Verdict] = {}

    def _build_scanners(self) -> list[_ExactScanner]:
        """Group exact forms by (case_sensitive, whole_word); the first entry wins a clash."""
        groups: dict[tuple[bool, bool], dict[str, GlossaryTerm]] = {}
        for term in self.terms:
            group = groups.setdefault((term.case_sensitive, term.whole_word), {})
            for form in term.wrong_forms:
                if form.strip():
                    group.setdefault(form.strip(), term)
        # An empty alternation would match the empty string everywhere.
        return [_ExactScanner(forms, cs, ww) for (cs, ww), forms in groups.items() if forms]

    def _build_fuzzy_index(self) -> None:
        """Bucket fuzzy-eligible wrong forms by (case rule, first letter)."""
        for term in self.terms:
            if not term.fuzzy:
                continue
            for raw in term.wrong_forms:
                words = _LETTERS_RE.findall(raw)
                if sum(map(len, words)) < MIN_FUZZY_LETTERS:
                    continue
                cs = term.case_sensitive
                form = _Form(term, _fold(raw, cs), len(words), _fold(words[0], cs))
                index = self._single if len(words) == 1 else self._multi
                bucket = index.setdefault((cs, form.first_word[0]), _Bucket([], [], []))
                bucket.forms.append(form)
                bucket.keys.append(form.key)
                bucket.first_words.append(form.first_word)

    def find(self, text: str) -> list[GlossaryMatch]:
        """Return non-overlapping matches sorted by start (exact, then longer, then better)."""
        candidates: list[GlossaryMatch] = []
        for scanner in self._scanners:
            candidates.extend(scanner.scan(text))
        if self._has_fuzzy:
            candidates.extend(self._fuzzy(text))
        return _resolve(candidates)

    def _fuzzy(self, text: str) -> list[GlossaryMatch]:
        """Return fuzzy candidates; overlaps are left to the resolver."""
        verdicts = self._verdicts
        out: list[GlossaryMatch] = []
        # Judge each distinct token once (cached across calls); locate only the hits.
        for token in set(_LETTERS_RE.findall(text)):
            verdict = verdicts.get(token)
            if verdict is None:
                verdict = self._judge(token)
            if verdict is _NO_HIT:
                continue
            single, starts = verdict
            for start, end in _occurrences(text, token):
                if single is not None:
                    form, score = single
                    out.append(
                        GlossaryMatch(
                            form.term.entry_id,
                            start,
                            end,
                            token,
                            form.term.preferred,
                            score,
                            "fuzzy",
                        )
                    )
                for group in starts:
                    match = self._phrase_match(text, start, end, group)
                    if match is not None:
                        out.append(match)
        return out

    def _judge(self, token: str) -> _Verdict:
        """Compute and cache what a distinct token can be a fuzzy variant of."""
        if len(self._verdicts) >= _CACHE_LIMIT:
            self._verdicts.clear()
        single = self._single_verdict(token)
        starts = self._phrase_starts(token)
        verdict = _NO_HIT if single is None and not starts else (single, starts)
        self._verdicts[token] = verdict
        return verdict

    def _single_verdict(self, token: str) -> tuple[_Form, float] | None:
        """Find the best single-word wrong form within the fuzzy cutoff, if any."""
        if len(token) < MIN_FUZZY_LETTERS:
            return None
        best: tuple[_Form, float] | None = None
        for case_sensitive in (False, True):
            probe = _fold(token, case_sensitive)
            if probe in self._known_good:
                return None
            bucket = self._single.get((case_sensitive, probe[0]))
            if bucket is None:
                continue
            # rapidfuzz skips choices whose length cannot reach the cutoff on its own.
            found = process.extractOne(probe, bucket.keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if found is not None and (best is None or found[1] > best[1]):
                best = (bucket.forms[found[2]], float(found[1]))
        return best

    def _phrase_starts(self, token: str) -> tuple[_PhraseGroup, ...]:
        """Group the multi-word forms whose first word resembles token (a cheap gate)."""
        groups: dict[tuple[int, bool], list[_Form]] = {}
        for case_sensitive in (False, True):
            probe = _fold(token, case_sensitive)
            bucket = self._multi.get((case_sensitive, probe[0]))
            if bucket is None:
                continue
            for _, _, i in process.extract(
                probe,
                bucket.first_words,
                scorer=fuzz.ratio,
                score_cutoff=MULTIWORD_FIRST_WORD_CUTOFF,
                limit=None,
            ):
                form = bucket.forms[i]
                groups.setdefault((form.words, case_sensitive), []).append(form)
        # Shared first names ("Sergei ...") are common: one phrase, one extractOne per group.
        return tuple(
            _PhraseGroup(words, cs, tuple(forms), tuple(f.key for f in forms)) for (words, cs), forms in groups.items()
        )

    def _phrase_match(self, text: str, start: int, end: int, group: _PhraseGroup) -> GlossaryMatch | None:
        """Compare the group.words tokens starting at text[start:end] with the group's forms."""
        taken = 1
        for m in islice(_LETTERS_RE.finditer(text, end), group.words - 1):
            gap = text[end : m.start()]
            if not (gap.isspace() or gap in _JOINERS):
                return None
            end = m.end()
            taken += 1
        if taken < group.words:
            return None
        found = text[start:end]
        probe = _fold(found, group.case_sensitive)
        best = process.extractOne(probe, group.keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if best is None or probe in self._known_good:
            return None
        term = group.forms[best[2]].term
        return GlossaryMatch(term.entry_id, start, end, found, term.preferred, float(best[1]), "fuzzy")


def _occurrences(text: str, token: str) -> Iterator[tuple[int, int]]:
    """Yield the spans where token occurs as a whole letter run (as the tokenizer saw it)."""
    size = len(token)
    pos = text.find(token)
    while pos != -1:
        end = pos + size
        before = pos > 0 and _LETTER_RE.match(text, pos - 1) is not None
        after = end < len(text) and _LETTER_RE.match(text, end) is not None
        if not (before or after):
            yield pos, end
        pos = text.find(token, end if not (before or after) else pos + 1)


def _resolve(candidates: Iterable[GlossaryMatch]) -> list[GlossaryMatch]:
    """Keep a non-overlapping subset: exact first, then longer, then higher score."""
    ranked = sorted(
        set(candidates),
        key=lambda m: (m.kind != "exact", -(m.end - m.start), -m.score, m.start, m.entry_id),
    )
    starts: list[int] = []
    kept: list[GlossaryMatch] = []
    for match in ranked:
        pos = bisect_left(starts, match.start)
        if pos > 0 and kept[pos - 1].end > match.start:
            continue
        if pos < len(kept) and kept[pos].start < match.end:
            continue
        starts.insert(pos, match.start)
        kept.insert(pos, match)
    return kept

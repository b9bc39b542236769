"""New-entity proposals: capitalised names the known entities miss, without machine-translation noise.

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

import re
from dataclasses import dataclass, field

from annotations.entity_matching.matcher import EntityMatcher, _covered_tokens
from annotations.entity_matching.tokenising import Token, _is_all_caps, fold, tokenize
from annotations.entity_matching.vocabulary import (
    _ADJECTIVE_SUFFIXES,
    _CREDIT_WORDS,
    _OF_CONTINUES,
    _TITLE_FOLDED,
    CALENDAR_WORDS,
    COMMON_VERBS,
    DEMONYMS,
    EVENT_HEADS,
    FUNCTION_WORDS,
    ORGANIZATION_HEADS,
    PLACE_HEADS,
    STOPWORDS,
    TITLE_OBJECTS,
)

ACRONYM_MAX_LENGTH = 5
_CREDIT_RE = re.compile(r"\b(?:photo|photos|credit|credits|via|source|pool)\b", re.IGNORECASE)
_PARENTHETICAL_RE = re.compile(r"\([^()]*\)")
_SENTENCE_OPENERS = ".!?:;"
_OPENING_PUNCTUATION = "\"'“”‘’«»([{•*·–—-"


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


@dataclass(slots=True)
class _Run:
    """A maximal sequence of capitalised tokens (indexes into the token list)."""

    indexes: list[int]
    kind_hint: str | None = None


def propose_new_entities(
    text: str, known: EntityMatcher | None, *, tokens: list[Token] | None = None
) -> list[NewEntityProposal]:
    """Propose capitalised names not covered by `known`, merged, in order of first use (`tokens`: the text's)."""
    tokens = tokenize(text) if tokens is None else tokens
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
    covered = ctx.covered
    for index, token in enumerate(ctx.tokens):
        if index in covered or not token.text[:1].isupper():
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

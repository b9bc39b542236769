"""Reader search queries made safe for the engines, and result snippets (pure: no Django).

Whatever a reader types (quotes, `*`, `-`, operators, SQL, emoji, 10,000 characters) becomes a
small structure of plain words, which is then written out in the exact syntax of PostgreSQL's
`to_tsquery` or SQLite FTS5 with every word quoted, so neither parser can ever fail on it:

* words are runs of letters and digits (any script); everything else separates them;
* `"several words"` is a phrase (an unclosed quote runs to the end);
* a leading `-` excludes a word or phrase; a trailing `*` makes the last word a prefix;
* AND / OR / NOT in capitals are dropped (every word is required; NOT x means -x);
* at most MAX_QUERY_CHARS characters and MAX_TERMS terms are read.
"""

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_WORD_CHARS = 60

_PIECE_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
WORD_RE = re.compile(r"[^\W_]+")
_OPERATORS = {"AND", "OR"}


@dataclass(frozen=True)
class Term:
    """One required (or excluded) word or phrase."""

    words: tuple[str, ...]
    negated: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...] = ()

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if not term.negated)

    @property
    def is_empty(self) -> bool:
        """True when nothing is required: there is nothing to search for."""
        return not self.positive

    def words(self) -> list[str]:
        """The required words, for highlighting."""
        return [word for term in self.positive for word in term.words]

    def __str__(self) -> str:
        return " ".join(_term_text(term) for term in self.terms)


def _term_text(term: Term) -> str:
    text = " ".join(term.words)
    text = f'"{text}"' if len(term.words) > 1 else text
    return ("-" if term.negated else "") + text + ("*" if term.prefix else "")


def parse_query(raw: str | None) -> ParsedQuery:
    """Read a reader's query into terms; never raises, returns an empty query for nothing usable."""
    text = unicodedata.normalize("NFKC", (raw or "")[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS]
    terms: list[Term] = []
    negate_next = False
    for match in _PIECE_RE.finditer(text):
        minus, phrase, bare = match.groups()
        if bare is not None and bare in _OPERATORS:
            continue
        if bare == "NOT":
            negate_next = True
            continue
        source = phrase if phrase is not None else bare
        negated = negate_next or bool(minus) or (bare is not None and bare.startswith("-"))
        negate_next = False
        words = tuple(word[:MAX_WORD_CHARS] for word in WORD_RE.findall(source))
        if words:
            prefix = phrase is None and source.endswith("*")
            terms.append(Term(words, negated, prefix))
        if len(terms) == MAX_TERMS:
            break
    return ParsedQuery(tuple(dict.fromkeys(terms)))


def words_query(words: list[str]) -> ParsedQuery:
    """A query made of the given words (for "any of these words" searches)."""
    return ParsedQuery(tuple(Term(tuple(WORD_RE.findall(word))) for word in words if WORD_RE.search(word)))


def to_tsquery(query: ParsedQuery, *, any_of: bool = False) -> str:
    """The query in PostgreSQL to_tsquery syntax, every word single-quoted; "" when empty."""
    if query.is_empty:
        return ""
    parts = []
    for term in query.terms:
        if term.negated and any_of:
            continue
        lexeme = "'" + " ".join(term.words) + "'" + (":*" if term.prefix else "")
        parts.append(("!" if term.negated else "") + lexeme)
    return (" | " if any_of else " & ").join(parts)


def to_fts5(query: ParsedQuery, *, any_of: bool = False) -> str:
    """The query in SQLite FTS5 syntax, every word double-quoted; "" when empty."""
    if query.is_empty:
        return ""
    required = [_fts5_phrase(term) for term in query.positive]
    text = "(" + (" OR " if any_of else " ").join(required) + ")"
    if not any_of:
        text += "".join(f" NOT {_fts5_phrase(term)}" for term in query.terms if term.negated)
    return text


def _fts5_phrase(term: Term) -> str:
    # Words hold only letters and digits, so no quote can appear inside; "x" * is FTS5's prefix query.
    return '"' + " ".join(term.words) + '"' + (" *" if term.prefix else "")


# --------------------------------------------------------------------------- snippets


@dataclass(frozen=True)
class SnippetPart:
    text: str
    hit: bool = False


def _stem(word: str) -> str:
    """A crude stem, only to highlight inflected forms the engine matched by stemming."""
    word = word.casefold()
    return word[: max(len(word) - 2, 4)] if len(word) > 5 else word


def snippet(text: str, query: ParsedQuery, *, width: int = 240) -> list[SnippetPart]:
    """About `width` characters of `text` around the first hit, hits marked; the opening if none."""
    stems = [(_stem(word), len(word) <= 5) for word in query.words()]
    hits = []
    for match in WORD_RE.finditer(text):
        folded = match.group().casefold()
        if any(folded == stem if exact else folded.startswith(stem) for stem, exact in stems):
            hits.append((match.start(), match.end()))
    first = hits[0][0] if hits else 0
    start = max(0, first - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first else end
    parts, cursor = [], start
    for hit_start, hit_end in hits:
        if hit_start < start or hit_end > end:
            continue
        if hit_start > cursor:
            parts.append(SnippetPart(text[cursor:hit_start]))
        parts.append(SnippetPart(text[hit_start:hit_end], hit=True))
        cursor = hit_end
    if cursor < end:
        parts.append(SnippetPart(text[cursor:end]))
    if start > 0:
        parts.insert(0, SnippetPart("…"))
    if end < len(text):
        parts.append(SnippetPart("…"))
    return parts


# --------------------------------------------------------------------------- key terms

#: Frequent English function words: never what an article is about.
STOPWORDS = frozenset(
    """
    about above after again against also although among another because been before being below between both
    could does doing down during each even every from further have having here however into itself just
    last like made make many more most much must near never news only other over said same says should
    since some such than that their them then there these they this those through today under until upon
    very were what when where which while whom will with within would year years your according told
    """.split()
)


def key_terms(headline: str, body: str, *, limit: int = 10) -> list[str]:
    """The words an article is most about: frequent, long, not function words; names and headline words count more."""
    scores: dict[str, float] = {}
    shown: dict[str, str] = {}
    for weight, text in ((3.0, headline), (1.0, body)):
        for match in WORD_RE.finditer(text):
            word = match.group()
            folded = word.casefold()
            if len(folded) < 4 or folded.isdigit() or folded in STOPWORDS:
                continue
            bonus = 1.0 if word[:1].isupper() else 0.0
            scores[folded] = scores.get(folded, 0.0) + weight + bonus
            shown.setdefault(folded, word)
    ranked = sorted(scores, key=lambda word: (-scores[word], word))
    return [shown[word] for word in ranked[:limit]]

"""Folding (diacritics, apostrophes, dashes, whitespace) and word tokens, shared by matching and proposals."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

# Combining marks stay inside a token so decomposed input ("Bache\u0301let") is one word. Written as
# runs (letters, then marks and letters) rather than one alternation per character: a third faster.
_TOKEN_RE = re.compile(r"[^\W_]+(?:[\u0300-\u036f]+[^\W_]*)*")
_APOSTROPHES = "'’‘ʼ`´"
_DASHES = "-‐‑‒–—"
_APOSTROPHE_RE = re.compile(f"[{_APOSTROPHES}]")
_DASH_RE = re.compile(f"[{_DASHES}]")
_SPACE_RE = re.compile(r"\s+")


#: Words and gaps are folded over and over (every token of every text): short strings are folded once.
FOLD_CACHED_LENGTH = 64


def fold(text: str) -> str:
    """Strip diacritics and unify apostrophes, dashes and whitespace; keep case."""
    return _fold_short(text) if len(text) <= FOLD_CACHED_LENGTH else _fold(text)


@lru_cache(maxsize=65536)
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = _APOSTROPHE_RE.sub("'", stripped)
    stripped = _DASH_RE.sub("-", stripped)
    return _SPACE_RE.sub(" ", stripped)


class Token(NamedTuple):
    """A word token: letters and digits between any other characters (a tuple: texts have thousands)."""

    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split text into word tokens; apostrophes and hyphens separate tokens."""
    return list(map(Token._make, [(m[0], m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]))


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

"""Resolving selectors in one text: stored position, then exact quote, then an approximate match.

Used on the new text when the edits are unknown, and on the old text before carrying spans through
known edits. The exact quote picks the occurrence with the best context, then the nearest one; the
approximate match is scored with rapidfuzz, and anything below ``MIN_FUZZY_SCORE`` is orphaned,
never moved.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from annotations.anchoring.selectors import Selectors

# Weighted score of a fuzzy candidate: quote similarity dominates, context confirms the place.
QUOTE_WEIGHT = 0.8
CONTEXT_WEIGHT = 0.2

# Similarities are 1 - Levenshtein distance / longer length. With intact context a candidate passes
# when its quote is >= 68.75% similar ((0.75 - 0.2) / 0.8), i.e. about 3 characters in 10 may
# differ; with the context gone too it needs >= 93.75% (0.75 / 0.8). That admits typo fixes and a
# reworded word or two, and rejects rewritten passages: pointing at the wrong words is worse than
# orphaning, because an orphan is shown for review while a wrong move is silent.
MIN_FUZZY_SCORE = 0.75

# Bound the work per fuzzy lookup (keeps a 200-character quote in 50 KB well under 20 ms).
MAX_FUZZY_CANDIDATES = 8
MAX_REFINED = 3

Strategy = Literal["position", "quote", "fuzzy", "edits", "orphaned"]


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a selector resolved in a text; start/end are None for an orphan."""

    start: int | None
    end: int | None
    strategy: Strategy
    score: float

    @classmethod
    def orphan(cls, score: float = 0.0) -> Anchor:
        """Return an unplaced anchor carrying the best rejected score."""
        return cls(None, None, "orphaned", score)

    @property
    def is_orphan(self) -> bool:
        """Whether no acceptable place was found."""
        return self.start is None

    @property
    def span(self) -> tuple[int, int] | None:
        """``(start, end)`` or None for an orphan."""
        if self.start is None or self.end is None:
            return None
        return self.start, self.end


def resolve(selectors: Selectors, text: str, *, min_score: float = MIN_FUZZY_SCORE) -> Anchor:
    """Find the selectors' target in ``text``: position, then quote, then fuzzy, else orphan."""
    start, end, exact = selectors.start, selectors.end, selectors.exact
    if start is not None and end is not None and end <= len(text):
        if exact is None or text[start:end] == exact:
            return Anchor(start, end, "position", 1.0)
    if exact is None:
        return Anchor.orphan()
    found = _resolve_quote(selectors, exact, text)
    if found is not None:
        return found
    return _resolve_fuzzy(selectors, exact, text, min_score)


def _similarity(a: str, b: str) -> float:
    """1 - Levenshtein distance / longer length, in [0, 1]."""
    # Same metric as boundary refinement, so the best-aligned span is also the best-scored one.
    return Levenshtein.normalized_similarity(a, b)


def _context_score(selectors: Selectors, text: str, start: int, end: int) -> float | None:
    """Mean similarity of the stored prefix/suffix to the text around a span."""
    prefix, suffix = selectors.prefix, selectors.suffix
    scores = []
    if prefix:
        scores.append(_similarity(prefix, text[max(0, start - len(prefix)) : start]))
    if suffix:
        scores.append(_similarity(suffix, text[end : end + len(suffix)]))
    return sum(scores) / len(scores) if scores else None


def _distance(selectors: Selectors, start: int) -> int:
    """Distance from the stored position (or from the text start when there is none)."""
    return abs(start - (selectors.start or 0))


def _resolve_quote(selectors: Selectors, exact: str, text: str) -> Anchor | None:
    """Pick the exact occurrence with the best context, then the nearest one."""
    best: tuple[float, int, int] | None = None
    pos = text.find(exact)
    while pos != -1:
        context = _context_score(selectors, text, pos, pos + len(exact))
        # Rounded so float noise cannot beat a genuinely nearer occurrence.
        key = (round(context if context is not None else 1.0, 9), -_distance(selectors, pos), pos)
        if best is None or key[:2] > best[:2]:
            best = key
        pos = text.find(exact, pos + 1)
    if best is None:
        return None
    return Anchor(best[2], best[2] + len(exact), "quote", 1.0)


def _fuzzy_score(selectors: Selectors, exact: str, text: str, start: int, end: int) -> float:
    """Weighted quote + context similarity of a candidate span."""
    quote = _similarity(exact, text[start:end])
    context = _context_score(selectors, text, start, end)
    if context is None:
        return quote
    return QUOTE_WEIGHT * quote + CONTEXT_WEIGHT * context


def _resolve_fuzzy(selectors: Selectors, exact: str, text: str, min_score: float) -> Anchor:
    """Score a few cheap candidate regions and accept the best one above ``min_score``."""
    rough: dict[tuple[int, int], float] = {}
    for guess in _candidate_starts(selectors, exact, text):
        found = _rough_align(exact, text, guess)
        if found is not None:
            rough[found[0]] = max(found[1], rough.get(found[0], 0.0))
    # Boundary refinement is the costly step: only the most promising regions get it.
    ranked = sorted(rough, key=lambda span: (-rough[span], _distance(selectors, span[0])))
    best: tuple[float, int, int, int] | None = None
    for span in ranked[:MAX_REFINED]:
        start, end = _refine(exact, text, *span)
        score = _fuzzy_score(selectors, exact, text, start, end)
        key = (round(score, 9), -_distance(selectors, start), start, end)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None:
        return Anchor.orphan()
    score, _, start, end = best
    if score < min_score:
        return Anchor.orphan(score)
    return Anchor(start, end, "fuzzy", score)


def _seed_occurrences(text: str, needle: str, limit: int) -> list[int]:
    """Offsets of up to ``limit`` exact occurrences of ``needle``."""
    found: list[int] = []
    pos = text.find(needle)
    while pos != -1 and len(found) < limit:
        found.append(pos)
        pos = text.find(needle, pos + 1)
    return found


def _candidate_starts(selectors: Selectors, exact: str, text: str) -> list[int]:
    """Guess where the quote might start, from exact hits of its chunks and of its context."""
    size = max(3, min(16, len(exact) // 4))
    limit = 64
    votes: Counter[int] = Counter()
    for offset in range(0, max(1, len(exact) - size + 1), size):
        for hit in _seed_occurrences(text, exact[offset : offset + size], limit):
            votes[hit - offset] += 1
    if len(selectors.prefix) >= size:
        for hit in _seed_occurrences(text, selectors.prefix[-size:], limit):
            votes[hit + size] += 1
    if len(selectors.suffix) >= size:
        for hit in _seed_occurrences(text, selectors.suffix[:size], limit):
            votes[hit - len(exact)] += 1
    guesses = _cluster(votes, tolerance=max(4, len(exact) // 8))
    guesses.sort(key=lambda g: (-g[1], _distance(selectors, g[0])))
    starts = [g[0] for g in guesses[:MAX_FUZZY_CANDIDATES]]
    # One global alignment catches quotes with no intact chunk; cheap (bit-parallel, ~1 ms/50 KB).
    overall = fuzz.partial_ratio_alignment(exact, text)
    if overall is not None and overall.score > 0:
        starts.append(overall.dest_start)
    if selectors.start is not None and selectors.start <= len(text):
        starts.append(selectors.start)
    return starts


def _cluster(votes: Counter[int], tolerance: int) -> list[tuple[int, int]]:
    """Merge nearby start guesses into (most-voted start, total votes) clusters."""
    clusters: list[tuple[int, int]] = []
    group: list[int] = []
    for guess in sorted(votes):
        if group and guess - group[-1] > tolerance:
            clusters.append(_summarise(group, votes))
            group = []
        group.append(guess)
    if group:
        clusters.append(_summarise(group, votes))
    return clusters


def _summarise(group: list[int], votes: Counter[int]) -> tuple[int, int]:
    """Representative start and weight of one cluster."""
    return max(group, key=lambda g: votes[g]), sum(votes[g] for g in group)


def _rough_align(exact: str, text: str, guess: int) -> tuple[tuple[int, int], float] | None:
    """Quote-length span best matching near ``guess`` and its partial_ratio score."""
    slack = max(8, len(exact) // 4)
    lo = max(0, guess - slack)
    hi = min(len(text), guess + len(exact) + slack)
    if lo >= hi:
        return None
    found = fuzz.partial_ratio_alignment(exact, text[lo:hi])
    if found is None or found.dest_start >= found.dest_end:
        return None
    return (lo + found.dest_start, lo + found.dest_end), found.score


def _refine(exact: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Move the boundaries to minimise edit distance, then trim stray edge whitespace."""
    # partial_ratio keeps the quote's length; insertions/deletions need the boundaries to move.
    reach = max(4, len(exact) // 4)
    for _ in range(3):
        moved = _best_boundary(exact, text, start, end, reach, move_start=True)
        moved_end = _best_boundary(exact, text, moved, end, reach, move_start=False)
        if (moved, moved_end) == (start, end):
            break
        start, end = moved, moved_end
    return _trim_whitespace(exact, text, start, end)


def _trim_whitespace(exact: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Drop edge whitespace the quote itself does not have."""
    if not exact[0].isspace():
        while start < end - 1 and text[start].isspace():
            start += 1
    if not exact[-1].isspace():
        while end - 1 > start and text[end - 1].isspace():
            end -= 1
    return start, end


def _best_boundary(exact: str, text: str, start: int, end: int, reach: int, *, move_start: bool) -> int:
    """Shift one boundary within ``reach`` to minimise edit distance (ties: smallest shift)."""
    # Levenshtein, not Indel: Indel would rather drop a substituted edge character than keep it.
    # Raw distance (not normalised) so a longer span is never favoured just for its length.
    fixed, moving = (end, start) if move_start else (start, end)
    best_pos, best_cost = moving, max(len(exact), end - start) + reach + 1
    for shift in sorted(range(-reach, reach + 1), key=abs):
        pos = moving + shift
        a, b = (pos, fixed) if move_start else (fixed, pos)
        if not 0 <= a < b <= len(text):
            continue
        # The cutoff lets rapidfuzz stop early on spans that cannot beat the best one.
        cost = Levenshtein.distance(exact, text[a:b], score_cutoff=best_cost)
        if cost < best_cost:
            best_pos, best_cost = pos, cost
    return best_pos

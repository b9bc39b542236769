"""Anchoring of W3C Web Annotation text selectors to revision texts.

Pure Python (no Django) so it can be unit-tested without a database and reused by benchmarks.

Offsets are Python ``str`` indices, i.e. Unicode code points, as W3C TextPositionSelector
specifies. A span is the half-open interval ``[start, end)``.

Two ways of carrying an annotation to a new text:

* ``edits`` known (corrections accepted in the app): offsets are transformed exactly through the
  ordered edit list (``map_span``/``map_spans``); no searching, so an annotation can never jump
  to another occurrence of its quote.
* ``edits`` unknown (text changed outside the app, e.g. a re-import): ``resolve`` tries the stored
  position, then the exact quote, then an approximate match scored with rapidfuzz; anything
  scoring below ``MIN_FUZZY_SCORE`` is orphaned, never moved.

Edit mapping rules (each edit ``(s, e, replacement)`` applies to the result of the previous one):

* the start of a span sticks to the right of an insertion made exactly at it, the end sticks to
  the left, so insertions at either boundary stay outside the span (quote unchanged, untouched);
* a span overlapping an edit becomes the union of its surviving characters and the replacement
  (an edit inside grows/shrinks it, an edit replacing exactly or covering the span maps to the
  replacement, a partial deletion clamps it to what survives) and is marked ``touched``;
* a span whose every character was deleted (empty replacement) collapses to an empty span at the
  deletion point; it is kept, and ``reanchor`` reports it as "orphaned" with that last known
  position (start == end) and no selectors, rather than guessing neighbouring words. A later
  insertion at a collapsed point lands before it.

``reanchor`` states: with edits, untouched spans are "anchored" (same offsets) or "moved" (score
1.0, strategy "edits"); touched spans are "needs_review" at the adjusted span (score = similarity
of old and new quote). Without edits, a "position" resolve is "anchored", "quote"/"fuzzy" are
"moved", and anything else is "orphaned". Without edits a short corrected quote can still be
found at another occurrence of the old wording: in-app corrections must always pass their edits.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

# Weighted score of a fuzzy candidate: quote similarity dominates, context confirms the place.
QUOTE_WEIGHT = 0.8
CONTEXT_WEIGHT = 0.2

# Similarities are 1 - Levenshtein distance / longer length. With intact context a candidate passes
# when its quote is >= 68.75% similar ((0.75 - 0.2) / 0.8), i.e. about 3 characters in 10 may
# differ; with the context gone too it needs >= 93.75% (0.75 / 0.8). That admits typo fixes and a
# reworded word or two, and rejects rewritten passages: pointing at the wrong words is worse than
# orphaning, because an orphan is shown for review while a wrong move is silent.
MIN_FUZZY_SCORE = 0.75

DEFAULT_CONTEXT = 32
# Bound the work per fuzzy lookup (keeps a 200-character quote in 50 KB well under 20 ms).
MAX_FUZZY_CANDIDATES = 8
MAX_REFINED = 3

Strategy = Literal["position", "quote", "fuzzy", "edits", "orphaned"]
State = Literal["anchored", "moved", "needs_review", "orphaned"]


class Edit(NamedTuple):
    """Replace ``[start, end)`` of the current text with ``replacement``."""

    start: int
    end: int
    replacement: str


EditLike = Edit | tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Selectors:
    """A TextQuoteSelector and/or a TextPositionSelector for one annotation target."""

    exact: str | None
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None

    def __post_init__(self) -> None:
        """Reject selectors that could never be resolved."""
        if (self.start is None) != (self.end is None):
            raise ValueError("TextPositionSelector needs both start and end")
        if self.exact is None and self.start is None:
            raise ValueError("need a TextQuoteSelector, a TextPositionSelector, or both")
        if self.exact is not None and not self.exact:
            raise ValueError("TextQuoteSelector.exact must not be empty")
        if self.start is not None and self.end is not None and not 0 <= self.start < self.end:
            raise ValueError(f"invalid position span [{self.start}, {self.end})")

    @property
    def has_position(self) -> bool:
        """Whether a TextPositionSelector is present."""
        return self.start is not None

    def to_jsonld(self) -> list[dict[str, Any]]:
        """Return the W3C JSON-LD selector list."""
        out: list[dict[str, Any]] = []
        if self.exact is not None:
            out.append(
                {
                    "type": "TextQuoteSelector",
                    "exact": self.exact,
                    "prefix": self.prefix,
                    "suffix": self.suffix,
                }
            )
        if self.start is not None:
            out.append({"type": "TextPositionSelector", "start": self.start, "end": self.end})
        return out

    @classmethod
    def from_jsonld(cls, data: Iterable[dict[str, Any]]) -> Selectors:
        """Parse a W3C selector list; unrelated selector types are ignored."""
        if isinstance(data, dict | str | bytes):
            raise ValueError("selectors must be a list of selector objects")
        quote: dict[str, Any] | None = None
        position: dict[str, Any] | None = None
        for item in data:
            if not isinstance(item, dict):
                raise ValueError(f"selector must be an object, got {type(item).__name__}")
            kind = item.get("type")
            if kind == "TextQuoteSelector":
                if quote is not None:
                    raise ValueError("more than one TextQuoteSelector")
                quote = item
            elif kind == "TextPositionSelector":
                if position is not None:
                    raise ValueError("more than one TextPositionSelector")
                position = item
        if quote is None and position is None:
            raise ValueError("no TextQuoteSelector or TextPositionSelector found")
        exact, prefix, suffix = None, "", ""
        if quote is not None:
            exact = _field(quote, "exact", str, required=True)
            prefix = _field(quote, "prefix", str, required=False) or ""
            suffix = _field(quote, "suffix", str, required=False) or ""
        start = end = None
        if position is not None:
            start = _field(position, "start", int, required=True)
            end = _field(position, "end", int, required=True)
        return cls(exact=exact, prefix=prefix, suffix=suffix, start=start, end=end)


def _field(item: dict[str, Any], name: str, kind: type, *, required: bool) -> Any:
    """Fetch and type-check one selector field."""
    value = item.get(name)
    if value is None:
        if required:
            raise ValueError(f"{item.get('type')} is missing {name!r}")
        return None
    # bool is an int subclass; an offset of True is corrupt data, not 1.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"{item.get('type')}.{name} must be {kind.__name__}")
    return value


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


@dataclass(frozen=True, slots=True)
class MappedSpan:
    """A span carried through edits; touched when any edit overlapped it."""

    start: int
    end: int
    touched: bool


@dataclass(frozen=True, slots=True)
class Reanchored:
    """The outcome of carrying one annotation to a new text."""

    state: State
    start: int | None
    end: int | None
    score: float
    strategy: Strategy
    selectors: Selectors | None


def describe(text: str, start: int, end: int, context: int = DEFAULT_CONTEXT) -> Selectors:
    """Build quote and position selectors for ``text[start:end]``."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span [{start}, {end}) is empty or outside text of length {len(text)}")
    if context < 0:
        raise ValueError("context must be >= 0")
    return Selectors(
        exact=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
        start=start,
        end=end,
    )


# --------------------------------------------------------------------------- resolving


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


# --------------------------------------------------------------------------- edits


def _check_edit(edit: EditLike) -> tuple[int, int, str]:
    """Validate the shape of one edit."""
    start, end, replacement = edit
    if not 0 <= start <= end or not isinstance(replacement, str):
        raise ValueError(f"invalid edit {edit!r}")
    return start, end, replacement


def apply_edits(text: str, edits: Sequence[EditLike]) -> str:
    """Apply the ordered edits, each to the result of the previous one."""
    for edit in edits:
        start, end, replacement = _check_edit(edit)
        if end > len(text):
            raise ValueError(f"edit {edit!r} is outside text of length {len(text)}")
        text = text[:start] + replacement + text[end:]
    return text


def _map_start(pos: int, start: int, end: int, delta: int) -> int:
    """Map a span start: right of an insertion at it, to the edit start if inside the edit."""
    return pos + delta if pos >= end else min(pos, start)


def _map_end(pos: int, start: int, end: int, delta: int) -> int:
    """Map a span end: left of an insertion at it, to the replacement end if inside the edit."""
    return max(pos, end) + delta if pos > start else pos


def map_span(start: int, end: int, edits: Sequence[EditLike]) -> MappedSpan:
    """Carry ``[start, end)`` through the ordered edits."""
    if not 0 <= start <= end:
        raise ValueError(f"invalid span [{start}, {end})")
    touched = False
    for edit in edits:
        s, e, replacement = _check_edit(edit)
        touched = touched or (start < e and end > s)
        delta = len(replacement) - (e - s)
        start, end = _map_start(start, s, e, delta), _map_end(end, s, e, delta)
    # Only an already collapsed span can invert (insertion at its point); keep it empty.
    return MappedSpan(start, max(start, end), touched)


class _SortedPositions:
    """Sorted positions stored as gaps in a Fenwick tree: suffix shifts cost O(log n)."""

    def __init__(self, values: list[int]) -> None:
        """Build from sorted non-negative values in O(n)."""
        self.n = len(values)
        self.gaps = [b - a for a, b in zip([0, *values], values, strict=False)]
        self.tree = [0, *self.gaps]
        for i in range(1, self.n + 1):
            parent = i + (i & -i)
            if parent <= self.n:
                self.tree[parent] += self.tree[i]
        # Next index whose gap may be non-zero; equal positions stay equal forever.
        self.skip = list(range(self.n + 1))
        self.top = 1 << self.n.bit_length()

    def _add(self, index: int, delta: int) -> None:
        """Add ``delta`` to the gap at ``index``."""
        self.gaps[index] += delta
        i = index + 1
        while i <= self.n:
            self.tree[i] += delta
            i += i & -i

    def value(self, index: int) -> int:
        """Current position at ``index``."""
        total, i = 0, index + 1
        while i > 0:
            total += self.tree[i]
            i -= i & -i
        return total

    def count_le(self, bound: int) -> int:
        """Number of positions <= ``bound`` (gaps are non-negative, so prefix sums are sorted)."""
        pos, remaining, step = 0, bound, self.top
        while step:
            nxt = pos + step
            if nxt <= self.n and self.tree[nxt] <= remaining:
                pos = nxt
                remaining -= self.tree[nxt]
            step >>= 1
        return pos

    def _next_gap(self, index: int) -> int:
        """First index >= ``index`` whose gap has not been zeroed (path-halving skip list)."""
        while self.skip[index] != index:
            self.skip[index] = self.skip[self.skip[index]]
            index = self.skip[index]
        return index

    def apply(self, lo: int, hi: int, collapse_to: int, delta: int) -> None:
        """Set positions [lo, hi) to ``collapse_to`` and shift positions from ``hi`` by delta."""
        after = self.value(hi) + delta if hi < self.n else None
        if lo < hi:
            self._add(lo, collapse_to - self.value(lo))
            i = self._next_gap(lo + 1)
            while i < hi:
                self._add(i, -self.gaps[i])
                self.skip[i] = i + 1
                i = self._next_gap(i + 1)
            if after is not None:
                self._add(hi, after - collapse_to - self.gaps[hi])
        elif after is not None:
            self._add(hi, delta)

    def values(self) -> list[int]:
        """All current positions in O(n)."""
        return list(itertools.accumulate(self.gaps))


def map_spans(spans: Sequence[tuple[int, int]], edits: Sequence[EditLike]) -> list[MappedSpan]:
    """``map_span`` for many spans at once in O((n + m) log n)."""
    for start, end in spans:
        if not 0 <= start <= end:
            raise ValueError(f"invalid span [{start}, {end})")
    n = len(spans)
    by_start = sorted(range(n), key=lambda i: spans[i][0])
    by_end = sorted(range(n), key=lambda i: spans[i][1])
    starts = _SortedPositions([spans[i][0] for i in by_start])
    ends = _SortedPositions([spans[i][1] for i in by_end])
    # Edit k touches span i iff start rank < first_start_ge_e and end rank >= first_end_gt_s.
    reach_by_end_rank = [0] * (n + 1)
    for edit in edits:
        s, e, replacement = _check_edit(edit)
        delta = len(replacement) - (e - s)
        start_lo, start_hi = starts.count_le(s), starts.count_le(e - 1)
        end_lo, end_hi = ends.count_le(s), ends.count_le(e)
        reach_by_end_rank[end_lo] = max(reach_by_end_rank[end_lo], start_hi)
        starts.apply(start_lo, start_hi, s, delta)
        ends.apply(end_lo, end_hi, e + delta, delta)
    start_rank = [0] * n
    end_rank = [0] * n
    for rank, i in enumerate(by_start):
        start_rank[i] = rank
    for rank, i in enumerate(by_end):
        end_rank[i] = rank
    reach = list(itertools.accumulate(reach_by_end_rank, max))
    new_starts, new_ends = starts.values(), ends.values()
    result = []
    for i in range(n):
        new_start = new_starts[start_rank[i]]
        new_end = max(new_start, new_ends[end_rank[i]])
        result.append(MappedSpan(new_start, new_end, reach[end_rank[i]] > start_rank[i]))
    return result


# --------------------------------------------------------------------------- reanchoring


def _search_new(selectors: Selectors, new_text: str, min_score: float) -> Reanchored:
    """Reanchor by resolving against the new text alone (edits unknown)."""
    anchor = resolve(selectors, new_text, min_score=min_score)
    if anchor.start is None or anchor.end is None:
        return Reanchored("orphaned", None, None, anchor.score, "orphaned", None)
    state: State = "anchored" if anchor.strategy == "position" else "moved"
    selectors = describe(new_text, anchor.start, anchor.end)
    return Reanchored(state, anchor.start, anchor.end, anchor.score, anchor.strategy, selectors)


def _from_mapped(selectors: Selectors, old: Anchor, old_quote: str, mapped: MappedSpan, new_text: str) -> Reanchored:
    """Turn an edit-mapped span into a reanchoring outcome."""
    if mapped.start == mapped.end:
        # Every annotated character was deleted: keep the annotation, unplaced, at its last spot.
        return Reanchored("orphaned", mapped.start, mapped.end, 0.0, "edits", None)
    fresh = describe(new_text, mapped.start, mapped.end)
    if mapped.touched:
        score = _similarity(old_quote, fresh.exact or "")
        return Reanchored("needs_review", mapped.start, mapped.end, score, "edits", fresh)
    unchanged = (mapped.start, mapped.end) == (selectors.start, selectors.end)
    state: State = "anchored" if unchanged and fresh.exact == selectors.exact else "moved"
    return Reanchored(state, mapped.start, mapped.end, old.score, "edits", fresh)


def reanchor(
    old_text: str,
    new_text: str,
    selectors: Selectors,
    edits: Sequence[EditLike] | None = None,
    *,
    min_score: float = MIN_FUZZY_SCORE,
) -> Reanchored:
    """Carry one annotation from ``old_text`` to ``new_text``."""
    return reanchor_many(old_text, new_text, [selectors], edits, min_score=min_score)[0]


def reanchor_many(
    old_text: str,
    new_text: str,
    selectors_list: Sequence[Selectors],
    edits: Sequence[EditLike] | None = None,
    *,
    min_score: float = MIN_FUZZY_SCORE,
) -> list[Reanchored]:
    """Carry many annotations at once; one result per input, in input order.

    Raises ValueError only when ``edits`` do not turn ``old_text`` into ``new_text``.
    """
    if edits is None:
        return [_search_new(s, new_text, min_score) for s in selectors_list]
    if apply_edits(old_text, edits) != new_text:
        raise ValueError("edits do not transform old_text into new_text")
    olds = [resolve(s, old_text, min_score=min_score) for s in selectors_list]
    spans = {i: span for i, a in enumerate(olds) if (span := a.span) is not None}
    mapped = dict(zip(spans, map_spans(list(spans.values()), edits), strict=True))
    results = []
    for i, selectors in enumerate(selectors_list):
        if i in mapped:
            old_quote = old_text[spans[i][0] : spans[i][1]]
            results.append(_from_mapped(selectors, olds[i], old_quote, mapped[i], new_text))
        else:
            # Already lost in the old text: the edits cannot help, search the new text instead.
            results.append(_search_new(selectors, new_text, min_score))
    return results


__all__ = [
    "CONTEXT_WEIGHT",
    "DEFAULT_CONTEXT",
    "MIN_FUZZY_SCORE",
    "QUOTE_WEIGHT",
    "Anchor",
    "Edit",
    "MappedSpan",
    "Reanchored",
    "Selectors",
    "apply_edits",
    "describe",
    "map_span",
    "map_spans",
    "reanchor",
    "reanchor_many",
    "resolve",
]

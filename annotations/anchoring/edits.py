"""Carrying offsets exactly through a known, ordered list of edits (corrections accepted in the app).

No searching, so an annotation can never jump to another occurrence of its quote.

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
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple


class Edit(NamedTuple):
    """Replace ``[start, end)`` of the current text with ``replacement``."""

    start: int
    end: int
    replacement: str


EditLike = Edit | tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class MappedSpan:
    """A span carried through edits; touched when any edit overlapped it."""

    start: int
    end: int
    touched: bool


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

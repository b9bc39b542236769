"""Carrying annotations from an old text to a new one: through the edits when known, else by resolving.

``reanchor`` states: with edits, untouched spans are "anchored" (same offsets) or "moved" (score
1.0, strategy "edits"); touched spans are "needs_review" at the adjusted span (score = similarity
of old and new quote). Without edits, a "position" resolve is "anchored", "quote"/"fuzzy" are
"moved", and anything else is "orphaned". Without edits a short corrected quote can still be
found at another occurrence of the old wording: in-app corrections must always pass their edits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from annotations.anchoring.edits import EditLike, MappedSpan, apply_edits, map_spans
from annotations.anchoring.resolving import MIN_FUZZY_SCORE, Anchor, Strategy, _similarity, resolve
from annotations.anchoring.selectors import Selectors, describe

State = Literal["anchored", "moved", "needs_review", "orphaned"]


@dataclass(frozen=True, slots=True)
class Reanchored:
    """The outcome of carrying one annotation to a new text."""

    state: State
    start: int | None
    end: int | None
    score: float
    strategy: Strategy
    selectors: Selectors | None


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

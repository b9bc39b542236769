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

The package re-exports its public names; the submodules hold:

* ``selectors``: the ``Selectors`` value (W3C JSON-LD in and out) and ``describe``;
* ``resolving``: ``resolve`` by position, exact quote or fuzzy match, and the ``Anchor`` it returns;
* ``edits``: ``apply_edits`` and ``map_span``/``map_spans`` with the edit mapping rules;
* ``reanchoring``: ``reanchor``/``reanchor_many`` and the states they report.
"""

from annotations.anchoring.edits import Edit, EditLike, MappedSpan, apply_edits, map_span, map_spans
from annotations.anchoring.reanchoring import Reanchored, State, reanchor, reanchor_many
from annotations.anchoring.resolving import (
    CONTEXT_WEIGHT,
    MAX_FUZZY_CANDIDATES,
    MAX_REFINED,
    MIN_FUZZY_SCORE,
    QUOTE_WEIGHT,
    Anchor,
    Strategy,
    resolve,
)
from annotations.anchoring.selectors import DEFAULT_CONTEXT, Selectors, describe

__all__ = [
    "CONTEXT_WEIGHT",
    "DEFAULT_CONTEXT",
    "MAX_FUZZY_CANDIDATES",
    "MAX_REFINED",
    "MIN_FUZZY_SCORE",
    "QUOTE_WEIGHT",
    "Anchor",
    "Edit",
    "EditLike",
    "MappedSpan",
    "Reanchored",
    "Selectors",
    "State",
    "Strategy",
    "apply_edits",
    "describe",
    "map_span",
    "map_spans",
    "reanchor",
    "reanchor_many",
    "resolve",
]

"""Tests for annotations.anchoring: pure functions, no database."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.anchoring import (
    MIN_FUZZY_SCORE,
    Anchor,
    Edit,
    MappedSpan,
    Selectors,
    apply_edits,
    describe,
    map_span,
    map_spans,
    reanchor,
    reanchor_many,
    resolve,
)

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_d83457cbb5fd5b29.txt"

MINISTER = (
    "The committee met on Tuesday morning. "
    "The minister said the reform would calm the markets before winter. "
    "Nobody in the room believed a word of it, and the vote was postponed."
)
REFORM = "the reform would calm the markets before winter"


def span_of(text: str, quote: str, occurrence: int = 0) -> tuple[int, int]:
    """Offsets of the n-th occurrence of ``quote``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


def quote_at(text: str, start: int | None, end: int | None) -> str:
    """Text selected by a result."""
    assert start is not None and end is not None
    return text[start:end]


def seed_text() -> str:
    """The seed article, decoded and with normalised line ends."""
    return SEED.read_bytes().decode("utf-8").replace("\r\n", "\n")


def hash_out(quote: str, count: int) -> str:
    """Replace every other character of the first ``2 * count`` with '#'."""
    return "".join("#" if i % 2 == 0 and i // 2 < count else c for i, c in enumerate(quote))


# --------------------------------------------------------------------------- describe / JSON-LD


def test_describe_takes_context_on_both_sides() -> None:
    start, end = span_of(MINISTER, "calm the markets")
    sel = describe(MINISTER, start, end, context=10)
    assert sel == Selectors("calm the markets", "orm would ", " before wi", start, end)


def test_describe_clips_context_at_text_edges() -> None:
    sel = describe("abcdef", 0, 6)
    assert (sel.prefix, sel.exact, sel.suffix) == ("", "abcdef", "")


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (4, 3), (0, 7), (7, 8)])
def test_describe_rejects_empty_or_out_of_range_spans(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="span"):
        describe("abcdef", start, end)


def test_jsonld_round_trip() -> None:
    sel = describe(MINISTER, *span_of(MINISTER, REFORM))
    data = sel.to_jsonld()
    assert data == [
        {"type": "TextQuoteSelector", "exact": REFORM, "prefix": sel.prefix, "suffix": sel.suffix},
        {"type": "TextPositionSelector", "start": sel.start, "end": sel.end},
    ]
    assert Selectors.from_jsonld(data) == sel


def test_from_jsonld_accepts_either_selector_and_ignores_others() -> None:
    quote_only = Selectors.from_jsonld([{"type": "TextQuoteSelector", "exact": "calm"}])
    assert quote_only == Selectors("calm", "", "", None, None)
    assert quote_only.to_jsonld() == [{"type": "TextQuoteSelector", "exact": "calm", "prefix": "", "suffix": ""}]
    position_only = Selectors.from_jsonld(
        [
            {"type": "CssSelector", "value": "p"},
            {"type": "TextPositionSelector", "start": 1, "end": 4},
        ]
    )
    assert position_only == Selectors(None, "", "", 1, 4)
    assert position_only.to_jsonld() == [{"type": "TextPositionSelector", "start": 1, "end": 4}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "TextQuoteSelector", "exact": "x"}, "list"),
        ("TextQuoteSelector", "list"),
        ([], "no TextQuoteSelector"),
        ([{"type": "CssSelector"}], "no TextQuoteSelector"),
        (["exact"], "must be an object"),
        ([{"type": "TextQuoteSelector"}], "missing 'exact'"),
        ([{"type": "TextQuoteSelector", "exact": ""}], "must not be empty"),
        ([{"type": "TextQuoteSelector", "exact": 3}], "exact must be str"),
        ([{"type": "TextQuoteSelector", "exact": "x", "prefix": 1}], "prefix must be str"),
        ([{"type": "TextPositionSelector", "start": 1}], "missing 'end'"),
        ([{"type": "TextPositionSelector", "start": "1", "end": 2}], "start must be int"),
        ([{"type": "TextPositionSelector", "start": True, "end": 2}], "start must be int"),
        ([{"type": "TextPositionSelector", "start": 2, "end": 2}], "invalid position"),
        ([{"type": "TextPositionSelector", "start": -1, "end": 2}], "invalid position"),
        (
            [
                {"type": "TextQuoteSelector", "exact": "a"},
                {"type": "TextQuoteSelector", "exact": "b"},
            ],
            "more than one",
        ),
    ],
)
def test_from_jsonld_rejects_malformed_input(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Selectors.from_jsonld(data)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- resolve


def test_resolve_by_position() -> None:
    sel = describe(MINISTER, *span_of(MINISTER, REFORM))
    assert resolve(sel, MINISTER) == Anchor(sel.start, sel.end, "position", 1.0)


def test_resolve_by_quote_when_text_shifted() -> None:
    sel = describe(MINISTER, *span_of(MINISTER, REFORM))
    shifted = "Breaking. " + MINISTER
    anchor = resolve(sel, shifted)
    assert anchor.strategy == "quote"
    assert anchor.score == 1.0
    assert quote_at(shifted, anchor.start, anchor.end) == REFORM


def test_quote_disambiguated_by_context() -> None:
    text = "red apple pie. green apple tart. blue apple cake."
    sel = describe(text, *span_of(text, "apple", 1), context=6)
    moved = "Menu: blue apple cake. red apple pie. green apple tart."
    anchor = resolve(sel, moved)
    assert anchor.strategy == "quote"
    assert (anchor.start, anchor.end) == span_of(moved, "apple", 2)


def test_quote_disambiguated_by_distance_when_context_ties() -> None:
    text = "x apple y. x apple y. x apple y. x apple y."
    sel = describe(text, *span_of(text, "apple", 2), context=2)
    moved = "zz" + text  # every occurrence shifts by 2, contexts are identical
    anchor = resolve(sel, moved)
    assert anchor.strategy == "quote"
    assert (anchor.start, anchor.end) == span_of(moved, "apple", 2)


def test_quote_without_position_prefers_first_best_context() -> None:
    text = "x apple y. x apple y."
    sel = Selectors("apple", "x ", " y", None, None)
    assert resolve(sel, text) == Anchor(2, 7, "quote", 1.0)


def test_position_only_selectors() -> None:
    sel = Selectors(None, "", "", 4, 7)
    assert resolve(sel, "abcdefgh") == Anchor(4, 7, "position", 1.0)
    assert resolve(sel, "abc").is_orphan


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (REFORM, "#" + REFORM[1:], "#" + REFORM[1:]),
        ("would calm", "would certainly calm", REFORM.replace("would", "would certainly")),
        ("the reform would", "reform would", REFORM[4:]),
        ("before winter", "before the winter", REFORM.replace("winter", "the winter")),
    ],
)
def test_resolve_fuzzy_finds_lightly_edited_quote(old: str, new: str, expected: str) -> None:
    sel = describe(MINISTER, *span_of(MINISTER, REFORM))
    changed = MINISTER.replace(old, new)
    anchor = resolve(sel, changed)
    assert anchor.strategy == "fuzzy"
    assert MIN_FUZZY_SCORE <= anchor.score < 1.0
    assert quote_at(changed, anchor.start, anchor.end) == expected


def test_fuzzy_threshold_just_above_reanchors() -> None:
    sel = describe(MINISTER, *span_of(MINISTER, REFORM))
    changed = MINISTER.replace(REFORM, hash_out(REFORM, 14))  # 14 of 47 characters changed
    anchor = resolve(sel, changed)
    assert anchor.strategy == "fuzzy"
    assert MIN_FUZZY_SCORE <= anchor.score < MIN_FUZZY_SCORE + 0.02
    assert quote_at(changed, anchor.start, anchor.end) == hash_out(REFORM, 14)


def test_fuzzy_threshold_just_below_orphans() -> None:
    sel = describe(MINISTER, *span_of(MINISTER, REFORM))
    changed = MINISTER.replace(REFORM, hash_out(REFORM, 15))  # one more character changed
    anchor = resolve(sel, changed)
    assert anchor.is_orphan
    assert (anchor.start, anchor.end, anchor.strategy) == (None, None, "orphaned")
    assert MIN_FUZZY_SCORE - 0.02 < anchor.score < MIN_FUZZY_SCORE


def test_min_score_is_configurable() -> None:
    sel = describe(MINISTER, *span_of(MINISTER, REFORM))
    changed = MINISTER.replace(REFORM, hash_out(REFORM, 15))
    assert resolve(sel, changed, min_score=0.7).strategy == "fuzzy"


def test_rewritten_passage_is_orphaned_not_moved() -> None:
    sel = describe(MINISTER, *span_of(MINISTER, REFORM))
    changed = MINISTER.replace("the reform would calm the markets", "the new tax would soothe funds")
    assert resolve(sel, changed).is_orphan


def test_context_counts_when_scoring() -> None:
    text = "alpha beta gamma delta. " * 3 + "omega colour scheme omega. zeta color scheme zeta."
    sel = describe(text, *span_of(text, "colour scheme"), context=6)
    changed = text.replace("colour scheme", "colr scheme")
    anchor = resolve(sel, changed)
    # "color scheme" is the closer spelling, but "colr scheme" sits between the right words.
    assert quote_at(changed, anchor.start, anchor.end) == "colr scheme"


# --------------------------------------------------------------------------- map_span

TEN = "0123456789"


@pytest.mark.parametrize(
    ("span", "edits", "expected"),
    [
        ((4, 6), [(0, 2, "")], MappedSpan(2, 4, False)),  # deletion before
        ((4, 6), [(1, 1, "abc")], MappedSpan(7, 9, False)),  # insertion before
        ((4, 6), [(0, 4, "x")], MappedSpan(1, 3, False)),  # edit ending at start
        ((4, 6), [(6, 8, "")], MappedSpan(4, 6, False)),  # edit starting at end
        ((4, 6), [(8, 9, "xyz")], MappedSpan(4, 6, False)),  # after
        ((4, 6), [(4, 4, "ab")], MappedSpan(6, 8, False)),  # insertion at start: before span
        ((4, 6), [(6, 6, "ab")], MappedSpan(4, 6, False)),  # insertion at end: after span
        ((2, 8), [(4, 4, "ab")], MappedSpan(2, 10, True)),  # insertion inside grows
        ((2, 8), [(4, 6, "")], MappedSpan(2, 6, True)),  # deletion inside shrinks
        ((2, 8), [(4, 6, "abcd")], MappedSpan(2, 10, True)),  # replacement inside
        ((4, 6), [(4, 6, "abc")], MappedSpan(4, 7, True)),  # exact replacement
        ((4, 6), [(2, 8, "ab")], MappedSpan(2, 4, True)),  # covered by a replacement
        ((4, 8), [(2, 6, "")], MappedSpan(2, 4, True)),  # overlap left, deletion clamps
        ((4, 8), [(2, 6, "xyz")], MappedSpan(2, 7, True)),  # overlap left, replacement kept
        ((2, 6), [(4, 8, "")], MappedSpan(2, 4, True)),  # overlap right, deletion clamps
        ((2, 6), [(4, 8, "xyz")], MappedSpan(2, 7, True)),  # overlap right, replacement kept
        ((4, 6), [(4, 6, "")], MappedSpan(4, 4, True)),  # span deleted: collapses
        ((4, 6), [(3, 7, "")], MappedSpan(3, 3, True)),  # deleted with neighbours
        ((4, 6), [(0, 1, ""), (3, 3, "!"), (0, 0, "ab")], MappedSpan(6, 8, False)),  # sequential
        ((4, 6), [(3, 5, "")], MappedSpan(3, 4, True)),
        ((4, 6), [(4, 6, ""), (4, 4, "new")], MappedSpan(7, 7, True)),  # collapsed then insert
    ],
)
def test_map_span(span: tuple[int, int], edits: list[Edit], expected: MappedSpan) -> None:
    assert map_span(*span, edits) == expected
    assert map_spans([span], edits) == [expected]


def test_map_span_keeps_quote_of_untouched_span() -> None:
    edits = [Edit(0, 1, "AB"), Edit(9, 9, "!"), Edit(3, 3, "-")]
    new = apply_edits(TEN, edits)
    mapped = map_span(4, 6, edits)
    assert not mapped.touched
    assert new[mapped.start : mapped.end] == TEN[4:6]


@pytest.mark.parametrize("edit", [(-1, 2, "x"), (3, 2, "x"), (0, 1, None)])
def test_map_span_rejects_invalid_edits(edit: tuple[int, int, str]) -> None:
    with pytest.raises(ValueError, match="invalid edit"):
        map_span(1, 2, [edit])


def test_apply_edits_rejects_out_of_range_edit() -> None:
    with pytest.raises(ValueError, match="outside text"):
        apply_edits("abc", [(2, 5, "")])


# --------------------------------------------------------------------------- reanchor


def test_reanchor_with_edits_states() -> None:
    selected = describe(MINISTER, *span_of(MINISTER, REFORM))
    after = len(MINISTER) - 1
    cases = {
        "anchored": [Edit(after, after, "!")],
        "moved": [Edit(0, 3, "A")],
        "needs_review": [Edit(*span_of(MINISTER, "calm"), "soothe")],
        "orphaned": [Edit(*span_of(MINISTER, REFORM + "."), "")],
    }
    results = {
        state: reanchor(MINISTER, apply_edits(MINISTER, edits), selected, edits) for state, edits in cases.items()
    }
    assert {state: r.state for state, r in results.items()} == {s: s for s in cases}
    assert results["anchored"].selectors == describe(
        apply_edits(MINISTER, cases["anchored"]), selected.start or 0, selected.end or 0
    )
    moved = results["moved"]
    assert (moved.start, moved.score, moved.strategy) == ((selected.start or 0) - 2, 1.0, "edits")
    assert moved.selectors is not None and moved.selectors.exact == REFORM
    review = results["needs_review"]
    assert review.selectors is not None
    assert review.selectors.exact == REFORM.replace("calm", "soothe")
    assert 0.0 < review.score < 1.0
    orphan = results["orphaned"]
    assert (orphan.start, orphan.end, orphan.selectors) == (selected.start, selected.start, None)


def test_reanchor_without_edits_states() -> None:
    sel = describe(MINISTER, *span_of(MINISTER, REFORM))
    anchored = reanchor(MINISTER, MINISTER, sel)
    assert (anchored.state, anchored.strategy, anchored.selectors) == ("anchored", "position", sel)
    shifted = "Breaking. " + MINISTER
    moved = reanchor(MINISTER, shifted, sel)
    assert (moved.state, moved.strategy, moved.score) == ("moved", "quote", 1.0)
    typo = MINISTER.replace("markets", "marktes")
    fuzzy = reanchor(MINISTER, typo, sel)
    assert (fuzzy.state, fuzzy.strategy) == ("moved", "fuzzy")
    assert fuzzy.selectors is not None and fuzzy.selectors.exact == REFORM.replace("ets", "tes")
    gone = reanchor(MINISTER, MINISTER.replace(REFORM, "nothing at all like it"), sel)
    assert (gone.state, gone.start, gone.end, gone.selectors) == ("orphaned", None, None, None)


def test_reanchor_rejects_edits_that_do_not_produce_new_text() -> None:
    sel = describe(MINISTER, *span_of(MINISTER, REFORM))
    with pytest.raises(ValueError, match="do not transform"):
        reanchor(MINISTER, MINISTER + "?", sel, [Edit(0, 0, "!")])


def test_reanchor_with_edits_tolerates_stale_position() -> None:
    sel = describe(MINISTER, *span_of(MINISTER, REFORM))
    old = "Update: " + MINISTER  # stored position no longer matches the old text itself
    edits = [Edit(0, 0, ">> ")]
    result = reanchor(old, apply_edits(old, edits), sel, edits)
    assert result.state == "moved"
    assert result.selectors is not None and result.selectors.exact == REFORM


def test_belchett_correction_follows_the_edit_and_never_jumps() -> None:
    text = (
        "UN human rights commissioner Michelle Belchett condemned the response. "
        "Later, in Geneva, Belchett repeated her call for restraint."
    )
    start, end = span_of(text, "Belchett", 0)
    sel = describe(text, start, end)
    edits = [Edit(start, end, "Bachelet")]
    new_text = apply_edits(text, edits)
    result = reanchor(text, new_text, sel, edits)
    assert result.state == "needs_review"
    assert (result.start, result.end) == (start, start + len("Bachelet"))
    assert quote_at(new_text, result.start, result.end) == "Bachelet"
    other = span_of(new_text, "Belchett")
    assert (result.start, result.end) != other
    # The other occurrence's annotation is untouched; same-length correction, same offsets.
    second = describe(text, *span_of(text, "Belchett", 1))
    kept = reanchor(text, new_text, second, edits)
    assert kept.state == "anchored"
    assert (kept.start, kept.end) == other


def test_seed_article_annotations_survive_edits_elsewhere() -> None:
    text = seed_text()
    quotes = ["calm the winds", "Belchett", "Riots in Belarus after the presidential election"]
    selectors = [describe(text, *span_of(text, q)) for q in quotes]
    edits: list[Edit] = []
    current = text
    for old, new in [("Spoke", "spoke"), ("Tikhnovskaya", "Tsikhanouskaya")]:
        while old in current:
            at = current.index(old)
            edits.append(Edit(at, at + len(old), new))
            current = apply_edits(current, edits[-1:])
    assert len(edits) == 3
    results = reanchor_many(text, current, selectors, edits)
    assert [quote_at(current, r.start, r.end) for r in results] == quotes
    # "Spoke" -> "spoke" keeps lengths; the first Tikhnovskaya fix (+2) precedes the caption.
    assert [r.state for r in results] == ["anchored", "anchored", "moved"]
    assert all(r.selectors is not None and r.selectors.exact == q for r, q in zip(results, quotes, strict=True))


# --------------------------------------------------------------------------- properties

FAST = settings(max_examples=200, deadline=None)


@st.composite
def text_and_edits(draw: st.DrawFn) -> tuple[str, list[Edit]]:
    """A small-alphabet text (repeats likely) and a valid sequential edit list."""
    text = draw(st.text(alphabet="ab c", min_size=1, max_size=40))
    edits = []
    length = len(text)
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, length))
        end = draw(st.integers(start, min(length, start + 6)))
        replacement = draw(st.text(alphabet="abxy", max_size=5))
        edits.append(Edit(start, end, replacement))
        length += len(replacement) - (end - start)
    return text, edits


@st.composite
def spans_in(draw: st.DrawFn, length: int) -> list[tuple[int, int]]:
    """Non-empty spans inside a text of ``length``."""
    starts = draw(st.lists(st.integers(0, length - 1), max_size=12))
    return [(s, draw(st.integers(s + 1, length))) for s in starts]


@FAST
@given(st.data())
def test_property_untouched_spans_keep_their_quote(data: st.DataObject) -> None:
    text, edits = data.draw(text_and_edits())
    new_text = apply_edits(text, edits)
    for start, end in data.draw(spans_in(len(text))):
        mapped = map_span(start, end, edits)
        assert 0 <= mapped.start <= mapped.end <= len(new_text)
        if not mapped.touched:
            assert new_text[mapped.start : mapped.end] == text[start:end]


@FAST
@given(st.data())
def test_property_batch_mapping_equals_single_mapping(data: st.DataObject) -> None:
    text, edits = data.draw(text_and_edits())
    spans = data.draw(spans_in(len(text)))
    assert map_spans(spans, edits) == [map_span(s, e, edits) for s, e in spans]


@FAST
@given(st.data())
def test_property_reanchor_many_never_drops_or_raises(data: st.DataObject) -> None:
    text, edits = data.draw(text_and_edits())
    new_text = apply_edits(text, edits)
    selectors = [describe(text, s, e, context=4) for s, e in data.draw(spans_in(len(text)))]
    known = data.draw(st.booleans())
    results = reanchor_many(text, new_text, selectors, edits if known else None)
    assert len(results) == len(selectors)
    for result in results:
        if result.state == "orphaned":
            assert result.selectors is None
        else:
            assert result.selectors is not None
            assert quote_at(new_text, result.start, result.end) == result.selectors.exact
    singles = [reanchor(text, new_text, s, edits if known else None) for s in selectors]
    assert results == singles


@FAST
@given(st.text(min_size=1, max_size=60), st.data())
def test_property_describe_resolve_round_trip(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    sel = describe(text, start, end)
    assert Selectors.from_jsonld(sel.to_jsonld()) == sel
    assert resolve(sel, text) == Anchor(start, end, "position", 1.0)
    quote_only = Selectors(sel.exact, sel.prefix, sel.suffix, None, None)
    found = resolve(quote_only, text)
    assert found.strategy == "quote"
    assert quote_at(text, found.start, found.end) == sel.exact

from hypothesis import given
from hypothesis import strategies as st

from annotations.highlighting import CORRECTION, MENTION, NOTE, Highlight, segment_block, segment_blocks
from archive.blocks import Block, block_spans, canonical_text

BLOCKS = [Block("headline", "Belarus riots"), Block("paragraph", "Michelle Belchett Condemned the response.")]
TEXT = canonical_text(BLOCKS)
SPANS = block_spans(BLOCKS)


def test_a_block_without_highlights_is_one_plain_segment():
    (segment,) = segment_block(TEXT, SPANS[0], [])
    assert (segment.text, segment.highlights) == ("Belarus riots", ())


def test_nested_and_overlapping_highlights_cut_the_block():
    start = TEXT.index("Michelle")
    name = Highlight(start, start + len("Michelle Belchett"), MENTION, href="/entities/bachelet/")
    word = Highlight(TEXT.index("Belchett"), TEXT.index("Belchett") + 8, CORRECTION, number=1)
    note = Highlight(TEXT.index("Belchett"), TEXT.index(" the"), NOTE, number=2)
    segments = segment_block(TEXT, SPANS[1], [note, name, word])
    assert [s.text for s in segments] == ["Michelle ", "Belchett", " Condemned", " the response."]
    assert segments[0].of_kind(MENTION) == [name] and segments[0].starting() == [name]
    assert {h.kind for h in segments[1].highlights} == {MENTION, CORRECTION, NOTE}
    assert set(segments[1].ending()) == {name, word}
    assert [h.kind for h in segments[2].highlights] == [NOTE] and segments[2].ending()[0].number == 2


def test_a_highlight_across_blocks_is_clipped_to_each():
    across = Highlight(5, len(TEXT) - 3, NOTE, number=1)
    first, second = segment_blocks(TEXT, SPANS, [across])
    assert [s.text for s in first] == ["Belar", "us riots"]
    assert second[0].highlights[0].start == SPANS[1].start and second[-1].text == "se."


@given(st.lists(st.tuples(st.integers(0, len(TEXT)), st.integers(0, len(TEXT))), max_size=12))
def test_segments_always_rebuild_each_block_exactly(pairs):
    highlights = [Highlight(min(a, b), max(a, b), NOTE, number=n) for n, (a, b) in enumerate(pairs)]
    for span, segments in zip(SPANS, segment_blocks(TEXT, SPANS, highlights), strict=True):
        assert "".join(s.text for s in segments) == TEXT[span.start : span.end]
        assert all(s.text for s in segments)
        for segment in segments:
            for h in segment.highlights:
                assert h.start <= segment.start and segment.end <= h.end

"""Cut a revision's blocks into segments carrying the highlights that cover them (pure: no Django).

Highlights may overlap and nest (a note on a corrected name that is also an entity mention), so
each block is cut at every highlight boundary; a segment knows every highlight covering all of it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from archive.blocks import BlockSpan

NOTE = "note"
CORRECTION = "correction"
MENTION = "mention"


@dataclass(frozen=True)
class Highlight:
    start: int
    end: int
    kind: str
    number: int = 0
    label: str = ""
    href: str = ""


@dataclass(frozen=True)
class Segment:
    text: str
    start: int
    end: int
    highlights: tuple[Highlight, ...] = ()

    def starting(self) -> list[Highlight]:
        """Highlights that begin in this segment."""
        return [h for h in self.highlights if h.start == self.start]

    def ending(self) -> list[Highlight]:
        """Highlights that end with this segment."""
        return [h for h in self.highlights if h.end == self.end]

    def of_kind(self, kind: str) -> list[Highlight]:
        return [h for h in self.highlights if h.kind == kind]


def segment_block(text: str, span: BlockSpan, highlights: Iterable[Highlight]) -> list[Segment]:
    """Return the segments of one block; highlights outside it are ignored, partial ones clipped."""
    inside = [
        Highlight(max(h.start, span.start), min(h.end, span.end), h.kind, h.number, h.label, h.href)
        for h in highlights
        if h.start < span.end and h.end > span.start and h.end > h.start
    ]
    cuts = sorted({span.start, span.end} | {h.start for h in inside} | {h.end for h in inside})
    segments = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        covering = tuple(h for h in inside if h.start <= left and right <= h.end)
        segments.append(Segment(text[left:right], left, right, covering))
    return segments


def segment_blocks(text: str, spans: Sequence[BlockSpan], highlights: Sequence[Highlight]) -> list[list[Segment]]:
    """Return the segments of every block in `spans`, in order."""
    ordered = sorted(highlights, key=lambda h: (h.start, h.end))
    return [
        segment_block(text, span, (h for h in ordered if h.start < span.end and h.end > span.start)) for span in spans
    ]

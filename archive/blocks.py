"""Typed text blocks and the canonical plain text of a revision (pure: no Django).

A revision's text is a sequence of blocks. Its canonical text joins the block texts with
BLOCK_SEPARATOR, so every character has one stable offset; W3C selectors of annotations
point at exactly these offsets.
"""

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

HEADLINE = "headline"
PARAGRAPH = "paragraph"
CAPTION = "caption"
TEASER = "teaser"
BOILERPLATE = "boilerplate"
BLOCK_KINDS = (HEADLINE, PARAGRAPH, CAPTION, TEASER, BOILERPLATE)
#: Kinds that belong to the article itself and are shown to readers.
READER_KINDS = frozenset({HEADLINE, PARAGRAPH, CAPTION})
BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Block:
    kind: str
    text: str

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")
        if not self.text or self.text != self.text.strip() or BLOCK_SEPARATOR in self.text:
            raise ValueError("a block's text is non-empty, stripped and has no blank line")

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class BlockSpan:
    """Where one block sits in the canonical text: text[start:end] == block.text."""

    index: int
    kind: str
    start: int
    end: int


def blocks_from_dicts(rows: Iterable[dict]) -> list[Block]:
    """Return Block objects from their stored JSON form; raise ValueError when malformed."""
    try:
        return [Block(kind=row["kind"], text=row["text"]) for row in rows]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed block: {exc}") from exc


def canonical_text(blocks: Sequence[Block]) -> str:
    """Return the one plain text of these blocks, joined by BLOCK_SEPARATOR."""
    return BLOCK_SEPARATOR.join(block.text for block in blocks)


def block_spans(blocks: Sequence[Block]) -> list[BlockSpan]:
    """Return the offsets of every block within canonical_text(blocks)."""
    spans, offset = [], 0
    for index, block in enumerate(blocks):
        spans.append(BlockSpan(index, block.kind, offset, offset + len(block.text)))
        offset += len(block.text) + len(BLOCK_SEPARATOR)
    return spans


def block_at(spans: Sequence[BlockSpan], offset: int) -> BlockSpan | None:
    """Return the block containing character `offset`, or None for a separator or out of range."""
    starts = [span.start for span in spans]
    position = bisect_right(starts, offset) - 1
    if position < 0:
        return None
    span = spans[position]
    return span if span.start <= offset < span.end else None

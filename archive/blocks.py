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


class BlockEditError(ValueError):
    """An edit that the block structure cannot take; the message says which and why."""


def apply_block_edits(
    blocks: Sequence[Block], edits: Sequence[tuple[int, int, str]]
) -> tuple[list[Block], list[tuple[int, int, str]]]:
    """Apply ordered edits (each to the result of the previous) to the canonical text of `blocks`.

    Returns the new blocks and the edits as they apply to the canonical text, which is what
    annotations are carried through. An edit stays within one block, except that replacing a
    whole block with nothing removes the block (the edit then also takes one separator). Raises
    BlockEditError for an edit across blocks, a blank line in a replacement, or white space left
    at the edge of a block.
    """
    current = list(blocks)
    applied: list[tuple[int, int, str]] = []
    for number, (start, end, replacement) in enumerate(edits, start=1):
        if BLOCK_SEPARATOR in replacement:
            raise BlockEditError(f"edit {number}: a replacement may not contain a blank line")
        spans = block_spans(current)
        span = next((s for s in spans if s.start <= start and end <= s.end), None)
        if span is None:
            raise BlockEditError(f"edit {number}: [{start}, {end}) crosses a block boundary or lies outside the text")
        if (start, end, replacement) == (span.start, span.end, ""):
            applied.append(_remove_block(current, span, number))
            continue
        old = current[span.index].text
        new = old[: start - span.start] + replacement + old[end - span.start :]
        if not new.strip():
            raise BlockEditError(f"edit {number}: to remove a block, replace all of its text with nothing")
        if new != new.strip():
            raise BlockEditError(f"edit {number}: it would leave white space at the edge of a block")
        current[span.index] = Block(span.kind, new)
        applied.append((start, end, replacement))
    return current, applied


def _remove_block(current: list[Block], span: BlockSpan, number: int) -> tuple[int, int, str]:
    if len(current) == 1:
        raise BlockEditError(f"edit {number}: the last block of an article cannot be removed")
    del current[span.index]
    if span.index < len(current):  # a block followed: take the separator after it
        return (span.start, span.end + len(BLOCK_SEPARATOR), "")
    return (span.start - len(BLOCK_SEPARATOR), span.end, "")

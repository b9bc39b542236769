"""W3C selectors: parsing and emitting TextQuoteSelector/TextPositionSelector, and `describe` to build them.

Offsets are Python ``str`` indices (Unicode code points); a span is the half-open ``[start, end)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

DEFAULT_CONTEXT = 32


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

"""The values exchanged with the app: known entities in, mention suggestions out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

EntityKind = Literal["person", "organization", "place", "event", "other"]
MatchKind = Literal["exact", "alias", "fuzzy"]

ENTITY_KINDS: frozenset[str] = frozenset({"person", "organization", "place", "event", "other"})


@dataclass(frozen=True, slots=True)
class KnownEntity:
    """An entity the archive already knows: canonical name, kind and aliases."""

    entity_id: int
    name: str
    kind: str
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Reject kinds outside the archive's vocabulary."""
        if self.kind not in ENTITY_KINDS:
            raise ValueError(f"unknown entity kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class MentionSuggestion:
    """A proposed mention of a known entity at text[start:end]."""

    entity_id: int
    start: int
    end: int
    found: str
    score: float
    kind: MatchKind


def entities_from_records(records: Iterable[Mapping[str, Any]]) -> list[KnownEntity]:
    """Build KnownEntity objects from seed JSON records, numbering them from 1."""
    return [
        KnownEntity(
            entity_id=index,
            name=str(record["name"]),
            kind=str(record.get("kind", "other")),
            aliases=tuple(str(alias) for alias in record.get("aliases", ())),
        )
        for index, record in enumerate(records, start=1)
    ]

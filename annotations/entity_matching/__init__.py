"""Suggest entity mentions and new entities in machine-translated article text.

Pure Python (no Django): the app feeds it `KnownEntity` rows and turns the returned
`MentionSuggestion` spans into "identifying" annotations on exact character ranges.

The package re-exports its public names; the submodules hold:

* ``entities``: `KnownEntity`, `MentionSuggestion` and `entities_from_records`;
* ``tokenising``: `fold` and `tokenize`, the normalisation both halves rely on;
* ``matcher``: `EntityMatcher` (exact, alias, all-caps and fuzzy lookup) and its matching rules;
* ``vocabulary``: the word lists (stopwords, titles, name heads, verbs, demonyms);
* ``proposals``: `propose_new_entities` and its heuristics against machine-translation noise.
"""

from annotations.entity_matching.entities import (
    ENTITY_KINDS,
    EntityKind,
    KnownEntity,
    MatchKind,
    MentionSuggestion,
    entities_from_records,
)
from annotations.entity_matching.matcher import (
    DEFAULT_FUZZY_KINDS,
    FUZZY_MIN_LENGTH,
    FUZZY_THRESHOLD,
    SCORE_ALIAS,
    SCORE_EXACT,
    SCORE_FUZZY_CAP,
    EntityMatcher,
)
from annotations.entity_matching.proposals import ACRONYM_MAX_LENGTH, NewEntityProposal, propose_new_entities
from annotations.entity_matching.tokenising import Token, fold, tokenize
from annotations.entity_matching.vocabulary import (
    CALENDAR_WORDS,
    COMMON_VERBS,
    DEMONYMS,
    EVENT_HEADS,
    FUNCTION_WORDS,
    ORGANIZATION_HEADS,
    PLACE_HEADS,
    STOPWORDS,
    TITLE_OBJECTS,
    TITLE_WORDS,
)

__all__ = [
    "ACRONYM_MAX_LENGTH",
    "CALENDAR_WORDS",
    "COMMON_VERBS",
    "DEFAULT_FUZZY_KINDS",
    "DEMONYMS",
    "ENTITY_KINDS",
    "EVENT_HEADS",
    "FUNCTION_WORDS",
    "FUZZY_MIN_LENGTH",
    "FUZZY_THRESHOLD",
    "ORGANIZATION_HEADS",
    "PLACE_HEADS",
    "SCORE_ALIAS",
    "SCORE_EXACT",
    "SCORE_FUZZY_CAP",
    "STOPWORDS",
    "TITLE_OBJECTS",
    "TITLE_WORDS",
    "EntityKind",
    "EntityMatcher",
    "KnownEntity",
    "MatchKind",
    "MentionSuggestion",
    "NewEntityProposal",
    "Token",
    "entities_from_records",
    "fold",
    "propose_new_entities",
    "tokenize",
]

"""Entity suggestions: the matcher's proposals, stored once, confirmed or dismissed by editors.

`entities_suggest` runs annotations.entity_matching over each article's current text and stores one
EntitySuggestion per article and surface form: a known entity found by name, alias or fuzzy
transliteration ("Tiknovskaya" → Sviatlana Tsikhanouskaya), or a proposed new entity (a capitalised
name no entity covers). It never stores a form twice and never offers again what an editor
dismissed: per article for known entities, and anywhere for a dismissed new-entity name (a
photographer's credit dismissed once is noise everywhere).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from annotations.anchoring import Selectors
from annotations.entity_matching import EntityMatcher, KnownEntity, MentionSuggestion, propose_new_entities, tokenize
from annotations.models import Annotation, Entity, EntitySuggestion
from annotations.services.entities import (
    IDENTIFYING,
    EntityError,
    clean_aliases,
    copies_changed,
    entity_create,
    live_entity,
    mention_write,
    suggestions_repoint,
)
from archive.models import Article

FOUND_MAX = EntitySuggestion._meta.get_field("found").max_length
NAME_MAX = Entity._meta.get_field("name").max_length
SUGGEST_BATCH = 200


@dataclass
class SuggestionRun:
    articles: int = 0
    known: int = 0
    proposed: int = 0

    def __str__(self) -> str:
        return f"{self.articles} article(s): {self.known} mention suggestion(s), {self.proposed} new-entity proposal(s)"


def entity_matcher() -> EntityMatcher:
    """A matcher over every entity in use (merged ones live on as their target's aliases)."""
    rows = Entity.objects.filter(merged_into__isnull=True).order_by("pk").values_list("pk", "name", "kind", "aliases")
    return EntityMatcher(KnownEntity(pk, name, kind, tuple(aliases or ())) for pk, name, kind, aliases in rows)


class _Found:
    """The matcher's mentions of one text, computed once: propose_new_entities asks for them again."""

    def __init__(self, mentions: list[MentionSuggestion]) -> None:
        self.mentions = mentions

    def find(self, text: str) -> list[MentionSuggestion]:
        return self.mentions


def entities_suggest(*, articles: Iterable[Article], matcher: EntityMatcher | None = None) -> SuggestionRun:
    """Store new suggestions for the articles' current text; return what was added."""
    matcher = matcher or entity_matcher()
    dismissed_names = {
        name.casefold()
        for name in EntitySuggestion.objects.filter(entity__isnull=True, state=EntitySuggestion.State.DISMISSED)
        .order_by()  # a set: no join to the articles for the model's default order
        .values_list("proposed_name", flat=True)
    }
    run = SuggestionRun()
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) == SUGGEST_BATCH:
            _suggest_batch(batch, matcher, dismissed_names, run)
            batch = []
    if batch:
        _suggest_batch(batch, matcher, dismissed_names, run)
    return run


#: One new suggestion: article_id, entity_id, proposed_name, proposed_kind, found, start, end, score.
_Row = tuple[int, int | None, str, str, str, int, int, float]


def _suggest_batch(articles: list[Article], matcher: EntityMatcher, dismissed: set[str], run: SuggestionRun) -> None:
    texts = dict(
        Article.objects.filter(pk__in=[a.pk for a in articles], current_revision__isnull=False).values_list(
            "pk", "current_revision__text"
        )
    )
    known = set(
        EntitySuggestion.objects.filter(article_id__in=texts)
        .order_by()
        .values_list("article_id", "entity_id", "proposed_name", "found")
    )
    rows: list[_Row] = []
    for article_id, text in texts.items():
        tokens = tokenize(text)
        mentions = matcher.find(text, tokens=tokens)
        known_rows = _first_per_form(article_id, mentions, known)
        rows += known_rows
        run.known += len(known_rows)
        for proposal in propose_new_entities(text, _Found(mentions), tokens=tokens):
            start, end = proposal.occurrences[0]
            name, found = proposal.name, text[start:end][:FOUND_MAX]
            if len(name) > NAME_MAX or name.casefold() in dismissed or (article_id, None, name, found) in known:
                continue
            known.add((article_id, None, name, found))
            rows.append((article_id, None, name, proposal.kind_guess, found, start, end, 0.5))
            run.proposed += 1
    _insert_new(rows)
    run.articles += len(texts)


def _insert_new(rows: list[_Row]) -> None:
    """Insert the suggestions in one statement, skipping any stored meanwhile (ignore_conflicts).

    The rows go as one parameter (PostgreSQL: column arrays, unnested; SQLite: a JSON array of rows,
    read by json_each): a batch of imports has thousands of suggestions, and bulk_create built a model
    instance and compiled every value for each, costing several times the insert, in as many
    statements as SQLite's parameter limit required.
    """
    if not rows:
        return
    columns = '(article_id, entity_id, proposed_name, proposed_kind, found, start, "end", score, state, created_at)'
    table = EntitySuggestion._meta.db_table
    pending, now = EntitySuggestion.State.PENDING.value, connection.ops.adapt_datetimefield_value(timezone.now())
    if connection.vendor == "postgresql":
        sql = (
            f"INSERT INTO {table} {columns} SELECT *, %s, %s FROM unnest("  # noqa: S608 - fixed names
            "%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::integer[], %s::integer[], %s::float8[]"
            ") ON CONFLICT DO NOTHING"
        )
        params = [pending, now, *map(list, zip(*rows, strict=True))]
    else:
        values = ", ".join(f"json_extract(value, '$[{n}]')" for n in range(len(rows[0])))
        sql = f"INSERT OR IGNORE INTO {table} {columns} SELECT {values}, %s, %s FROM json_each(%s)"  # noqa: S608
        params = [pending, now, json.dumps(rows)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _first_per_form(article_id: int, mentions: list[MentionSuggestion], known: set) -> list[_Row]:
    """One suggestion per (entity, surface form) not stored before, at its first occurrence."""
    rows = []
    for mention in mentions:
        key = (article_id, mention.entity_id, "", mention.found[:FOUND_MAX])
        if key in known:
            continue
        known.add(key)
        rows.append((article_id, mention.entity_id, "", "", key[3], mention.start, mention.end, mention.score))
    return rows


def suggestion_confirm(
    *, suggestion: EntitySuggestion, user, entity: Entity | None = None, kind: str | None = None
) -> list[Annotation]:
    """Confirm a suggestion: mark every occurrence of its form in the current text as a mention.

    A proposed new entity is created first (named as proposed, of `kind` or the guessed kind)
    unless `entity` says which existing entity it is (the form then becomes one of its aliases).
    Returns the mentions created. Raises PermissionDenied without the permissions, EntityError when
    the suggestion was already decided or its form is no longer in the text.
    """
    if not user.has_perm("annotations.change_entitysuggestion"):
        raise PermissionDenied("only reviewers may confirm entity suggestions")
    with transaction.atomic():
        suggestion = _pending(suggestion)
        target = _confirmed_entity(suggestion, user, entity, kind)
        article = Article.objects.select_related("current_revision").get(pk=suggestion.article_id)
        mentions = [
            mention_write(article, user, selectors, target, Annotation.Visibility.PUBLIC)
            for selectors in _unmarked_occurrences(article, target, suggestion.found)
        ]
        # Stored as a suggestion of the known entity, so later runs see this form as decided.
        EntitySuggestion.objects.filter(
            article_id=suggestion.article_id, entity=target, proposed_name="", found=suggestion.found
        ).exclude(pk=suggestion.pk).delete()
        suggestion.entity, suggestion.proposed_name, suggestion.state = target, "", EntitySuggestion.State.CONFIRMED
        suggestion.mention = mentions[0] if mentions else None
        suggestion.save(update_fields=["entity", "proposed_name", "state", "mention"])
    copies_changed([article.pk])
    return mentions


def _pending(suggestion: EntitySuggestion) -> EntitySuggestion:
    locked = EntitySuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.state != EntitySuggestion.State.PENDING:
        raise EntityError(f"this suggestion was already {locked.get_state_display().lower()}")
    return locked


def _confirmed_entity(suggestion: EntitySuggestion, user, entity: Entity | None, kind: str | None) -> Entity:
    """The entity a confirmed suggestion mentions, created or taught the new spelling as needed."""
    if entity is None and suggestion.entity_id is not None:
        return live_entity(suggestion.entity)
    if entity is not None:
        entity = live_entity(entity)
        names = {entity.name.casefold(), *(alias.casefold() for alias in entity.aliases)}
        if suggestion.found.casefold() not in names:
            entity.aliases = clean_aliases([*entity.aliases, suggestion.found], entity.name)
            entity.save(update_fields=["aliases"])
        return entity
    if not user.has_perm("annotations.add_entity"):
        raise PermissionDenied("only editors may create entities")
    existing = Entity.objects.filter(name__iexact=suggestion.proposed_name).first()
    created = (
        live_entity(existing)
        if existing
        else entity_create(name=suggestion.proposed_name, kind=kind or suggestion.proposed_kind or Entity.Kind.OTHER)
    )
    # The same name proposed in other articles now names a known entity.
    same_name = EntitySuggestion.objects.filter(
        entity__isnull=True, state=EntitySuggestion.State.PENDING, proposed_name__iexact=suggestion.proposed_name
    )
    suggestions_repoint(same_name.exclude(pk=suggestion.pk), created)
    return created


def _unmarked_occurrences(article: Article, entity: Entity, found: str) -> list[Selectors]:
    """Selectors of every occurrence of `found` (as the matcher reads it) not yet marked for `entity`."""
    text = article.current_revision.text
    matcher = EntityMatcher([KnownEntity(entity.pk, entity.name, entity.kind, (*entity.aliases, found))])
    spans = [(m.start, m.end) for m in matcher.find(text) if m.found == found]
    if not spans:
        raise EntityError(f"the current text no longer contains {found!r}; dismiss the suggestion instead")
    marked = set(
        Annotation.objects.filter(article=article, motivation=IDENTIFYING, entity=entity).values_list("start", "end")
    )
    return [
        Selectors(exact=text[start:end], start=start, end=end) for start, end in spans if (start, end) not in marked
    ]


def suggestion_dismiss(*, suggestion: EntitySuggestion, user) -> EntitySuggestion:
    """Dismiss a pending suggestion; it is remembered and never offered again."""
    if not user.has_perm("annotations.change_entitysuggestion"):
        raise PermissionDenied("only reviewers may dismiss entity suggestions")
    with transaction.atomic():
        suggestion = _pending(suggestion)
        suggestion.state = EntitySuggestion.State.DISMISSED
        suggestion.save(update_fields=["state"])
    return suggestion


def suggestions_pending(*, article: Article):
    """The article's pending suggestions in text order, with their entities."""
    return (
        EntitySuggestion.objects.filter(article=article, state=EntitySuggestion.State.PENDING)
        .filter(Q(entity__isnull=True) | Q(entity__merged_into__isnull=True))
        .select_related("entity")
        .order_by("start", "pk")
    )

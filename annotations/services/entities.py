"""Entities: mentions that tag articles, article-level tags, merges and the seed fixture.

Tags follow public mentions (annotations.services.mention_tags). A public `mention_create` tags the
article with the entity (a TaggedEntity row with `by_mention=True` unless the article was already
tagged); an editors' or private mention tags nothing, since tags are what readers see. When the last
public mention of an entity in an article goes (deleted, or made non-public), a `by_mention` tag goes
with it, while a tag an editor added at article level (`entity_tag_add`, or the admin's article form:
`by_mention=False`) stays. `article_entities_sync` restores that rule for an article whatever
happened to its annotations.

Suggestions (the matcher's proposals, confirmed or dismissed by editors) live in
annotations.services.entity_suggestions.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from annotations.anchoring import Selectors
from annotations.models import Annotation, Entity, EntitySuggestion, TaggedEntity
from annotations.search import search_index_update_on_commit
from annotations.services.annotating import annotation_create, annotation_delete
from annotations.services.mention_tags import mention_tags_follow, public_mentions
from archive.caching import articles_changed
from archive.models import Article

IDENTIFYING = Annotation.Motivation.IDENTIFYING
#: Longest chain of merges followed to the entity that is still in use.
MAX_MERGE_DEPTH = 10


class EntityError(ValueError):
    """An entity operation that cannot be done as asked; the message says why."""


def live_entity(entity: Entity) -> Entity:
    """Return the entity `entity` was merged into (following chains, as stored now), or `entity` itself."""
    current = Entity.objects.get(pk=entity.pk)
    for _ in range(MAX_MERGE_DEPTH):
        if current.merged_into_id is None:
            return current
        current = Entity.objects.get(pk=current.merged_into_id)
    raise EntityError(f"the entity {entity.name!r} is merged in a chain longer than {MAX_MERGE_DEPTH}")


def copies_changed(article_ids: Iterable[int]) -> None:
    """The articles' entities changed: refresh their cached pages at once and their search documents on commit."""
    ids = list(article_ids)
    if ids:
        articles_changed(ids)
        search_index_update_on_commit(ids)


# --------------------------------------------------------------------------- entities


def entity_create(
    *,
    name: str,
    kind: str = Entity.Kind.OTHER,
    aliases: Iterable[str] = (),
    wikidata_id: str = "",
    description: str = "",
) -> Entity:
    """Create an entity after validating it; raise EntityError when the name is taken or a field is invalid."""
    name = " ".join(name.split())
    entity = Entity(
        name=name,
        kind=kind,
        aliases=clean_aliases(aliases, name),
        wikidata_id=wikidata_id or "",
        description=description or "",
    )
    entity.slug = entity.slugify(name)
    if Entity.objects.filter(Q(name__iexact=name) | Q(slug=entity.slug)).exists():
        raise EntityError(f"an entity named {name!r} already exists")
    try:
        entity.full_clean()
    except ValidationError as exc:
        raise EntityError(
            "; ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())
        ) from exc
    entity.save()
    return entity


EDITABLE_FIELDS = frozenset({"name", "kind", "aliases", "wikidata_id", "description"})


def entity_update(*, entity: Entity, user, **changes: Any) -> Entity:
    """Change an entity's name, kind, aliases, Wikidata ID or description; its articles' search documents follow.

    Raises PermissionDenied without the change permission, EntityError for an unknown field or an
    invalid value (nothing is saved then).
    """
    if not user.has_perm("annotations.change_entity"):
        raise PermissionDenied("only reviewers may change entities")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise EntityError(f"these fields cannot be changed here: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(entity, field, value)
    entity.aliases = clean_aliases(entity.aliases, entity.name)
    try:
        entity.full_clean(exclude=["slug"])
    except ValidationError as exc:
        raise EntityError("; ".join(f"{f}: {' '.join(e)}" for f, e in exc.message_dict.items())) from exc
    entity.save(update_fields=sorted({*changes, "aliases"}))
    if {"name", "aliases"} & set(changes):
        copies_changed(TaggedEntity.objects.filter(tag=entity).values_list("content_object_id", flat=True))
    return entity


def clean_aliases(aliases: Iterable[str], name: str) -> list[str]:
    """Aliases without blanks, repeats (case-insensitive) or the name itself, in their first order."""
    seen = {name.casefold()}
    cleaned = []
    for alias in aliases:
        alias = " ".join(str(alias).split())
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            cleaned.append(alias)
    return cleaned


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def entities_load(*, records: Iterable[Mapping[str, Any]]) -> LoadResult:
    """Create the entities of a fixture (seeds/entities.json) that do not exist yet; idempotent.

    An existing entity (same name, case-insensitive) gains the fixture's missing aliases and its
    blank description or Wikidata ID; nothing an editor wrote is overwritten. Entities merged into
    another are left alone (their names already live on as the target's aliases).
    Raises EntityError naming the record when one is invalid; nothing is written then.
    """
    created = updated = unchanged = 0
    with transaction.atomic():
        for number, record in enumerate(records, start=1):
            fields = {
                "name": str(record["name"]),
                "kind": str(record.get("kind") or Entity.Kind.OTHER),
                "aliases": [str(alias) for alias in record.get("aliases") or ()],
                "wikidata_id": str(record.get("wikidata") or record.get("wikidata_id") or ""),
                "description": str(record.get("description") or ""),
            }
            existing = Entity.objects.filter(name__iexact=fields["name"]).first()
            try:
                if existing is None:
                    entity_create(**fields)
                    created += 1
                elif existing.merged_into_id is None and _complete(existing, fields):
                    updated += 1
                else:
                    unchanged += 1
            except EntityError as exc:
                raise EntityError(f"record {number} ({fields['name']!r}): {exc}") from exc
    return LoadResult(created, updated, unchanged)


def _complete(entity: Entity, fields: dict[str, Any]) -> bool:
    """Add missing aliases and fill blank fields of `entity` from `fields`; return whether it changed."""
    changes: dict[str, Any] = {}
    aliases = clean_aliases([*entity.aliases, *fields["aliases"]], entity.name)
    if aliases != entity.aliases:
        changes["aliases"] = aliases
    for field in ("description", "wikidata_id"):
        if fields[field] and not getattr(entity, field):
            changes[field] = fields[field]
    if not changes:
        return False
    for field, value in changes.items():
        setattr(entity, field, value)
    try:
        entity.full_clean(exclude=["name", "slug"])
    except ValidationError as exc:
        raise EntityError("; ".join(f"{f}: {' '.join(e)}" for f, e in exc.message_dict.items())) from exc
    entity.save(update_fields=list(changes))
    return True


# --------------------------------------------------------------------------- mentions and tags


def mention_create(
    *,
    article: Article,
    user,
    selectors: Selectors,
    entity: Entity,
    visibility: str = Annotation.Visibility.PUBLIC,
) -> Annotation:
    """Mark a passage of the article's current text as a mention of `entity`; a public one tags the article with it.

    Mentions are public by default: they are what readers see highlighted and linked. A merged
    entity is replaced by the one it was merged into. Raises PermissionDenied without the
    annotation and tagging permissions, annotations.services.annotating.AnnotationError for
    selectors that do not match the text.
    """
    if not (user.has_perm("annotations.add_annotation") and user.has_perm("annotations.add_taggedentity")):
        raise PermissionDenied("only editors may mark entity mentions")
    entity = live_entity(entity)
    with transaction.atomic():
        mention = mention_write(article, user, selectors, entity, visibility)
    copies_changed([article.pk])
    return mention


def mention_write(article: Article, user, selectors: Selectors, entity: Entity, visibility: str) -> Annotation:
    """Create one mention and, if public, its by-mention tag, in the caller's transaction; callers check permissions."""
    mention = annotation_create(
        article=article, creator=user, motivation=IDENTIFYING, selectors=selectors, visibility=visibility
    )
    mention.entity = entity
    mention.save(update_fields=["entity"])
    mention_tags_follow(article.pk, [entity.pk])
    return mention


def mention_delete(*, mention: Annotation, user) -> None:
    """Delete a mention; the article loses the entity's tag with its last public mention unless tagged explicitly.

    Raises EntityError for an annotation that is not a mention, PermissionDenied when the user may
    not change it (see annotation_delete).
    """
    if mention.motivation != IDENTIFYING or mention.entity_id is None:
        raise EntityError("this annotation is not an entity mention")
    annotation_delete(annotation=mention, user=user)  # drops the tag and refreshes the readers' copies


def article_entities_sync(*, article: Article) -> None:
    """Make the article's entity tags agree with its public mentions (tag those entities, drop unsupported tags)."""
    with transaction.atomic():
        mentioned = Annotation.objects.filter(article=article, motivation=IDENTIFYING, entity__isnull=False)
        tagged = TaggedEntity.objects.filter(content_object=article)
        mention_tags_follow(
            article.pk,
            {*mentioned.values_list("entity_id", flat=True), *tagged.values_list("tag_id", flat=True)},
        )
    copies_changed([article.pk])


def entity_tag_add(*, article: Article, entity: Entity, user) -> TaggedEntity:
    """Tag the article with the entity at article level: the tag stays whatever its mentions."""
    if not user.has_perm("annotations.add_taggedentity"):
        raise PermissionDenied("only editors may tag articles with entities")
    entity = live_entity(entity)
    with transaction.atomic():
        tag, created = TaggedEntity.objects.get_or_create(
            content_object=article, tag=entity, defaults={"by_mention": False}
        )
        if not created and tag.by_mention:
            tag.by_mention = False
            tag.save(update_fields=["by_mention"])
    copies_changed([article.pk])
    return tag


def entity_tag_remove(*, article: Article, entity: Entity, user) -> None:
    """Remove the article's tag; raise EntityError while public passages still mention the entity (they tag it)."""
    if not user.has_perm("annotations.delete_taggedentity"):
        raise PermissionDenied("only editors may untag articles")
    mentions = public_mentions(article.pk, [entity.pk]).count()
    if mentions:
        raise EntityError(
            f"the article still mentions {entity.name} in {mentions} public passage(s); remove those mentions first"
        )
    TaggedEntity.objects.filter(content_object=article, tag=entity).delete()
    copies_changed([article.pk])


# --------------------------------------------------------------------------- merging


def entity_merge(*, source: Entity, target: Entity, user) -> Entity:
    """Merge `source` into `target`: its name and aliases, mentions, tags and suggestions move; its page redirects.

    The source row stays (with `merged_into` set) so its old URL answers 301. Raises
    PermissionDenied without the change permission, EntityError for a merge into itself or
    into/from an entity that is already merged.
    """
    if not user.has_perm("annotations.change_entity"):
        raise PermissionDenied("only reviewers may merge entities")
    with transaction.atomic():
        locked = {e.pk: e for e in Entity.objects.select_for_update().filter(pk__in=[source.pk, target.pk])}
        source, target = locked[source.pk], locked[target.pk]
        _check_mergeable(source, target)
        target.aliases = clean_aliases([*target.aliases, source.name, *source.aliases], target.name)
        target.description = target.description or source.description
        target.wikidata_id = target.wikidata_id or source.wikidata_id
        target.save(update_fields=["aliases", "description", "wikidata_id"])
        Annotation.objects.filter(entity=source).update(entity=target)
        _move_tags(source, target)
        _move_suggestions(source, target)
        Entity.objects.filter(merged_into=source).update(merged_into=target)
        source.merged_into = target
        source.save(update_fields=["merged_into"])
        article_ids = list(TaggedEntity.objects.filter(tag=target).values_list("content_object_id", flat=True))
    copies_changed(article_ids)
    return target


def _check_mergeable(source: Entity, target: Entity) -> None:
    if source.pk == target.pk:
        raise EntityError("an entity cannot be merged into itself")
    if source.merged_into_id is not None:
        raise EntityError(f"{source.name} was already merged into another entity")
    if target.merged_into_id is not None:
        raise EntityError(f"{target.name} was merged into another entity; merge into that one instead")


def _move_tags(source: Entity, target: Entity) -> None:
    """Retag the source's articles with the target; an article tagged with both keeps one, explicit if either was."""
    TaggedEntity.objects.filter(
        tag=target, content_object__entity_links__tag=source, content_object__entity_links__by_mention=False
    ).update(by_mention=False)
    TaggedEntity.objects.filter(tag=source, content_object__entity_links__tag=target).delete()
    TaggedEntity.objects.filter(tag=source).update(tag=target)


def _move_suggestions(source: Entity, target: Entity) -> None:
    suggestions_repoint(EntitySuggestion.objects.filter(entity=source), target)


def suggestions_repoint(suggestions, entity: Entity) -> None:
    """Make `suggestions` (a queryset) suggest `entity`, dropping those whose form it already has in that article."""
    clashing = EntitySuggestion.objects.filter(
        entity=entity, article=OuterRef("article"), proposed_name="", found=OuterRef("found")
    )
    suggestions.filter(Exists(clashing)).delete()
    suggestions.update(entity=entity, proposed_name="")

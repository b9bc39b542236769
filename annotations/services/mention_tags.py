"""By-mention entity tags follow the article's PUBLIC mentions.

An article tagged with an entity shows it to readers: in its chips, on the entity's page, in related
coverage and in its search document. So a `by_mention` tag (TaggedEntity) exists while, and only
while, at least one public mention of the entity is in the article: it comes with the first public
mention, goes with the last one, and follows a mention whose visibility changes. Editors' and private
mentions tag nothing. A tag an editor added at article level (`by_mention=False`) stays whatever the
mentions.

Here, without the entity services, so that annotating (mentions changed or deleted through the
protocol, the workspace or the admin) and entities can both keep the rule.
"""

from collections.abc import Iterable

from annotations.models import Annotation, TaggedEntity

IDENTIFYING = Annotation.Motivation.IDENTIFYING


def public_mentions(article_id: int, entity_ids: Iterable[int]):
    """The article's public mentions of any of `entity_ids` (a queryset)."""
    return Annotation.objects.filter(
        article_id=article_id,
        motivation=IDENTIFYING,
        visibility=Annotation.Visibility.PUBLIC,
        entity_id__in=list(entity_ids),
    )


def mention_tags_follow(article_id: int, entity_ids: Iterable[int]) -> bool:
    """Tag the article with those of `entity_ids` it mentions publicly and drop the by-mention tags of the others.

    Returns whether a tag was added or removed (the caller refreshes the readers' copies then).
    A few queries, whatever the number of entities.
    """
    entity_ids = set(entity_ids)
    if not entity_ids:
        return False
    public = set(public_mentions(article_id, entity_ids).values_list("entity_id", flat=True))
    tagged = set(
        TaggedEntity.objects.filter(content_object_id=article_id, tag_id__in=public).values_list("tag_id", flat=True)
    )
    TaggedEntity.objects.bulk_create(
        [TaggedEntity(content_object_id=article_id, tag_id=pk, by_mention=True) for pk in public - tagged],
        ignore_conflicts=True,
    )
    untagged, _ = TaggedEntity.objects.filter(
        content_object_id=article_id, tag_id__in=entity_ids - public, by_mention=True
    ).delete()
    return bool(public - tagged) or bool(untagged)


def mention_tags_changed(annotation: Annotation) -> bool:
    """After `annotation` was created, changed or deleted: keep its entity's tag to the rule if it is a mention.

    Returns whether the article's tags changed.
    """
    if annotation.motivation != IDENTIFYING or annotation.entity_id is None:
        return False
    return mention_tags_follow(annotation.article_id, [annotation.entity_id])

"""By-mention entity tags follow public mentions only: repair the tags written before that rule.

Until now every mention tagged its article with the entity, whatever the mention's visibility, and a
mention deleted through the protocol or the workspace left its tag behind. A tag is public (the
article's chips, the entity's page, related coverage, the search document), so an editors' or private
mention leaked the entity to readers. As annotations.services.mention_tags now keeps the rule: a
`by_mention` tag no public mention supports is removed, and an article publicly mentioning an
entity it is not tagged with gets the tag. Tags added at article level (`by_mention=False`) stay.

The articles concerned then get their search documents rewritten (they hold the tagged entities'
names) and their cached pages invalidated, with the application's code, as in 0007 (and for the
same reason: it runs only on a database written before the rule).
"""

from django.db import migrations
from django.db.models import Exists, OuterRef


def tags_follow_public_mentions(apps, schema_editor):
    """Drop by-mention tags without a public mention, add the missing ones; refresh the readers' copies."""
    db = schema_editor.connection.alias
    Annotation = apps.get_model("annotations", "Annotation")
    TaggedEntity = apps.get_model("annotations", "TaggedEntity")
    public_mentions = Annotation.objects.using(db).filter(
        motivation="identifying", visibility="public", entity__isnull=False
    )
    unsupported = (
        TaggedEntity.objects.using(db)
        .filter(by_mention=True)
        .exclude(Exists(public_mentions.filter(article_id=OuterRef("content_object_id"), entity_id=OuterRef("tag_id"))))
    )
    stale = dict(unsupported.values_list("pk", "content_object_id"))
    TaggedEntity.objects.using(db).filter(pk__in=list(stale)).delete()
    missing = set(
        public_mentions.exclude(
            Exists(
                TaggedEntity.objects.using(db).filter(
                    content_object_id=OuterRef("article_id"), tag_id=OuterRef("entity_id")
                )
            )
        ).values_list("article_id", "entity_id")
    )
    TaggedEntity.objects.using(db).bulk_create(
        [TaggedEntity(content_object_id=article, tag_id=entity, by_mention=True) for article, entity in missing],
        ignore_conflicts=True,
    )
    articles = sorted({*stale.values(), *(article for article, _ in missing)})
    if articles:
        refresh_readers_copies(articles)


def refresh_readers_copies(article_ids):
    from annotations.search import search_index_update
    from archive.caching import articles_changed

    search_index_update(article_ids=article_ids)
    articles_changed(article_ids)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0007_narrow_replies_to_their_thread"),
    ]

    operations = [
        # Going back leaves the tags as they are now (which tags the old rule would have made is not kept).
        migrations.RunPython(tags_follow_public_mentions, migrations.RunPython.noop),
    ]

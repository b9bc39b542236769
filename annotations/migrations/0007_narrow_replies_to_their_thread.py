"""A reply is never shown to more people than its note: narrow the replies written before that rule.

annotation_create and annotation_update now clamp a reply to its note's visibility, but rows written
earlier may be public under an editors' or private note (or editors' under a private one): readers
found them in the protocol and, through their bodies, in the search. Each such reply takes its
parent's visibility, down the thread (a reply to a narrowed reply follows), with its version raised
so clients holding its old ETag refetch it, as annotating.narrow_replies does.

The articles concerned then get their search documents rewritten (a document holds its public notes'
bodies) and their cached pages invalidated. Both use the application's code, not a frozen copy: they
run only when a reply was narrowed, i.e. on a database written before the rule, migrated from 0006.
Should a later schema change break them here, drop the call and run annotations.search's
search_index_rebuild() after migrating instead. No audit entry is written: the audit chain records
what people did, and this migration is the record of the repair.
"""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

#: (the reply's visibility, its parent's): the replies seen by more people than their note.
WIDER_THAN_PARENT = [("public", "editors"), ("public", "private"), ("editors", "private")]


def narrow_replies_to_their_thread(apps, schema_editor):
    """Give every reply wider than its parent the parent's visibility; refresh the readers' copies of their articles."""
    Annotation = apps.get_model("annotations", "Annotation")
    rows = Annotation.objects.using(schema_editor.connection.alias)
    now, articles = timezone.now(), set()
    narrowed = True
    while narrowed:  # each pass lowers some replies' audience, so this ends (at the depth of the deepest thread)
        narrowed = False
        for wider, parent in WIDER_THAN_PARENT:
            replies = rows.filter(parent__isnull=False, visibility=wider, parent__visibility=parent)
            found = dict(replies.values_list("pk", "article_id"))
            if found:
                rows.filter(pk__in=list(found)).update(visibility=parent, version=F("version") + 1, modified_at=now)
                articles.update(found.values())
                narrowed = True
    if articles:
        refresh_readers_copies(sorted(articles))


def refresh_readers_copies(article_ids):
    from annotations.search import search_index_update
    from archive.caching import articles_changed

    search_index_update(article_ids=article_ids)
    articles_changed(article_ids)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0006_article_search_day"),
    ]

    operations = [
        # Irreversible in meaning (which replies were public is not kept); going back leaves them narrowed.
        migrations.RunPython(narrow_replies_to_their_thread, migrations.RunPython.noop),
    ]

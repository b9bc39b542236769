"""Annotation work started by archive events: the one documented seam from the archive to this app.

`archive.signals.articles_imported` is sent on commit of an import with the new `article_ids`,
`articles_edited` on commit of an edit of articles' own fields; the receivers below are connected
in AnnotationsConfig.ready(). They call services, nothing more.
"""

from django.dispatch import receiver

from annotations.search import search_index_update
from annotations.services.entity_suggestions import entities_suggest
from annotations.services.glossary import glossary_scan
from archive.models import Article
from archive.signals import articles_edited, articles_imported


@receiver(articles_imported, dispatch_uid="annotations.glossary_scan_on_import")
def suggest_glossary_fixes(sender, article_ids, **kwargs) -> None:
    """Suggest the glossary's remembered fixes in freshly imported articles (never applied)."""
    glossary_scan(articles=Article.objects.filter(pk__in=article_ids))


@receiver(articles_imported, dispatch_uid="annotations.entities_and_search_on_import")
def suggest_entities_and_index(sender, article_ids, **kwargs) -> None:
    """Suggest entity mentions in freshly imported articles and add them to the search index."""
    entities_suggest(articles=Article.objects.filter(pk__in=article_ids).only("pk"))
    search_index_update(article_ids=article_ids)


@receiver(articles_edited, dispatch_uid="annotations.search_on_edit")
def reindex_edited(sender, article_ids, **kwargs) -> None:
    """Rewrite the search documents of edited articles: the headline and the date are in them."""
    search_index_update(article_ids=article_ids)

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from archive.models import Article


class ArticleSearch(models.Model):
    """The full-text document of one article: headline, current text, entity names and public notes.

    Written by annotations.search.search_index_update, never by save(). On PostgreSQL `vector`
    holds the weighted tsvector (GIN-indexed by a migration); on SQLite it stays empty and the
    same document lives in the FTS5 table `annotations_search_fts` (rowid = article id).
    """

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="search_document")
    vector = SearchVectorField(null=True)
    #: The article's date when the document was written: newest-first order without joining articles.
    day = models.DateField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "article search document"

    def __str__(self) -> str:
        return f"search document of article {self.article_id}"

"""The published articles in the sitemap (/sitemap.xml): drafts never, whoever asks."""

from django.contrib.sitemaps import Sitemap

from archive.models import Article


class ArticleSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, article: Article):
        return article.updated_at

"""The entities with a public page in the sitemap (/sitemap.xml): those tagging a published article."""

from django.contrib.sitemaps import Sitemap

from annotations.models import Entity


class EntitySitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Entity.objects.public().only("slug").order_by("pk")

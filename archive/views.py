import logging

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.generic import DetailView, ListView

from annotations.reading import reader_article
from archive.caching import (
    ArticlePagesCacheMixin,
    ListPagesCacheMixin,
    article_version_key,
    claim_render,
    current_version,
    page_key,
    page_of,
    release_render,
)
from archive.models import Article

logger = logging.getLogger("palimpsest.caching")
ARTICLE_TEMPLATE = "archive/article_detail.html"


class ArticleListView(ListPagesCacheMixin, ListView):
    """The latest published articles, newest first."""

    cache_query_params = ("page",)
    template_name = "archive/article_list.html"
    context_object_name = "articles"
    paginate_by = 20

    def get_queryset(self):
        return (
            Article.objects.published()
            .select_related("outlet")
            .only("slug", "headline", "published_at", "published_on", "published_on_precision", "outlet__name")
        )


class ArticleDetailView(ArticlePagesCacheMixin, DetailView):
    """An article as readers see it: the current text without teasers and site furniture.

    This page shows both apps' work (notes, corrections, mentions), so it may import annotations.
    """

    template_name = ARTICLE_TEMPLATE
    context_object_name = "article"

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code in (200, 304):
            # Web Annotation Protocol discovery, also given as <link> in the page's head.
            # The container is /articles/<slug>/annotations/ (annotations:container); built by hand because
            # reverse() costs as much as the rest of a cache hit.
            container = request.build_absolute_uri(f"{request.path}annotations/")
            response["Link"] = f'<{container}>; rel="http://www.w3.org/ns/oa#annotationService"'
        return response

    def get_queryset(self):
        return Article.objects.visible_to(self.request.user).select_related("outlet", "current_revision")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | article_page_context(self.object)


def article_page_context(article: Article) -> dict:
    """What the article template shows of `article`, the same for every visitor (their own menu aside)."""
    return {"article": article, "revision": article.current_revision, "reader": reader_article(article)}


def prerender_article_page(slug: str) -> None:
    """Render the public page of an article that changed, for its readers, if readers are being served it.

    Called once an edit is committed (`archive.caching.articles_changed`). The page is rendered as an
    anonymous reader gets it (no request: no menu of a signed-in user, no token) under the version
    current before rendering, as a reader's render would be, and claimed for that version so that
    readers asking meanwhile wait for it instead of rendering it too. Pages nobody reads (a bulk
    import, a draft) are left for their first reader. A failure is logged, never raised: the edit is
    committed.
    """
    key = page_key(Article(slug=slug).get_absolute_url())
    try:
        if not cache.has_key(key):  # no reader asked for it since it was last dropped (or ever)
            return
        version = current_version(article_version_key(slug))
        if not claim_render(key, version):  # a reader is rendering it already
            return
        try:
            _render_for_readers(slug, key, version)
        finally:
            release_render(key, version)
    except Exception:  # noqa: BLE001 - the reader's render is the fallback; the edit must not fail after commit
        logger.exception("could not render the page of %s ahead of its readers", slug)


def _render_for_readers(slug: str, key: str, version: int) -> None:
    article = Article.objects.published().select_related("outlet", "current_revision").filter(slug=slug).first()
    if article is not None:
        body = render_to_string(ARTICLE_TEMPLATE, article_page_context(article)).encode()
        cache.set(key, page_of(version, body, "text/html; charset=utf-8"), settings.PALIMPSEST_PAGE_CACHE_SECONDS)


class OriginalDetailView(ArticlePagesCacheMixin, DetailView):
    """The bytes of the article's first import, shown verbatim with their SHA-256."""

    template_name = "archive/original_detail.html"
    context_object_name = "original"

    def get_object(self, queryset=None):
        article = get_object_or_404(Article.objects.visible_to(self.request.user), slug=self.kwargs["slug"])
        original = article.originals.order_by("imported_at", "pk").first()
        if original is None:
            raise Http404("this article has no imported original")
        original.article = article
        return original

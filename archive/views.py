from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from annotations.reading import reader_article
from archive.caching import ArticlePagesCacheMixin, ListPagesCacheMixin
from archive.models import Article


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

    template_name = "archive/article_detail.html"
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
        context = super().get_context_data(**kwargs)
        context["revision"] = self.object.current_revision
        context["reader"] = reader_article(self.object)
        return context


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

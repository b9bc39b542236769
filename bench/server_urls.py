"""The product's URLs plus the benchmark-only views (never in config/urls.py).

- `/bench/hello/`: hello world through the same middleware, the yardstick of every ratio;
- `/bench/one-row/<pk>/`: one primary-key query, for CONN_MAX_AGE=0 against persistent connections;
- `/bench/miss/articles/<slug>/`: the public article page on a worker's first request after an edit.
  The edit bumped the page's version and, on commit, stored the new page in Redis
  (`prerender_article_page`); the worker's own copy is out of date. Ahead of the page cache's
  middleware, `out_of_date_first` drops that copy, so every request takes the page and its version
  from Redis and keeps it, as the first request after an edit does. (Bumping the version for every
  request instead would race: with 16 connections, most requests would find the page outdated by
  another request's bump and render it);
- `/bench/render/articles/<slug>/`: the article page rendered for every request, as the page cache
  renders it when no copy is anywhere (a cold cache, an eviction) and as each edit renders it once:
  the same queries and template, without the cache around it (whose render claims would make
  concurrent requests wait for each other's copies);
- `/bench/bytes/<size>/`: `size` bytes from process memory, the ceiling of any cache for a page that big.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import include, path

from archive.caching import front_key, local_pages
from archive.models import Article
from archive.views import ARTICLE_TEMPLATE, ArticleDetailView, article_page_context

article_page = ArticleDetailView.as_view()
handler500 = "config.errors.server_error"


def hello(request):
    return HttpResponse(b"Hello, world!", content_type="text/plain")


def one_row(request, pk: int):
    headline = Article.objects.filter(pk=pk).values_list("headline", flat=True).get()
    return HttpResponse(headline.encode(), content_type="text/plain; charset=utf-8")


def memory(request, size: int):
    return HttpResponse(bytes(size), content_type="text/html; charset=utf-8")


def rendered(request, slug: str):
    queryset = Article.objects.published().select_related("outlet", "current_revision")
    return TemplateResponse(request, ARTICLE_TEMPLATE, article_page_context(get_object_or_404(queryset, slug=slug)))


MISS_PREFIX = "/bench/miss/articles/"


def out_of_date_first(get_response):
    """Middleware (first in bench/server_settings.py): the miss URL's copy in this worker goes out of date first."""

    def middleware(request):
        if request.path.startswith(MISS_PREFIX):
            local_pages.discard(front_key(request))
        return get_response(request)

    return middleware


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/one-row/<int:pk>/", one_row),
    path("bench/miss/articles/<slug:slug>/", article_page),
    path("bench/render/articles/<slug:slug>/", rendered),
    path("bench/bytes/<int:size>/", memory),
    path("", include("config.urls")),
]

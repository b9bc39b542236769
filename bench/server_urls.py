"""The product's URLs plus three benchmark-only views (never in config/urls.py).

- `/bench/hello/`: hello world through the same middleware, the yardstick of every ratio;
- `/bench/one-row/<pk>/`: one primary-key query, for CONN_MAX_AGE=0 against persistent connections;
- `/bench/miss/articles/<slug>/`: the public article page on a cache miss: the article's page version is
  bumped (as `article_changed` does after an edit) before the cached page view runs, so every request
  reads the version, renders, and stores the page;
- `/bench/bytes/<size>/`: `size` bytes from process memory, the ceiling of any cache for a page that big;
- `/bench/no-link/articles/<slug>/`: the cached article page without the annotation-service `Link`
  header that ArticleDetailView adds to every response, to measure what building it costs on a hit.
"""

from django.core.cache import cache
from django.http import HttpResponse
from django.urls import include, path

from archive.caching import article_version_key
from archive.models import Article
from archive.views import ArticleDetailView

article_page = ArticleDetailView.as_view()
handler500 = "config.errors.server_error"


def hello(request):
    return HttpResponse(b"Hello, world!", content_type="text/plain")


def one_row(request, pk: int):
    headline = Article.objects.filter(pk=pk).values_list("headline", flat=True).get()
    return HttpResponse(headline.encode(), content_type="text/plain; charset=utf-8")


def memory(request, size: int):
    return HttpResponse(bytes(size), content_type="text/html; charset=utf-8")


class ArticleWithoutLink(ArticleDetailView):
    def dispatch(self, request, *args, **kwargs):
        return super(ArticleDetailView, self).dispatch(request, *args, **kwargs)


def miss(request, slug: str):
    try:
        cache.incr(article_version_key(slug))
    except ValueError:  # no version yet: the page view creates one
        pass
    return article_page(request, slug=slug)


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/one-row/<int:pk>/", one_row),
    path("bench/miss/articles/<slug:slug>/", miss),
    path("bench/bytes/<int:size>/", memory),
    path("bench/no-link/articles/<slug:slug>/", ArticleWithoutLink.as_view()),
    path("", include("config.urls")),
]

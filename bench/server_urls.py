"""The product's URLs plus the benchmark-only views (never in config/urls.py).

- `/bench/hello/`: hello world through the same middleware, the yardstick of every ratio;
- `/bench/one-row/<pk>/`: one primary-key query, for CONN_MAX_AGE=0 against persistent connections;
- `/bench/miss/articles/<slug>/`: the public article page on the first request after an edit: ahead of
  the page cache's middleware, `bump_before_the_page_cache` bumps the article's page version (as
  `article_changed` does) and stores the page again under the new version, as
  `prerender_article_page` does when the edit commits, so every request finds its copy out of date
  and takes the new page from Redis;
- `/bench/render/articles/<slug>/`: the article page rendered for every request: the version is bumped
  and the page taken out of the cache first (a cold cache, an eviction, or what each edit renders once);
- `/bench/bytes/<size>/`: `size` bytes from process memory, the ceiling of any cache for a page that big.
"""

from django.core.cache import cache
from django.http import HttpResponse
from django.urls import include, path

from archive.caching import article_version_key, page_key
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


MISS_PREFIX, RENDER_PREFIX = "/bench/miss/articles/", "/bench/render/articles/"


def bump_before_the_page_cache(get_response):
    """Middleware (first in bench/server_settings.py): the miss and render URLs' pages go out of date first."""

    def middleware(request):
        for prefix in (MISS_PREFIX, RENDER_PREFIX):
            if request.path.startswith(prefix):
                slug = request.path.removeprefix(prefix).strip("/")
                out_of_date(slug, page_key(request.path), rendered_ahead=prefix == MISS_PREFIX)
        return get_response(request)

    return middleware


def out_of_date(slug: str, key: str, *, rendered_ahead: bool) -> None:
    version_key = article_version_key(slug)
    version = cache.incr(version_key) if cache.get(version_key) is not None else None
    page = cache.get(key)
    if page is None or version is None:
        return
    if rendered_ahead:
        cache.set(key, page._replace(version=version))
    else:
        cache.delete(key)


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/one-row/<int:pk>/", one_row),
    path("bench/miss/articles/<slug:slug>/", article_page),
    path("bench/render/articles/<slug:slug>/", article_page),
    path("bench/bytes/<int:size>/", memory),
    path("", include("config.urls")),
]

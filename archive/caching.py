"""Page cache for the public pages, shared by every app server through Django's cache (Redis in production).

Invalidation is by version, never by deleting pages: each article has a version counter
(`pages:v:article:<slug>`) and the article list has one (`pages:v:list`). A cached page stores the
version it was rendered under and is served only while that is still the current version, so a write
invalidates every page of an article on every server with one `cache.incr`. A page and its version
are read in one round trip (`get_many`).

Writers call `article_changed(article_id)` / `archive_changed()` *inside* their transaction: the
version is bumped at once (reads in the same transaction, such as tests, see the change) and again on
commit (a reader that re-cached the old text between the first bump and the commit is invalidated).
Only anonymous GET/HEAD requests without a messages cookie are served from or stored in the cache:
signed-in users may see drafts and private notes, which must never reach a public copy.
"""

import hashlib
import logging
import secrets
import time
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from redis.exceptions import RedisError

from archive.models import Article

logger = logging.getLogger("palimpsest.caching")

#: What a cache backend raises when its server is unreachable (Redis) or misbehaves.
CACHE_ERRORS = (OSError, RedisError)

LIST_VERSION_KEY = "pages:v:list"


def article_version_key(slug: str) -> str:
    return f"pages:v:article:{slug}"


def _fresh_version() -> int:
    # Random, not 1: a version key evicted and recreated must not match pages cached before.
    return 2**32 + secrets.randbelow(2**52)


def _bump(keys: Iterable[str]) -> None:
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # not set yet, or evicted: any fresh version invalidates what was cached
            cache.add(key, _fresh_version(), timeout=None)
        except CACHE_ERRORS as exc:
            logger.error("page cache: could not invalidate %s (pages may be stale until they expire): %s", key, exc)


def _bump_now_and_on_commit(keys: list[str]) -> None:
    if keys:
        _bump(keys)
        transaction.on_commit(lambda: _bump(keys))


def articles_changed(article_ids: Iterable[int]) -> None:
    """Invalidate every cached page of these articles (the article page, its original, …) on every server."""
    slugs = Article.objects.filter(pk__in=list(article_ids)).values_list("slug", flat=True)
    _bump_now_and_on_commit([article_version_key(slug) for slug in slugs])


def article_changed(article_id: int) -> None:
    """Invalidate every cached page of one article; call it inside the writing transaction."""
    articles_changed([article_id])


def archive_changed() -> None:
    """Invalidate the cached article list pages (an article appeared, went, or changed its headline)."""
    _bump_now_and_on_commit([LIST_VERSION_KEY])


class CachedPage(NamedTuple):
    version: int
    etag: str
    last_modified: int
    content_type: str
    body: bytes


def _current_version(key: str) -> int:
    cache.add(key, _fresh_version(), timeout=None)
    return cache.get(key)


class PublicPageCacheMixin:
    """For public read-only views: anonymous GET/HEAD served from the page cache, with ETag and 304.

    A view says which version counter its pages hang on (`page_version_key`) and which query
    parameters change the page (`cache_query_params`); any other parameter bypasses the cache, so
    arbitrary query strings cannot fill it.
    """

    cache_query_params: tuple[str, ...] = ()

    def page_version_key(self) -> str:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        page_key = self._page_key(request)
        if page_key is None:
            response = super().dispatch(request, *args, **kwargs)
            if request.user.is_authenticated:
                patch_cache_control(response, private=True)
            return response
        version_key = self.page_version_key()
        try:
            found = cache.get_many([page_key, version_key])
            page, version = found.get(page_key), found.get(version_key)
            if page is not None and page.version == version:
                return self._respond(request, page)
            version = version or _current_version(version_key)
        except CACHE_ERRORS as exc:
            logger.warning("page cache unavailable, rendering %s: %s", request.path, exc)
            return super().dispatch(request, *args, **kwargs)
        # The version was read before rendering: a change made while we render leaves this copy stale-marked.
        response = super().dispatch(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if not self._shareable(request, response):
            return response
        page = self._page(version, response)
        try:
            cache.set(page_key, page, timeout=settings.PALIMPSEST_PAGE_CACHE_SECONDS)
        except CACHE_ERRORS as exc:
            logger.warning("page cache unavailable, not storing %s: %s", request.path, exc)
        return self._respond(request, page)

    def _page_key(self, request) -> str | None:
        """Return the cache key of this request's page, or None when it must not come from the cache."""
        if not settings.PALIMPSEST_PAGE_CACHE or request.method not in ("GET", "HEAD"):
            return None
        if CookieStorage.cookie_name in request.COOKIES or request.user.is_authenticated:
            return None
        if set(request.GET) - set(self.cache_query_params):
            return None
        query = urlencode(sorted((name, request.GET[name]) for name in self.cache_query_params if name in request.GET))
        return f"pages:page:{request.scheme}://{request.get_host()}{request.path}?{query}"

    @staticmethod
    def _shareable(request, response) -> bool:
        """Return whether this response holds nothing particular to the visitor (token, message, cookie)."""
        messages = getattr(request, "_messages", None)
        return (
            response.status_code == 200
            and not response.cookies
            and not response.has_header("Cache-Control")
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a CSRF token was rendered into the page
            and not (messages is not None and (messages.used or messages.added_new))
            and not request.session.modified
        )

    @staticmethod
    def _page(version: int, response) -> CachedPage:
        body = response.content
        return CachedPage(
            version=version,
            etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            last_modified=int(time.time()),
            content_type=response["Content-Type"],
            body=body,
        )

    @staticmethod
    def _respond(request, page: CachedPage) -> HttpResponse:
        response = HttpResponse(page.body, content_type=page.content_type)
        response["ETag"] = page.etag
        response["Last-Modified"] = http_date(page.last_modified)
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        patch_vary_headers(response, ["Cookie"])
        return get_conditional_response(request, etag=page.etag, last_modified=page.last_modified, response=response)


class ArticlePagesCacheMixin(PublicPageCacheMixin):
    """Pages of the article named by the URL's `slug`, cached until `article_changed` is called for it."""

    def page_version_key(self) -> str:
        return article_version_key(self.kwargs["slug"])


class ListPagesCacheMixin(PublicPageCacheMixin):
    """Pages listing articles, cached until `archive_changed` is called."""

    def page_version_key(self) -> str:
        return LIST_VERSION_KEY

"""Page cache for the public pages, shared by every app server through Django's cache (Redis in production).

Invalidation is by version, never by deleting pages: each article has a version counter
(`pages:v:article:<slug>`) and the article list has one (`pages:v:list`). A cached page stores the
version it was rendered under and is served only while that is still the current version, so a write
invalidates every page of an article on every server with one `cache.incr`. A page and its version
are read in one round trip (`get_many`).

Two layers serve a page:

- `PageCacheMiddleware`, near the top of the middleware, answers a repeat request from this process's
  memory (`LocalPages`) before sessions, authentication, CSRF or URL resolving run: the page's copy,
  with the final headers of the response it was first served as, is served while its version is
  still current. With Redis, each process learns of every version bump from an announcement on
  Redis pub/sub (archive/version_watch.py) and reads no version per hit; without a confirmed
  subscription it reads the version from the cache for every hit. Either way a change reaches every
  server at once (within the announcement's delivery, well under a millisecond on a LAN).
- `PublicPageCacheMixin` on the views takes what the front misses: the page from the shared cache
  (Redis), or a render, one per process and version at a time (`RenderFlights`).

Writers call `article_changed(article_id)` / `archive_changed()` *inside* their transaction: the
version is bumped at once (reads in the same transaction, such as tests, see the change) and again on
commit (a reader that re-cached the old text between the first bump and the commit is invalidated).
Only anonymous GET/HEAD requests without a messages cookie are served from or stored in the cache:
signed-in users may see drafts and private notes, which must never reach a public copy.
"""

import gzip
import hashlib
import logging
import re
import secrets
import threading
import time
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from redis.exceptions import RedisError

from archive.models import Article
from archive.version_watch import CHANNEL as VERSION_CHANNEL
from archive.version_watch import version_watch

logger = logging.getLogger("palimpsest.caching")

#: What a cache backend raises when its server is unreachable (Redis) or misbehaves.
CACHE_ERRORS = (OSError, RedisError)

LIST_VERSION_KEY = "pages:v:list"


def article_version_key(slug: str) -> str:
    return f"pages:v:article:{slug}"


def _fresh_version() -> int:
    # Random, not 1: a version key evicted and recreated must not match pages cached before.
    return 2**32 + secrets.randbelow(2**52)


def _bump(keys: list[str]) -> None:
    """Move each version on, announcing it to every process where the cache can (Redis)."""
    announcing = hasattr(cache, "bump_and_announce")
    for key in keys:
        try:
            if announcing:
                cache.bump_and_announce(key, initial=_fresh_version(), channel=VERSION_CHANNEL)
            else:
                _bump_quietly(key)
        except CACHE_ERRORS as exc:
            logger.error("page cache: could not invalidate %s (pages may be stale until they expire): %s", key, exc)
    version_watch.forget(keys)


def _bump_quietly(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not set yet, or evicted: any fresh version invalidates what was cached
        cache.add(key, _fresh_version(), timeout=None)


def _bump_now_and_on_commit(keys: list[str]) -> None:
    if keys:
        _bump(keys)
        transaction.on_commit(lambda: _bump(keys))


def articles_changed(article_ids: Iterable[int]) -> None:
    """Invalidate every cached page of these articles (the article page, its original, …) on every server.

    On commit, the article pages that readers were being served are rendered again at once
    (`archive.views.prerender_article_page`), so the first reader after an edit, on any server,
    finds the new page instead of rendering it, and an edit costs one render for the whole fleet
    (up to PRERENDER_AT_MOST articles; a wider change leaves the renders to its readers).
    """
    slugs = list(Article.objects.filter(pk__in=list(article_ids)).values_list("slug", flat=True))
    if slugs:
        _bump([article_version_key(slug) for slug in slugs])
        transaction.on_commit(lambda: _bump_and_prerender(slugs))


#: An edit touching more articles than this (a merge of entities, a migration) leaves their pages to
#: their readers: rendering each in the writer's request would make it last seconds.
PRERENDER_AT_MOST = 3


def _bump_and_prerender(slugs: list[str]) -> None:
    from archive.views import prerender_article_page  # the views import this module

    _bump([article_version_key(slug) for slug in slugs])
    if len(slugs) <= PRERENDER_AT_MOST:
        for slug in slugs:
            prerender_article_page(slug)


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
    #: The body compressed once, by whoever rendered it, for every reader whose browser accepts gzip.
    gzipped: bytes


def page_of(version: int, body: bytes, content_type: str) -> CachedPage:
    """The page to cache for `body`, rendered under `version` (read before rendering began)."""
    return CachedPage(
        version=version,
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        last_modified=int(time.time()),
        content_type=content_type,
        body=body,
        gzipped=gzip.compress(body, compresslevel=6, mtime=0),
    )


def page_key(path: str, query: str = "") -> str:
    """The shared cache key of a public page: its path and its normalised query, not its host.

    A public page is the same on every host and scheme (links in it are relative), which is what
    lets a writer render it ahead of readers without knowing how they will ask for it.
    """
    return f"pages:page:{path}?{query}"


def current_version(key: str) -> int:
    """The version stored under `key`, created (at random) if there is none."""
    cache.add(key, _fresh_version(), timeout=None)
    return cache.get(key)


ACCEPTS_GZIP = re.compile(r"\bgzip\b")

#: Headers a `ServedPage` makes itself, per encoding; any other header of a response is kept as it was served.
OWN_HEADERS = frozenset(
    {"content-type", "content-length", "content-encoding", "etag", "last-modified", "cache-control", "vary"}
)


class ServedPage(NamedTuple):
    """A cached page as this process keeps it in memory: its headers made once, and a gzip copy.

    Readers whose browser accepts gzip (all do) get the compressed copy: an article page is about a
    tenth of its size then. A public page holds no secret (no CSRF token, nothing per visitor), so
    compressing it opens no BREACH-style leak. Each encoding has its own strong ETag.
    """

    page: CachedPage
    headers: dict[str, str]
    gzip_headers: dict[str, str]

    @classmethod
    def of(cls, page: CachedPage) -> "ServedPage":
        common = {
            "Last-Modified": http_date(page.last_modified),
            "Cache-Control": "public, max-age=0, must-revalidate",
            "Vary": "Cookie, Accept-Encoding",
        }
        gzip_etag = page.etag[:-1] + '-gzip"'
        plain = {"ETag": page.etag, "Content-Length": str(len(page.body))}
        packed = {"ETag": gzip_etag, "Content-Encoding": "gzip", "Content-Length": str(len(page.gzipped))}
        return cls(page, common | plain, common | packed)

    @property
    def size(self) -> int:
        return len(self.page.body) + len(self.page.gzipped)

    def as_served(self, response: HttpResponse) -> "ServedPage":
        """This page with the other headers `response` went out with (security policy, frame options, links)."""
        extra = {name: value for name, value in response.items() if name.lower() not in OWN_HEADERS}
        return self._replace(headers=self.headers | extra, gzip_headers=self.gzip_headers | extra)

    def respond(self, request) -> HttpResponse:
        """The page as a response; 304 when the request's conditional headers say the reader has it."""
        body, headers = self.page.body, self.headers
        if ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            body, headers = self.page.gzipped, self.gzip_headers
        response = HttpResponse(body, content_type=self.page.content_type, headers=headers)
        if "HTTP_IF_NONE_MATCH" not in request.META and "HTTP_IF_MODIFIED_SINCE" not in request.META:
            return response
        return get_conditional_response(
            request, etag=headers["ETag"], last_modified=self.page.last_modified, response=response
        )


class LocalPage(NamedTuple):
    version_key: str
    served: ServedPage


class LocalPages:
    """The pages this process served lately, up to `budget` bytes of bodies (oldest stored go first).

    Never served on their own: the caller compares each page's version with the shared one first.
    """

    def __init__(self, budget: int) -> None:
        self.budget, self.size = budget, 0
        self.pages: dict[str, LocalPage] = {}
        self.lock = threading.Lock()

    def get(self, key: str) -> LocalPage | None:
        return self.pages.get(key)

    def discard(self, key: str) -> None:
        with self.lock:
            old = self.pages.pop(key, None)
            self.size -= old.served.size if old else 0

    def put(self, key: str, page: LocalPage) -> None:
        with self.lock:
            old = self.pages.pop(key, None)
            self.size += page.served.size - (old.served.size if old else 0)
            self.pages[key] = page
            while self.size > self.budget and self.pages:
                self.size -= self.pages.pop(next(iter(self.pages))).served.size


#: 32 MiB of page bodies per process (gunicorn worker): several hundred article pages.
local_pages = LocalPages(budget=32 * 1024 * 1024)


def front_key(request) -> str | None:
    """The key of this request's page in `local_pages`: the raw URL, for visitors without a session or messages.

    Only pages a view served as shareable are ever stored, after Django validated the host, so a
    forged Host header or an unusual query string only misses.
    """
    if not settings.PALIMPSEST_PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return None
    meta = request.META
    return f"{request.scheme}://{meta.get('HTTP_HOST', '')}{request.path}?{meta.get('QUERY_STRING', '')}"


class PageCacheMiddleware:
    """Serve a public page this process has served before, if still current, ahead of the rest of the stack.

    Place it after SecurityMiddleware (HTTPS redirect, HSTS) and before everything the page does not
    need. Views opt in through `PublicPageCacheMixin`, which marks the responses that may be kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = front_key(request)
        version_watch.ensure_watching()
        if key is not None:
            local = local_pages.get(key)
            if local is not None:
                try:
                    if local.served.page.version == version_watch.version(local.version_key):
                        return local.served.respond(request)
                except CACHE_ERRORS:
                    pass  # the view's layer logs it and renders
        response = self.get_response(request)
        local = getattr(response, "page_cache_local", None)
        if key is not None and local is not None and response.status_code == 200 and not response.cookies:
            local_pages.put(key, LocalPage(local.version_key, local.served.as_served(response)))
        return response


class Flight:
    """One render in progress: the version it renders, and the page once it is rendered (None if it was not)."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.done = threading.Event()
        self.served: ServedPage | None = None


class RenderFlights:
    """Renders in progress in this process, by page key and version: one thread renders, the others wait.

    Only readers of the same version wait for a render: one for a newer version starts its own at once.
    """

    WAIT_SECONDS = 10.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.flights: dict[str, Flight] = {}

    def board(self, key: str, version: int) -> tuple[Flight, bool]:
        """Return the render's flight, and True when the caller is to render (and then `land` it)."""
        with self.lock:
            flight = self.flights.get(key)
            if flight is not None and flight.version == version:
                return flight, False
            flight = self.flights[key] = Flight(version)
            return flight, True

    def land(self, key: str, flight: Flight) -> None:
        with self.lock:
            if self.flights.get(key) is flight:
                del self.flights[key]
        flight.done.set()


render_flights = RenderFlights()


#: How long a render claimed by another process is waited for before rendering the page ourselves.
CLAIM_WAIT_SECONDS = 2.0
CLAIM_POLL_SECONDS = 0.01


def _claim_key(page_key: str, version: int) -> str:
    return f"{page_key}:rendering:{version}"


def claim_render(page_key: str, version: int) -> bool:
    """Return True when this process is to render the page for `version`: no other process is rendering it."""
    try:
        return cache.add(_claim_key(page_key, version), 1, timeout=int(CLAIM_WAIT_SECONDS) + 10)
    except CACHE_ERRORS:
        return True


def release_render(page_key: str, version: int) -> None:
    try:
        cache.delete(_claim_key(page_key, version))
    except CACHE_ERRORS:
        pass  # it expires by itself


def wait_for_page(page_key: str, version: int) -> CachedPage | None:
    """The page another process rendered for `version`, once its claim is released (None if it never comes).

    Only the small claim is polled: the page (tens of kilobytes) is read once, when the renderer has
    stored it and let its claim go.
    """
    claim = _claim_key(page_key, version)
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    try:
        while time.monotonic() < deadline:
            time.sleep(CLAIM_POLL_SECONDS)
            if not cache.has_key(claim):
                page = cache.get(page_key)
                return page if page is not None and page.version == version else None
    except CACHE_ERRORS:
        pass
    return None


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
                return self._serve(request, version_key, ServedPage.of(page))
            version = version or current_version(version_key)
        except CACHE_ERRORS as exc:
            logger.warning("page cache unavailable, rendering %s: %s", request.path, exc)
            return super().dispatch(request, *args, **kwargs)
        # One thread of this process renders a missing page while the others asking for the same version
        # wait and take its copy: after an invalidation, readers would otherwise all render it at once.
        # Across processes, whoever claims the version first renders it (the writer whose edit bumped it,
        # usually) and the others wait for its copy in the cache.
        flight, leader = render_flights.board(page_key, version)
        if leader:
            claimed = False
            try:
                claimed = claim_render(page_key, version)
                page = None if claimed else wait_for_page(page_key, version)
                if page is not None:
                    flight.served = ServedPage.of(page)
                    return self._serve(request, version_key, flight.served)
                return self._render_and_store(request, page_key, version_key, flight, *args, **kwargs)
            finally:
                render_flights.land(page_key, flight)
                if claimed:
                    release_render(page_key, version)
        flight.done.wait(timeout=RenderFlights.WAIT_SECONDS)
        if flight.served is not None:
            return self._serve(request, version_key, flight.served)
        return self._render_and_store(request, page_key, version_key, Flight(version), *args, **kwargs)

    @staticmethod
    def _serve(request, version_key: str, served: ServedPage) -> HttpResponse:
        response = served.respond(request)
        response.page_cache_local = LocalPage(version_key, served)  # for PageCacheMiddleware to keep
        return response

    def _render_and_store(self, request, page_key: str, version_key: str, flight: Flight, *args, **kwargs):
        # The version was read before rendering: a change made while we render leaves this copy stale-marked.
        response = super().dispatch(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if not self._shareable(request, response):
            return response
        page = page_of(flight.version, response.content, response["Content-Type"])
        try:
            cache.set(page_key, page, timeout=settings.PALIMPSEST_PAGE_CACHE_SECONDS)
        except CACHE_ERRORS as exc:
            logger.warning("page cache unavailable, not storing %s: %s", request.path, exc)
        flight.served = ServedPage.of(page)
        return self._serve(request, version_key, flight.served)

    def _page_key(self, request) -> str | None:
        """Return the cache key of this request's page, or None when it must not come from the cache."""
        if not settings.PALIMPSEST_PAGE_CACHE or request.method not in ("GET", "HEAD"):
            return None
        if CookieStorage.cookie_name in request.COOKIES:
            return None
        # Users are signed in through the session only: without its cookie the visitor is anonymous,
        # and the session and user need not be loaded at all (a measurable share of a hit).
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            return None
        query = ""
        if request.META.get("QUERY_STRING"):
            if set(request.GET) - set(self.cache_query_params):
                return None
            params = self.cache_query_params
            query = urlencode(sorted((name, request.GET[name]) for name in params if name in request.GET))
        request.get_host()  # the page is the same on every host, but only allowed hosts are answered
        return page_key(request.path, query)

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


class ArticlePagesCacheMixin(PublicPageCacheMixin):
    """Pages of the article named by the URL's `slug`, cached until `article_changed` is called for it."""

    def page_version_key(self) -> str:
        return article_version_key(self.kwargs["slug"])


class ListPagesCacheMixin(PublicPageCacheMixin):
    """Pages listing articles, cached until `archive_changed` is called."""

    def page_version_key(self) -> str:
        return LIST_VERSION_KEY
